package dev.sluice.benchmarks;

import dev.sluice.upstream.Balancer;
import dev.sluice.upstream.Outcome;
import dev.sluice.upstream.PeerState;
import dev.sluice.upstream.Selection;
import dev.sluice.upstream.Sticky;
import dev.sluice.upstream.UpstreamGroup;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;

/**
 * The cost of one request's pick and report, {@link Selection#select()} then {@link Selection#report(Outcome)},
 * for every balancing method, as a proxy pays it per request (plus {@code stickyCookie}: round robin with three in
 * four requests bound to a peer by its cookie id, and {@code withQueue}: round robin in a group with an empty
 * {@code queue}). The group (weights 1 to 5 in turn, system clock) is the same for all threads; each thread keeps
 * its own {@link Selection} and resets it per request, as a connection does, and picks as an event loop of its
 * own ({@link UpstreamGroup#newSelection(int)}): from its own copy of the balancing state with {@code state=loop},
 * the default, and from the one state all threads share with {@code state=shared} ({@code zone}). With {@code
 * clock=system} a selection reads the group's ticker, the system clock, where it needs the time, as a user's own
 * thread does; with {@code clock=turn} it reads its thread's earlier reading of that clock instead ({@link
 * UpstreamGroup#newSelection(int, dev.sluice.upstream.Ticker)}), as the proxy's event loops do: a loop reads the
 * clock once per turn for its timers whether or not it picks, and the thread here reads it once per 4,096 requests.
 *
 * <pre>{@code java -jar benchmarks/target/benchmarks.jar BalancerBenchmark -prof gc}</pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
public class BalancerBenchmark {

    /** Keys and client addresses per thread; a power of two, so the next one is a mask away. */
    private static final int INPUTS = 4096;
    private static final int KEY_LENGTH = 40;

    @Param({"roundRobin", "leastConn", "ipHash", "hash", "consistentHash", "random", "randomTwo", "leastTime", "stickyCookie", "withQueue"})
    public String method;

    @Param({"8", "100", "1000"})
    public int peers;

    @Param({"loop", "shared"})
    public String state;

    @Param({"system", "turn"})
    public String clock;

    UpstreamGroup group;
    /** The loop number the next thread picks as. */
    final AtomicInteger loops = new AtomicInteger();

    @Setup
    public void buildGroup() {
        group = group(method, peers, state.equals("shared"));
    }

    /** The group every thread picks from: {@code peers} servers of weights 1, 2, 3, 4, 5, 1, 2, ... */
    static UpstreamGroup group(String method, int peers, boolean shared) {
        UpstreamGroup.Builder b = UpstreamGroup.builder("bench")
                .balancer(balancer(method))
                .random(new SplittableRandom(42));
        if (shared) {
            b.sharedState();
        }
        if (method.equals("stickyCookie")) {
            b.sticky(Sticky.cookie("srv_id").build());
        } else if (method.equals("withQueue")) {
            b.queue(100);
        }
        for (int i = 0; i < peers; i++) {
            int weight = 1 + i % 5;
            b.server("10." + (i >> 8) + "." + (i & 0xff) + ".1:8080", s -> s.weight(weight));
        }
        return b.build();
    }

    private static Balancer balancer(String method) {
        switch (method) {
            case "roundRobin":
                return Balancer.roundRobin();
            case "leastConn":
                return Balancer.leastConn();
            case "ipHash":
                return Balancer.ipHash();
            case "hash":
                return Balancer.hash();
            case "consistentHash":
                return Balancer.hash().consistent();
            case "random":
                return Balancer.random();
            case "randomTwo":
                return Balancer.randomTwo();
            case "leastTime":
                return Balancer.leastTimeHeader();
            case "stickyCookie":
            case "withQueue":
                return Balancer.roundRobin();
            default:
                throw new IllegalArgumentException(method);
        }
    }

    /** One thread's request stream: its selection and the keys and client addresses it cycles through. */
    @State(Scope.Thread)
    public static class Requests {

        Selection selection;
        boolean byKey;
        boolean byClient;
        final byte[][] keys = new byte[INPUTS][];
        final byte[][] clients = new byte[INPUTS][];
        /** The time each request reports, 1 to 5 ms, which least_time balances by and the others ignore. */
        final long[] times = new long[INPUTS];
        /** stickyCookie: the srv_id each request carries, a peer's id for three in four, none for the rest. */
        final String[] stickies = new String[INPUTS];
        UpstreamGroup group;
        boolean bySticky;
        int next;
        /** The thread's reading of the system clock, for {@code clock=turn}. */
        long turnNanos;

        @Setup
        public void prepare(BalancerBenchmark benchmark) {
            prepare(benchmark.group, benchmark.method, benchmark.loops.getAndIncrement(),
                    benchmark.clock.equals("turn"));
        }

        /**
         * Readies the request stream of loop {@code loop}, whose number also seeds its keys; {@code byTurn}: its
         * selection reads the thread's own reading of the clock.
         */
        void prepare(UpstreamGroup group, String method, int loop, boolean byTurn) {
            long seed = loop;
            turnNanos = System.nanoTime();
            selection = byTurn ? group.newSelection(loop, () -> turnNanos) : group.newSelection(loop);
            this.group = group;
            bySticky = method.equals("stickyCookie");
            byKey = method.equals("hash") || method.equals("consistentHash");
            byClient = method.equals("ipHash");
            SplittableRandom random = new SplittableRandom(seed);
            for (int i = 0; i < INPUTS; i++) {
                String key = "/assets/" + Long.toHexString(random.nextLong()) + "/" + i + ".png?v=";
                key = (key + "0".repeat(KEY_LENGTH)).substring(0, KEY_LENGTH);
                keys[i] = key.getBytes(StandardCharsets.US_ASCII);
                int address = random.nextInt();
                clients[i] = new byte[] {(byte) (address >>> 24), (byte) (address >>> 16), (byte) (address >>> 8), (byte) address};
                times[i] = 1_000_000L + random.nextInt(4_000_000);
                stickies[i] = random.nextInt(4) == 0 ? "" : group.peers().get(random.nextInt(group.peers().size())).stickyId();
            }
        }

        PeerState pickAndReport() {
            int i = next++ & (INPUTS - 1);
            if (i == 0) {
                turnNanos = System.nanoTime();
            }
            Selection s = selection.reset();
            if (byKey) {
                s.hashKey(keys[i], 0, KEY_LENGTH);
            } else if (byClient) {
                s.clientAddress(clients[i]);
            } else if (bySticky) {
                s.prefer(group.stickyPeer(stickies[i]));
            }
            PeerState peer = s.select();
            s.report(Outcome.SUCCESS, 200, times[i], times[i]);
            return peer;
        }
    }

    @Benchmark
    @Threads(1)
    public PeerState oneThread(Requests requests) {
        return requests.pickAndReport();
    }

    @Benchmark
    @Threads(2)
    public PeerState twoThreads(Requests requests) {
        return requests.pickAndReport();
    }
}
