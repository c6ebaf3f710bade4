package dev.sluice.internal.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.ProxyServer;
import dev.sluice.testing.RawClient;
import dev.sluice.testing.ScriptedUpstream;
import dev.sluice.testing.Upstreams;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code worker_connections} and a global maximum: a connection beyond the limit is not accepted but waits in the
 * listen backlog, served once another closes; meanwhile the proxy does not spin on the pending accept.
 */
class WorkerConnectionsTest {

    private static final String GET = "GET /x HTTP/1.1\r\nHost: h\r\n\r\n";

    @RegisterExtension
    final Upstreams upstreams = new Upstreams();

    private ProxyServer start(Consumer<ProxyServer.Builder> limit) throws Exception {
        ScriptedUpstream peer = upstreams.scripted().identity();
        return upstreams.proxy(b -> {
            limit.accept(b);
            b.route("/", r -> r.upstream(UpstreamHarness.group(peer.address())));
        });
    }

    @Test
    void aConnectionBeyondTheLoopsLimitWaitsUntilAnotherCloses() throws Exception {
        ProxyServer proxy = start(b -> b.workerConnections(1));
        assertWaitsForTheFirstToClose(proxy);
    }

    @Test
    void aConnectionBeyondTheGlobalMaximumWaitsUntilAnotherCloses() throws Exception {
        ProxyServer proxy = start(b -> b.workers(2).maxConnections(1));
        assertWaitsForTheFirstToClose(proxy);
    }

    @Test
    void aLoopAtItsLimitDoesNotSpinOnThePendingConnection() throws Exception {
        ProxyServer proxy = start(b -> b.workerConnections(1));
        try (RawClient first = RawClient.connect(proxy.port()); RawClient second = RawClient.connect(proxy.port())) {
            assertEquals(200, first.send(GET).readResponse().status());
            second.send(GET);
            long before = loopCpuNanos();
            Thread.sleep(300);
            long spent = loopCpuNanos() - before;
            assertTrue(spent < Duration.ofMillis(100).toNanos(),
                    "the loop used " + spent / 1_000_000 + " ms of CPU in 300 ms while a connection waited");
        }
    }

    private static void assertWaitsForTheFirstToClose(ProxyServer proxy) throws Exception {
        RawClient second;
        try (RawClient first = RawClient.connect(proxy.port())) {
            assertEquals(200, first.send(GET).readResponse().status());
            second = RawClient.connect(proxy.port()).timeout(Duration.ofMillis(300));
            second.send(GET);
            assertThrows(SocketTimeoutException.class, second::readResponse, "served beyond the limit");
        }
        try (RawClient served = second.timeout(Duration.ofSeconds(5))) {
            assertEquals(200, served.readResponse().status());
        }
    }

    private static long loopCpuNanos() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long total = 0;
        for (ThreadInfo info : threads.dumpAllThreads(false, false)) {
            if (info.getThreadName().startsWith("sluice-loop-")) {
                total += threads.getThreadCpuTime(info.getThreadId());
            }
        }
        return total;
    }
}
