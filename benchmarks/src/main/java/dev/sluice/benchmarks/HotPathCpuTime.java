package dev.sluice.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * A cross-check of {@link PoolBenchmark} and {@link ParseBenchmark} for a machine shared with other work: the same
 * operations timed by the CPU time of the thread that runs them (the loop thread for the pool) instead of the wall
 * clock, so that time spent descheduled does not count. Prints one Markdown row per case: the lowest CPU time per
 * operation over several rounds, after warm-up rounds.
 *
 * <pre>{@code java -cp benchmarks/target/benchmarks.jar dev.sluice.benchmarks.HotPathCpuTime}</pre>
 */
public final class HotPathCpuTime {

    private static final int ROUNDS = 24;
    private static final int WARM_UP_ROUNDS = 8;
    private static final int OPERATIONS_PER_ROUND = 2_000_000;

    /** Where the parse results go, so that the parsing is not optimised away. */
    static volatile int blackhole;

    private HotPathCpuTime() {
    }

    public static void main(String[] args) throws Exception {
        for (int peers : new int[] {1, 4}) {
            PoolBenchmark.WarmPool pool = new PoolBenchmark.WarmPool(peers, true);
            try {
                double best = Double.MAX_VALUE;
                for (int round = 0; round < ROUNDS; round++) {
                    double ns = (double) pool.cpuNanos(OPERATIONS_PER_ROUND) / OPERATIONS_PER_ROUND;
                    best = round >= WARM_UP_ROUNDS ? Math.min(best, ns) : best;
                }
                System.out.printf("| PoolBenchmark.acquireRelease | peers=%d | %.1f |%n", peers, best);
            } finally {
                pool.close();
            }
        }
        ParseBenchmark parse = new ParseBenchmark();
        parse.fill();
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        for (boolean read : new boolean[] {false, true}) {
            double best = Double.MAX_VALUE;
            int sink = 0;
            for (int round = 0; round < ROUNDS; round++) {
                long start = mx.getCurrentThreadCpuTime();
                for (int i = 0; i < OPERATIONS_PER_ROUND; i++) {
                    sink += read ? ParseBenchmark.read(parse.parseOnce()) : parse.parseOnce().headLength();
                }
                double ns = (double) (mx.getCurrentThreadCpuTime() - start) / OPERATIONS_PER_ROUND;
                best = round >= WARM_UP_ROUNDS ? Math.min(best, ns) : best;
            }
            blackhole = sink;
            System.out.printf("| ParseBenchmark.%s | - | %.1f |%n", read ? "parseAndRead" : "parse", best);
        }
    }
}
