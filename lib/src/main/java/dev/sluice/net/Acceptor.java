package dev.sluice.net;

import java.io.IOException;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A listening socket ({@code listen} in nginx) whose accepted connections are spread round robin over the loops of
 * its group. Create one with {@link EventLoopGroup#bind}.
 *
 * <p>One loop owns the listening socket and accepts up to 64 connections per readiness event; each goes to the next
 * loop in turn (a task on that loop, so the connection's handler only ever runs on its own loop). We chose this
 * over one {@code SO_REUSEPORT} socket per loop: the kernel spreads {@code SO_REUSEPORT} connections by a hash of
 * the 4-tuple, which is uneven for the few long-lived keepalive connections a proxy sees, and closing one of the
 * sockets resets the connections queued on it, which a graceful shutdown must not do; nor does macOS balance such
 * sockets. Accepting is not where a keepalive proxy spends its time; the hand-off costs one queued task per
 * connection, not per request.
 *
 * <p>When {@code accept} fails (typically EMFILE/ENFILE: out of file descriptors), the acceptor stops listening for
 * 500 ms and tries again, as nginx disables accept events for {@code accept_mutex_delay}; a listening socket with
 * a pending connection would otherwise wake the loop at once, forever, at 100% CPU.
 */
public final class Acceptor implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Acceptor.class);

    /** nginx's {@code accept_mutex_delay}, the pause after an accept error. */
    static final long DEFAULT_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
    private static final int MAX_ACCEPTS_PER_EVENT = 64;

    /** Where accepted channels come from; a seam so tests can fail it as an exhausted process would. */
    interface Source {
        SocketChannel accept(ServerSocketChannel server) throws IOException;
    }

    private final EventLoopGroup group;
    private final EventLoop loop;
    private final List<EventLoop> targets;
    private final ServerSocketChannel server;
    private final SocketAddress localAddress;
    private final AcceptHandler handler;
    private final Source source;
    private final long pauseNanos;
    private final boolean tcp;
    private final Timeout resume;
    private final IoHandler readiness = readyOps -> acceptBatch();
    private SelectionKey key;
    private int next;
    private long pauses;
    private volatile boolean closed;

    private Acceptor(EventLoopGroup group, EventLoop loop, ServerSocketChannel server, AcceptHandler handler,
            Source source, long pauseNanos) throws IOException {
        this.group = group;
        this.loop = loop;
        this.targets = group.loops();
        this.server = server;
        this.localAddress = server.getLocalAddress();
        this.handler = handler;
        this.source = source != null ? source : ServerSocketChannel::accept;
        this.pauseNanos = pauseNanos;
        this.tcp = !(localAddress instanceof UnixDomainSocketAddress);
        this.resume = loop.newTimeout(this::resume);
    }

    /** Binds and starts accepting; called by {@link EventLoopGroup#bind}. */
    static Acceptor open(EventLoopGroup group, SocketAddress address, int backlog, AcceptHandler handler,
            Source source, long pauseNanos) throws IOException {
        ServerSocketChannel server = address instanceof UnixDomainSocketAddress
                ? ServerSocketChannel.open(StandardProtocolFamily.UNIX) : ServerSocketChannel.open();
        try {
            if (!(address instanceof UnixDomainSocketAddress)) {
                server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            }
            server.bind(address, backlog);
            server.configureBlocking(false);
            Acceptor acceptor = new Acceptor(group, group.next(), server, handler, source, pauseNanos);
            acceptor.registerAndWait();
            return acceptor;
        } catch (IOException | RuntimeException e) {
            EventLoop.closeQuietly(server);
            throw e;
        }
    }

    private void registerAndWait() throws IOException {
        if (loop.inEventLoop()) {
            key = loop.register(server, SelectionKey.OP_ACCEPT, readiness);
            return;
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        loop.execute(() -> {
            try {
                key = loop.register(server, SelectionKey.OP_ACCEPT, readiness);
                done.complete(null);
            } catch (Throwable e) {
                done.completeExceptionally(e);
            }
        });
        try {
            done.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new IOException("cannot register " + localAddress + " on " + loop, e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while registering " + localAddress, e);
        } catch (TimeoutException e) {
            throw new IOException(loop + " did not register " + localAddress + " within 10 s", e);
        }
    }

    /** The address this acceptor listens on (with the real port when bound to port 0). */
    public SocketAddress localAddress() {
        return localAddress;
    }

    EventLoop loop() {
        return loop;
    }

    /** How many times accepting was paused after an error. */
    long pauses() {
        return pauses;
    }

    private void acceptBatch() {
        for (int i = 0; i < MAX_ACCEPTS_PER_EVENT; i++) {
            SocketChannel channel;
            try {
                channel = source.accept(server);
            } catch (IOException e) {
                if (!closed && server.isOpen()) {
                    pause(e);
                }
                return;
            }
            if (channel == null) {
                return;
            }
            handOver(channel);
        }
    }

    private void pause(IOException cause) {
        pauses++;
        log.warn("accept on {} failed ({}); not accepting for {} ms", localAddress, cause.toString(),
                TimeUnit.NANOSECONDS.toMillis(pauseNanos));
        key.interestOps(0);
        resume.schedule(pauseNanos);
    }

    private void resume() {
        if (!closed && key.isValid()) {
            key.interestOps(SelectionKey.OP_ACCEPT);
        }
    }

    private void handOver(SocketChannel channel) {
        try {
            channel.configureBlocking(false);
            if (tcp) {
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            }
        } catch (IOException e) {
            log.debug("cannot set up accepted {}", channel, e);
            EventLoop.closeQuietly(channel);
            return;
        }
        EventLoop target = targets.get(next);
        next = next + 1 == targets.size() ? 0 : next + 1;
        if (target == loop) {
            deliver(target, channel);
            return;
        }
        try {
            target.execute(() -> deliver(target, channel));
        } catch (RejectedExecutionException e) {
            EventLoop.closeQuietly(channel);
        }
    }

    private void deliver(EventLoop target, SocketChannel channel) {
        try {
            handler.onAccepted(target, channel);
        } catch (Throwable e) {
            log.warn("accept handler {} failed for {}; closing it", handler, channel, e);
            EventLoop.closeQuietly(channel);
        }
    }

    /**
     * Stops listening and releases the socket (and a Unix-domain socket's file, as nginx removes it on exit).
     * Connections already accepted are not touched. Any thread; idempotent. Off the loop it waits (at most 5 s)
     * until the port is free: a registered channel's socket is only released when its selector next runs.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        group.forget(this);
        if (loop.inEventLoop()) {
            closeOnLoop();
        } else {
            CompletableFuture<Void> released = new CompletableFuture<>();
            try {
                loop.execute(() -> {
                    closeOnLoop();
                    // the key is deregistered, and the socket released, by the select that precedes this timer
                    loop.newTimeout(() -> released.complete(null)).schedule(0);
                });
                released.get(10, TimeUnit.SECONDS);
            } catch (RejectedExecutionException e) {
                EventLoop.closeQuietly(server); // the loop is gone, and its selector with it
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                log.warn("{} did not release {} in time", loop, localAddress, e);
            }
        }
        if (localAddress instanceof UnixDomainSocketAddress) {
            Path path = ((UnixDomainSocketAddress) localAddress).getPath();
            try {
                Files.deleteIfExists(path);
            } catch (IOException e) {
                log.warn("cannot remove the socket file {}", path, e);
            }
        }
    }

    private void closeOnLoop() {
        resume.cancel();
        EventLoop.closeQuietly(server);
    }

    @Override
    public String toString() {
        return "Acceptor[" + localAddress + " on " + loop + "]";
    }
}
