package dev.sluice.internal.net;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.spi.SelectorProvider;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * N {@link EventLoop}s, nginx's {@code worker_processes}: one per core by default. Hands out loops round robin
 * with {@link #next()}, owns the {@link Acceptor}s bound through it, and shuts everything down, gracefully
 * ({@link #shutdownGracefully(Duration)}, as nginx's {@code quit}) or at once ({@link #close()}, as {@code stop}).
 *
 * <pre>{@code
 * EventLoopGroup group = EventLoopGroup.builder().threads(2).build();
 * Acceptor acceptor = group.bind(new InetSocketAddress("127.0.0.1", 8080), (loop, ch) -> ...);
 * ...
 * group.shutdownGracefully(Duration.ofSeconds(10));
 * }</pre>
 */
public final class EventLoopGroup implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EventLoopGroup.class);

    /** nginx's {@code NGX_LISTEN_BACKLOG} on Linux. */
    public static final int DEFAULT_BACKLOG = 511;
    /** How long {@link #close()} waits for the threads to end. */
    private static final long FORCE_JOIN_NANOS = TimeUnit.SECONDS.toNanos(5);

    private final List<EventLoop> loops;
    private final ConnectionBudget connections;
    private final AtomicInteger next = new AtomicInteger();
    private final CopyOnWriteArrayList<Acceptor> acceptors = new CopyOnWriteArrayList<>();

    private EventLoopGroup(List<EventLoop> loops, int connectionsPerLoop, int maxConnections) {
        this.loops = loops;
        this.connections = new ConnectionBudget(loops, connectionsPerLoop, maxConnections);
    }

    /** A builder with every default: one loop per available processor, 16 KiB buffers. */
    public static Builder builder() {
        return new Builder();
    }

    /** The next loop, round robin; for work that may go to any loop. Any thread, allocation-free. */
    public EventLoop next() {
        return loops.get(Math.floorMod(next.getAndIncrement(), loops.size()));
    }

    /** How many accepted connections may be open; each closed one must be given back. */
    public ConnectionBudget connections() {
        return connections;
    }

    /** Every loop, in index order (unmodifiable). */
    public List<EventLoop> loops() {
        return loops;
    }

    /** {@link #bind(SocketAddress, int, AcceptHandler)} with {@link #DEFAULT_BACKLOG}. */
    public Acceptor bind(SocketAddress address, AcceptHandler handler) throws IOException {
        return bind(address, DEFAULT_BACKLOG, handler);
    }

    /**
     * Listens on {@code address} (an {@link java.net.InetSocketAddress}, port 0 for any, or a
     * {@link java.net.UnixDomainSocketAddress}) and hands each accepted connection to the group's loops in turn.
     * Binding happens on the calling thread, so "address in use" is thrown here.
     *
     * @param backlog the listen backlog ({@code listen ... backlog=}); 0 or less means the system's default
     */
    public Acceptor bind(SocketAddress address, int backlog, AcceptHandler handler) throws IOException {
        return bind(address, backlog, false, handler, null, Acceptor.DEFAULT_PAUSE_NANOS);
    }

    /**
     * nginx's {@code listen ... reuseport}: one listening socket per loop, each bound to {@code address} with
     * {@code SO_REUSEPORT}, so that the kernel spreads connections and each loop accepts its own (Linux; TCP only).
     * See {@link Acceptor} for when this pays off.
     *
     * @throws UnsupportedOperationException where {@code SO_REUSEPORT} is not available
     */
    public Acceptor bindReusePort(InetSocketAddress address, int backlog, AcceptHandler handler) throws IOException {
        return bind(address, backlog, true, handler, null, Acceptor.DEFAULT_PAUSE_NANOS);
    }

    Acceptor bind(SocketAddress address, int backlog, boolean reusePort, AcceptHandler handler,
            Acceptor.Source source, long pauseNanos) throws IOException {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(handler, "handler");
        Acceptor acceptor = Acceptor.open(this, address, backlog, reusePort, handler, source, pauseNanos);
        acceptors.add(acceptor);
        return acceptor;
    }

    void forget(Acceptor acceptor) {
        acceptors.remove(acceptor);
    }

    /**
     * Shuts down as an nginx worker quits: closes every acceptor, asks each loop's {@link Drainable}s to begin
     * draining (the keepalive pool closes its idle connections, the proxy finishes its exchanges), lets each loop
     * run until nothing is in flight or {@code grace} has passed, then closes every channel still registered and
     * joins the threads. Blocks until the threads have ended. Must not be called from a loop of this group.
     *
     * @return true if every loop finished its in-flight work before the deadline
     */
    public boolean shutdownGracefully(Duration grace) {
        Objects.requireNonNull(grace, "grace");
        for (EventLoop loop : loops) {
            if (loop.inEventLoop()) {
                throw new IllegalStateException("cannot wait for " + loop + " to end on its own thread");
            }
        }
        for (Acceptor acceptor : acceptors) {
            acceptor.close();
        }
        long graceNanos = Math.max(0, grace.toNanos());
        for (EventLoop loop : loops) {
            loop.startDrain(graceNanos);
        }
        long deadline = System.nanoTime() + graceNanos + FORCE_JOIN_NANOS;
        boolean clean = true;
        try {
            for (EventLoop loop : loops) {
                if (!loop.awaitTermination(deadline - System.nanoTime())) {
                    log.warn("{} did not stop in time; forcing it", loop);
                    loop.stop();
                    if (!loop.awaitTermination(FORCE_JOIN_NANOS)) {
                        log.error("{} is stuck and did not stop", loop);
                    }
                    clean = false;
                }
                clean &= !loop.cutShort();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            for (EventLoop loop : loops) {
                loop.stop();
            }
            return false;
        }
        return clean && graceNanos > 0;
    }

    /** Shuts down at once: no draining, every channel closed, threads joined. Idempotent. */
    @Override
    public void close() {
        shutdownGracefully(Duration.ZERO);
    }

    /** Whether every loop's thread has ended. */
    public boolean isTerminated() {
        for (EventLoop loop : loops) {
            if (!loop.isTerminated()) {
                return false;
            }
        }
        return true;
    }

    /** Configures an {@link EventLoopGroup}; every setting has a default. */
    public static final class Builder {

        private int threads = Runtime.getRuntime().availableProcessors();
        private String threadNamePrefix = "sluice-loop-";
        private int bufferSize = 16 * 1024;
        private int maxIdleBuffers = 256;
        private NanoClock clock = NanoClock.system();
        private SelectorProvider provider = SelectorProvider.provider();
        private int connectionsPerLoop;
        private int maxConnections;

        private Builder() {
        }

        /**
         * How many accepted connections each loop may hold ({@code worker_connections}, client side only) and the
         * group in all; beyond either, connections wait in the backlog. Default 0 and 0: no limit.
         */
        public Builder connections(int perLoop, int total) {
            if (perLoop < 0 || total < 0) {
                throw new IllegalArgumentException("connection limits must be >= 0: " + perLoop + ", " + total);
            }
            this.connectionsPerLoop = perLoop;
            this.maxConnections = total;
            return this;
        }

        /** {@code worker_processes}: the number of loops. Default: available processors. */
        public Builder threads(int threads) {
            if (threads < 1) {
                throw new IllegalArgumentException("threads must be >= 1: " + threads);
            }
            this.threads = threads;
            return this;
        }

        /** Loop threads are named prefix + index. Default {@code sluice-loop-}. */
        public Builder threadNamePrefix(String prefix) {
            this.threadNamePrefix = Objects.requireNonNull(prefix, "threadNamePrefix");
            return this;
        }

        /** The size of each loop's pooled direct buffers. Default 16 KiB. */
        public Builder bufferSize(int bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("bufferSize must be >= 1: " + bytes);
            }
            this.bufferSize = bytes;
            return this;
        }

        /** How many idle buffers each loop keeps for reuse; more are dropped. Default 256. */
        public Builder maxIdleBuffers(int count) {
            if (count < 0) {
                throw new IllegalArgumentException("maxIdleBuffers must be >= 0: " + count);
            }
            this.maxIdleBuffers = count;
            return this;
        }

        /** The clock every loop reads once per iteration. Default {@link NanoClock#system()}; tests inject one. */
        public Builder clock(NanoClock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Where selectors and channels come from. Default {@link SelectorProvider#provider()}, the platform's
         * sockets; a test passes an in-memory network.
         */
        public Builder provider(SelectorProvider provider) {
            this.provider = Objects.requireNonNull(provider, "provider");
            return this;
        }

        /** Creates the loops and starts their threads. */
        public EventLoopGroup build() {
            EventLoop[] loops = new EventLoop[threads];
            try {
                for (int i = 0; i < threads; i++) {
                    loops[i] = new EventLoop(threadNamePrefix + i, clock, new BufferPool(bufferSize, maxIdleBuffers),
                            provider);
                }
            } catch (IOException e) {
                for (EventLoop loop : loops) {
                    if (loop != null) {
                        loop.abandon();
                    }
                }
                throw new UncheckedIOException("cannot open a selector", e);
            }
            EventLoopGroup group = new EventLoopGroup(List.of(loops), connectionsPerLoop, maxConnections);
            for (EventLoop loop : loops) {
                loop.start();
            }
            return group;
        }
    }
}
