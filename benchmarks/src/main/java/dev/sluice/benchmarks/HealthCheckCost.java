package dev.sluice.benchmarks;

import com.sun.net.httpserver.HttpServer;
import dev.sluice.ProxyServer;
import dev.sluice.upstream.HealthCheck;
import dev.sluice.upstream.PeerState;
import dev.sluice.upstream.UpstreamGroup;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * What active health checks cost the proxy: a group of {@code PEERS} peers (default 1,000), each checked every
 * second (plus up to a second of jitter), all served by one local HTTP server so that the upstream side is not what
 * is measured; once with a new connection per check and once with {@code keepalive_time=60s}. After a warm-up,
 * prints the CPU time the checks' loop thread used per second of wall time (100 % = one whole core) and how many
 * checks ran.
 *
 * <pre>{@code java -cp benchmarks/target/benchmarks.jar dev.sluice.benchmarks.HealthCheckCost [PEERS] [SECONDS]}</pre>
 */
public final class HealthCheckCost {

    private HealthCheckCost() {
    }

    public static void main(String[] args) throws Exception {
        int peers = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        HttpServer upstream = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
        upstream.createContext("/health", exchange -> {
            exchange.sendResponseHeaders(200, 2);
            exchange.getResponseBody().write(new byte[] {'o', 'k'});
            exchange.close();
        });
        ExecutorService pool = Executors.newFixedThreadPool(4);
        upstream.setExecutor(pool);
        upstream.start();
        try {
            String address = "127.0.0.1:" + upstream.getAddress().getPort();
            for (Duration keepalive : new Duration[] {Duration.ZERO, Duration.ofSeconds(60)}) {
                measure(address, peers, seconds, keepalive);
            }
        } finally {
            upstream.stop(0);
            pool.shutdownNow();
        }
    }

    private static void measure(String address, int peers, int seconds, Duration keepalive) throws Exception {
        UpstreamGroup.Builder builder = UpstreamGroup.builder("checked").healthCheck(HealthCheck.builder()
                .interval(Duration.ofSeconds(1)).jitter(Duration.ofSeconds(1)).uri("/health").keepaliveTime(keepalive)
                .build());
        for (int i = 0; i < peers; i++) {
            builder.server(address);
        }
        UpstreamGroup group = builder.build();
        try (ProxyServer proxy = ProxyServer.builder().listen("127.0.0.1:0").workers(1)
                .route("/", r -> r.upstream(group)).start()) {
            Thread.sleep(5_000);
            Thread loop = thread("sluice-health-");
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            long cpuBefore = threads.getThreadCpuTime(loop.getId());
            long checksBefore = checks(group);
            long wallBefore = System.nanoTime();
            Thread.sleep(seconds * 1000L);
            long cpu = threads.getThreadCpuTime(loop.getId()) - cpuBefore;
            long wall = System.nanoTime() - wallBefore;
            long checks = checks(group) - checksBefore;
            long unhealthy = group.peers().stream().filter(p -> !p.isHealthy()).count();
            System.out.printf("| %d peers, interval 1s, jitter 1s, keepalive_time %ds | %.1f %% of one core"
                    + " | %.0f checks/s | %.1f µs CPU per check | %d unhealthy |%n", peers, keepalive.toSeconds(),
                    100.0 * cpu / wall, checks * 1e9 / wall, checks == 0 ? 0 : cpu / 1e3 / checks, unhealthy);
        }
    }

    private static long checks(UpstreamGroup group) {
        long total = 0;
        for (PeerState peer : group.peers()) {
            total += peer.healthChecks().checks();
        }
        return total;
    }

    private static Thread thread(String prefix) {
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (thread.getName().startsWith(prefix)) {
                return thread;
            }
        }
        throw new IllegalStateException("no thread named " + prefix + "...");
    }
}
