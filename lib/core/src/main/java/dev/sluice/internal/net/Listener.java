package dev.sluice.internal.net;

import java.io.IOException;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One listening socket registered on one loop: accepts up to 64 connections per readiness event and hands each to
 * its target loops in turn, pausing after an accept error instead of spinning (nginx's
 * {@code ngx_disable_accept_events} for {@code accept_mutex_delay}).
 */
final class Listener implements IoHandler {

    private static final Logger log = LoggerFactory.getLogger(Listener.class);
    private static final int MAX_ACCEPTS_PER_EVENT = 64;
    private static final long RELEASE_WAIT_SECONDS = 10;

    private final EventLoop loop;
    private final ServerSocketChannel server;
    private final SocketAddress localAddress;
    private final List<EventLoop> targets;
    private final ConnectionBudget budget;
    private final AcceptHandler handler;
    private final Acceptor.Source source;
    private final long pauseNanos;
    private final boolean tcp;
    private final Timeout resume;
    private SelectionKey key;
    private int next;
    private int reserved;
    private long pauses;
    private volatile boolean closed;
    /** Whether the listener waits for the budget's next give-back. */
    private volatile boolean awaitingRoom;

    Listener(EventLoop loop, ServerSocketChannel server, List<EventLoop> targets, ConnectionBudget budget,
            AcceptHandler handler, Acceptor.Source source, long pauseNanos) throws IOException {
        this.loop = loop;
        this.server = server;
        this.localAddress = server.getLocalAddress();
        this.targets = targets;
        this.budget = budget;
        this.handler = handler;
        this.source = source;
        this.pauseNanos = pauseNanos;
        this.tcp = !(localAddress instanceof UnixDomainSocketAddress);
        this.resume = loop.newTimeout(this::resume);
    }

    EventLoop loop() {
        return loop;
    }

    long pauses() {
        return pauses;
    }

    /** Registers for {@code OP_ACCEPT} on the loop, waiting for it when called from another thread. */
    void register() throws IOException {
        if (loop.inEventLoop()) {
            key = loop.register(server, SelectionKey.OP_ACCEPT, this);
            return;
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        loop.execute(() -> {
            try {
                key = loop.register(server, SelectionKey.OP_ACCEPT, this);
                done.complete(null);
            } catch (Throwable e) {
                done.completeExceptionally(e);
            }
        });
        try {
            done.get(RELEASE_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new IOException("cannot register " + localAddress + " on " + loop, e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while registering " + localAddress, e);
        } catch (TimeoutException e) {
            throw new IOException(loop + " did not register " + localAddress + " in time", e);
        }
    }

    @Override
    public void onReady(int readyOps) {
        for (int i = 0; i < MAX_ACCEPTS_PER_EVENT; i++) {
            EventLoop target = reserve();
            if (target == null) {
                if (i == 0) {
                    waitForRoom(); // the event says a connection waits, and no loop has room for it
                } // after an accept, another may or may not wait: the next accept event says so
                return;
            }
            SocketChannel channel;
            try {
                channel = source.accept(server);
            } catch (IOException e) {
                budget.giveBack(target);
                if (!closed && server.isOpen()) {
                    pause(e);
                }
                return;
            }
            if (channel == null) {
                budget.giveBack(target);
                return;
            }
            next = reserved + 1 == targets.size() ? 0 : reserved + 1;
            handOver(channel, target);
        }
    }

    /**
     * The next target loop in turn that has room for a connection, its place reserved; null when none has. The turn
     * moves on only when a connection is handed over, so an accept that finds nothing does not skip a loop.
     */
    private EventLoop reserve() {
        for (int tried = 0, i = next; tried < targets.size(); tried++, i = i + 1 == targets.size() ? 0 : i + 1) {
            EventLoop target = targets.get(i);
            if (budget.reserve(target)) {
                reserved = i;
                return target;
            }
        }
        return null;
    }

    /**
     * Every target is full: stops accepting until a connection closes, as nginx stops when it has no free one, and
     * asks the loops to close connections that wait for a request to make room; looks again after the accept pause,
     * when connections busy now may wait for a request.
     */
    private void waitForRoom() {
        key.interestOps(0);
        if (!awaitingRoom) {
            awaitingRoom = true;
            budget.whenRoom(this::roomFreed);
        }
        if (budget.hasRoom(targets)) {
            resume();
            return;
        }
        budget.reclaim(targets);
        resume.schedule(pauseNanos);
    }

    /** From any thread: a connection closed. */
    private void roomFreed() {
        awaitingRoom = false;
        resumeSoon();
    }

    private void pause(IOException cause) {
        pauses++;
        log.warn("accept on {} failed ({}); not accepting for {} ms", localAddress, cause.toString(),
                TimeUnit.NANOSECONDS.toMillis(pauseNanos));
        key.interestOps(0);
        resume.schedule(pauseNanos);
    }

    /** From any thread: resumes accepting on this listener's loop, unless that loop has shut down. */
    private void resumeSoon() {
        try {
            loop.execute(this::resume);
        } catch (RejectedExecutionException e) {
            // the loop has shut down, and this listener with it
        }
    }

    private void resume() {
        if (!closed && key.isValid()) {
            key.interestOps(SelectionKey.OP_ACCEPT);
        }
    }

    private void handOver(SocketChannel channel, EventLoop target) {
        try {
            channel.configureBlocking(false);
            if (tcp) {
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            }
        } catch (IOException e) {
            log.debug("cannot set up accepted {}", channel, e);
            EventLoop.closeQuietly(channel);
            budget.giveBack(target);
            return;
        }
        if (target == loop) {
            deliver(target, channel);
            return;
        }
        try {
            target.execute(() -> deliver(target, channel));
        } catch (RejectedExecutionException e) {
            EventLoop.closeQuietly(channel);
            budget.giveBack(target);
        }
    }

    private void deliver(EventLoop target, SocketChannel channel) {
        try {
            handler.onAccepted(target, channel);
        } catch (Throwable e) {
            log.warn("accept handler {} failed for {}; closing it", handler, channel, e);
            EventLoop.closeQuietly(channel);
            budget.giveBack(target);
        }
    }

    /**
     * Closes the socket. Off the loop it waits until the socket is released: a registered channel's socket is only
     * freed when its selector next runs.
     */
    void close() {
        closed = true;
        if (loop.inEventLoop()) {
            closeOnLoop();
            return;
        }
        CompletableFuture<Void> released = new CompletableFuture<>();
        try {
            loop.execute(() -> {
                closeOnLoop();
                // the key is deregistered, and the socket released, by the select that precedes this timer
                loop.newTimeout(() -> released.complete(null)).schedule(0);
            });
            released.get(RELEASE_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (RejectedExecutionException e) {
            EventLoop.closeQuietly(server); // the loop is gone, and its selector with it
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            log.warn("{} did not release {} in time", loop, localAddress, e);
        }
    }

    private void closeOnLoop() {
        resume.cancel();
        EventLoop.closeQuietly(server);
    }

    @Override
    public String toString() {
        return "Listener[" + localAddress + " on " + loop + "]";
    }
}
