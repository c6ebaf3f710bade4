package dev.sluice.internal.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.ProxyServer;
import dev.sluice.internal.net.ConnectionBudget;
import dev.sluice.testing.RawClient;
import dev.sluice.testing.ScriptedUpstream;
import dev.sluice.testing.Upstreams;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code worker_connections} and a global maximum: a connection beyond the limit is not accepted but waits in the
 * listen backlog, served once another closes; meanwhile the proxy does not spin on the pending accept. Connections
 * that wait for a request (idle keep-alive, or silent since they connected) make room instead, as nginx reuses them.
 */
class WorkerConnectionsTest {

    private static final String GET = "GET /x HTTP/1.1\r\nHost: h\r\n\r\n";
    /** The start of a request: a connection that sent it is busy, not one the proxy may close to make room. */
    private static final String PART_OF_A_HEAD = "GET /x HTTP/1.1\r\n";

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
    void anIdleKeepAliveConnectionMakesRoomForANewOneAtTheLimit() throws Exception {
        ProxyServer proxy = start(b -> b.workerConnections(1));
        try (RawClient idle = RawClient.connect(proxy.port()).timeout(Duration.ofSeconds(5))) {
            assertEquals(200, idle.send(GET).readResponse().status());
            try (RawClient next = RawClient.connect(proxy.port()).timeout(Duration.ofSeconds(5))) {
                next.send(GET);

                assertEquals(200, next.readResponse().status());
                assertEquals(RawClient.End.EOF, idle.readUntilClose(Duration.ofSeconds(5)).end());
            }
        }
    }

    @Test
    void aSilentConnectionMakesRoomForANewOneAtTheLimit() throws Exception {
        ProxyServer proxy = start(b -> b.maxConnections(1));
        try (RawClient silent = RawClient.connect(proxy.port()).timeout(Duration.ofSeconds(5))) {
            awaitOpen(proxy, 1);
            try (RawClient next = RawClient.connect(proxy.port()).timeout(Duration.ofSeconds(5))) {
                next.send(GET);

                assertEquals(200, next.readResponse().status());
                assertEquals(RawClient.End.EOF, silent.readUntilClose(Duration.ofSeconds(5)).end());
            }
        }
    }

    @Test
    void aLoopAtItsLimitDoesNotSpinOnThePendingConnection() throws Exception {
        ProxyServer proxy = start(b -> b.workerConnections(1));
        try (RawClient first = RawClient.connect(proxy.port()); RawClient second = RawClient.connect(proxy.port())) {
            first.send(PART_OF_A_HEAD);
            second.send(GET);
            long before = ProxyInternals.loopCpuNanos();
            Thread.sleep(300);
            long spent = ProxyInternals.loopCpuNanos() - before;
            assertTrue(spent < Duration.ofMillis(100).toNanos(),
                    "the loop used " + spent / 1_000_000 + " ms of CPU in 300 ms while a connection waited");
        }
    }

    private static void assertWaitsForTheFirstToClose(ProxyServer proxy) throws Exception {
        RawClient second;
        try (RawClient first = RawClient.connect(proxy.port())) {
            first.send(PART_OF_A_HEAD);
            awaitOpen(proxy, 1);
            second = RawClient.connect(proxy.port()).timeout(Duration.ofMillis(300));
            second.send(GET);
            assertThrows(SocketTimeoutException.class, second::readResponse, "served beyond the limit");
        }
        try (RawClient served = second.timeout(Duration.ofSeconds(5))) {
            assertEquals(200, served.readResponse().status());
        }
    }

    private static void awaitOpen(ProxyServer proxy, int connections) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        ConnectionBudget budget = ProxyInternals.engine(proxy).loops.connections();
        while (budget.open() < connections && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(connections, budget.open(), "connections the proxy accepted");
    }

}
