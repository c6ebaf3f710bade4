package dev.sluice.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;

/**
 * A cross-check of {@link BalancerBenchmark} for a machine shared with other work: the same picks and reports,
 * timed by the CPU time of the picking threads instead of the wall clock, so that time spent descheduled does
 * not count. Prints one Markdown row per method, peer count, state (each thread its own loop's copy, or one
 * shared), clock (the system clock, or the thread's own reading of it as a loop's: {@link BalancerBenchmark}'s
 * {@code clock}) and thread count: the lowest CPU time per pick over several rounds (after warm-up rounds), and the
 * wall time per pick of that round.
 *
 * <pre>{@code java -cp benchmarks/target/benchmarks.jar dev.sluice.benchmarks.PickCpuTime [methods] [peers] [loop,shared] [system,turn]}</pre>
 *
 * <p>Run one JVM per method (as JMH forks do), so that one method's profile does not slow another's code.
 */
public final class PickCpuTime {

    private static final int ROUNDS = 12;
    private static final int WARM_UP_ROUNDS = 4;
    private static final int PICKS_PER_ROUND = 1_000_000;

    private PickCpuTime() {
    }

    public static void main(String[] args) throws Exception {
        String[] methods = args.length > 0 ? args[0].split(",")
                : new String[] {"roundRobin", "leastConn", "ipHash", "hash", "consistentHash", "random", "randomTwo"};
        String[] sizes = args.length > 1 ? args[1].split(",") : new String[] {"8", "100", "1000"};
        String[] states = args.length > 2 ? args[2].split(",") : new String[] {"loop", "shared"};
        String[] clocks = args.length > 3 ? args[3].split(",") : new String[] {"system", "turn"};
        for (String method : methods) {
            for (String size : sizes) {
                for (String state : states) {
                    for (String clock : clocks) {
                        for (int threads = 1; threads <= 2; threads++) {
                            measure(method, Integer.parseInt(size), state, clock, threads);
                        }
                    }
                }
            }
        }
    }

    private static void measure(String method, int peers, String state, String clock, int threads)
            throws Exception {
        BalancerBenchmark.Requests[] requests = new BalancerBenchmark.Requests[threads];
        var group = BalancerBenchmark.group(method, peers, state.equals("shared"));
        for (int t = 0; t < threads; t++) {
            requests[t] = new BalancerBenchmark.Requests();
            requests[t].prepare(group, method, t, clock.equals("turn"));
        }
        double bestCpu = Double.MAX_VALUE;
        double wallOfBest = 0;
        for (int round = 0; round < ROUNDS; round++) {
            long[] cpu = new long[threads];
            long[] wall = new long[threads];
            CyclicBarrier start = new CyclicBarrier(threads);
            List<Thread> running = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                Thread thread = new Thread(() -> {
                    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
                    try {
                        start.await();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                    long cpu0 = mx.getCurrentThreadCpuTime();
                    long wall0 = System.nanoTime();
                    for (int i = 0; i < PICKS_PER_ROUND; i++) {
                        requests[id].pickAndReport();
                    }
                    wall[id] = System.nanoTime() - wall0;
                    cpu[id] = mx.getCurrentThreadCpuTime() - cpu0;
                });
                running.add(thread);
                thread.start();
            }
            for (Thread thread : running) {
                thread.join();
            }
            double cpuPerPick = (double) java.util.Arrays.stream(cpu).sum() / threads / PICKS_PER_ROUND;
            if (round >= WARM_UP_ROUNDS && cpuPerPick < bestCpu) {
                bestCpu = cpuPerPick;
                wallOfBest = (double) java.util.Arrays.stream(wall).max().getAsLong() / PICKS_PER_ROUND;
            }
        }
        System.out.printf("| %s | %d | %s | %s | %d | %.1f | %.1f |%n", method, peers, state, clock, threads, bestCpu,
                wallOfBest);
    }
}
