package dev.sluice.benchmarks;

import dev.sluice.internal.net.ConnectHandler;
import dev.sluice.internal.net.ConnectOptions;
import dev.sluice.internal.net.EventLoop;
import dev.sluice.internal.net.EventLoopGroup;
import dev.sluice.internal.net.Wire;
import dev.sluice.internal.pool.KeepalivePool;
import dev.sluice.internal.pool.KeepaliveSettings;
import dev.sluice.internal.pool.PeerLimitsRegistry;
import dev.sluice.internal.pool.PooledConnection;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of one {@link KeepalivePool#acquire} + {@link KeepalivePool#release} pair, as a proxy pays it per
 * request on a warm pool: {@code keepalive 32} idle connections (real loopback sockets) spread over {@code peers}
 * peers, each acquire asking for the next peer in turn ({@code asks=inTurn}, a round robin's stream) or always for
 * the first ({@code asks=onePeer}, a hash balancer's hot key), and getting its most recently released connection.
 *
 * <p>The pool may only be used on its event loop's thread, so each invocation hands one task to the loop that
 * runs {@value #PAIRS} pairs back to back, and the benchmark thread parks until it is done; the hand-over (a queue
 * node, a wake-up) is spread over the batch and adds well under 1 ns and 0.01 B per pair. JMH's {@code gc} profiler
 * counts the allocation of every thread, the loop's included. {@link HotPathCpuTime} runs the same batches timed by
 * the loop thread's CPU time, for a machine shared with other work.
 *
 * <p>{@code dev.sluice.internal.pool} and {@code dev.sluice.internal.net} are not exported by the {@code dev.sluice} module; the
 * benchmarks jar runs on the class path, where their public types are usable.
 *
 * <pre>{@code java -jar benchmarks/target/benchmarks.jar PoolBenchmark -prof gc}</pre>
 * Target (issue 3): at most 30 ns and 0 B per pair.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
@Threads(1)
@Fork(value = 1, jvmArgsAppend = {"-Xms256m", "-Xmx256m"})
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
public class PoolBenchmark {

    /** Pairs per hand-over to the loop. */
    static final int PAIRS = 1 << 15;

    /** Peers the idle connections go to; a power of two, so the next one is a mask away. */
    @Param({"1", "4"})
    public int peers;

    /** Which peer each acquire asks for: {@code inTurn}, the next one each time, or {@code onePeer}, the first. */
    @Param({"inTurn", "onePeer"})
    public String asks;

    private WarmPool pool;
    private final Runnable batch = this::runBatch;
    private volatile Thread waiter;
    private volatile boolean done;

    @Setup(Level.Trial)
    public void openPool() throws Exception {
        pool = new WarmPool(peers, asks.equals("inTurn"));
    }

    @TearDown(Level.Trial)
    public void closePool() throws IOException {
        pool.close();
    }

    @Benchmark
    @OperationsPerInvocation(PAIRS)
    public int acquireRelease() {
        done = false;
        waiter = Thread.currentThread();
        pool.loop.execute(batch);
        while (!done) {
            LockSupport.park(this);
        }
        return pool.kept;
    }

    /** On the loop: {@link #PAIRS} pairs, then wakes the benchmark thread. */
    private void runBatch() {
        pool.pairs(PAIRS);
        done = true;
        LockSupport.unpark(waiter);
    }

    /**
     * A pool on a one-loop group holding {@value #CONNECTIONS} idle loopback connections to {@code peers} local
     * listeners, and the code that drives it on its loop.
     */
    static final class WarmPool {

        /** Idle connections in the pool: nginx's and Sluice's default {@code keepalive 32}. */
        static final int CONNECTIONS = 32;

        final EventLoop loop;
        private final EventLoopGroup group;
        private final KeepalivePool pool;
        private final InetSocketAddress[] addresses;
        private final List<ServerSocketChannel> servers = new ArrayList<>();
        private final List<SocketChannel> accepted = new ArrayList<>();
        /** Masks a pair's number to the index of the peer it asks for: all peers in turn, or the first only. */
        private final int askMask;
        /** How many releases kept their connection, so the calls' results are used. */
        int kept;

        /** {@code inTurn}: each acquire asks for the next of the {@code peers} peers; otherwise always the first. */
        WarmPool(int peers, boolean inTurn) throws Exception {
            askMask = inTurn ? peers - 1 : 0;
            group = EventLoopGroup.builder().threads(1).threadNamePrefix("bench-loop-").build();
            loop = group.loops().get(0);
            pool = new KeepalivePool(loop, new PeerLimitsRegistry(KeepaliveSettings.builder()
                    .idle(CONNECTIONS).maxRequests(Integer.MAX_VALUE).build()));
            addresses = new InetSocketAddress[peers];
            for (int p = 0; p < peers; p++) {
                ServerSocketChannel server = ServerSocketChannel.open();
                servers.add(server);
                server.bind(new InetSocketAddress("127.0.0.1", 0), CONNECTIONS);
                addresses[p] = (InetSocketAddress) server.getLocalAddress();
            }
            for (int i = 0; i < CONNECTIONS; i++) {
                InetSocketAddress peer = addresses[i % peers];
                SelectionKey key = connect(peer);
                accepted.add(servers.get(i % peers).accept());
                onLoop(() -> pool.release(pool.register(peer, key, Wire.plain((SocketChannel) key.channel()), 0)));
            }
            checkIdle();
        }

        /** On the loop: {@code n} acquire + release pairs. */
        void pairs(int n) {
            KeepalivePool p = pool;
            InetSocketAddress[] a = addresses;
            int mask = askMask;
            int k = 0;
            for (int i = 0; i < n; i++) {
                PooledConnection c = p.acquire(a[i & mask]);
                if (p.release(c)) {
                    k++;
                }
            }
            kept += k;
        }

        /** {@code n} pairs on the loop; the loop thread's CPU nanoseconds they took. */
        long cpuNanos(int n) {
            return onLoop(() -> {
                ThreadMXBean mx = ManagementFactory.getThreadMXBean();
                long start = mx.getCurrentThreadCpuTime();
                pairs(n);
                return mx.getCurrentThreadCpuTime() - start;
            });
        }

        void close() throws IOException {
            checkIdle();
            onLoop(() -> {
                pool.close();
                return null;
            });
            group.close();
            for (SocketChannel c : accepted) {
                c.close();
            }
            for (ServerSocketChannel s : servers) {
                s.close();
            }
        }

        private void checkIdle() {
            int idle = onLoop(pool::idleCount);
            if (idle != CONNECTIONS) {
                throw new IllegalStateException("expected " + CONNECTIONS + " idle connections, found " + idle);
            }
        }

        private SelectionKey connect(InetSocketAddress peer) throws Exception {
            CompletableFuture<SelectionKey> key = new CompletableFuture<>();
            loop.execute(() -> loop.connect(peer, ConnectOptions.defaults(), new ConnectHandler() {
                @Override
                public void onConnected(SelectionKey k) {
                    key.complete(k);
                }

                @Override
                public void onConnectFailed(IOException cause) {
                    key.completeExceptionally(cause);
                }
            }));
            return key.get(10, TimeUnit.SECONDS);
        }

        private <T> T onLoop(Callable<T> task) {
            CompletableFuture<T> result = new CompletableFuture<>();
            loop.execute(() -> {
                try {
                    result.complete(task.call());
                } catch (Throwable e) {
                    result.completeExceptionally(e);
                }
            });
            try {
                return result.get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IllegalStateException("the loop did not run the task", e);
            }
        }
    }
}
