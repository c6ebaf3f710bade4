package dev.sluice.internal.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.ProxyServer;
import dev.sluice.testing.RawClient;
import dev.sluice.testing.ScriptedUpstream;
import dev.sluice.testing.ScriptedUpstream.Response;
import dev.sluice.testing.Upstreams;
import dev.sluice.upstream.UpstreamGroup;
import java.io.IOException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link ProxyServer#shutdown(Duration)} as nginx's {@code quit}: stop accepting, close idle client connections and
 * pooled upstream connections at once, let exchanges in flight finish within the grace period, then release every
 * socket and end the loop threads.
 */
class GracefulShutdownTest {

    private static final String SLOW_BODY = "s".repeat(64 * 1024);

    @RegisterExtension
    final Upstreams upstreams = new Upstreams();

    @Test
    void anExchangeInFlightFinishesWhileIdleConnectionsCloseAndNewOnesAreRefused() throws Exception {
        ScriptedUpstream up = upstreams.scripted();
        up.enqueue(Response.builder().body(SLOW_BODY).delayHead(Duration.ofMillis(1000)));
        ProxyServer proxy = proxy(up);
        // the slow exchange holds upstream connection 0; a quick one opens connection 1, which is then pooled
        RawClient slow = upstreams.rawClient(proxy.port());
        slow.send(RawClient.get("/slow"));
        assertTrue(Exchanges.await(() -> up.requestCount() == 1, 2000));
        RawClient idle = upstreams.rawClient(proxy.port());
        assertEquals(200, idle.send(RawClient.get("/quick")).readResponse().status());
        assertEquals(2, up.openConnections());

        CompletableFuture<Boolean> shutdown = CompletableFuture.supplyAsync(() -> proxy.shutdown(Duration.ofSeconds(5)));

        // at once: well before the slow response, due 1 s after its request
        assertEquals(RawClient.End.EOF, idle.readUntilClose(Duration.ofMillis(500)).end(), "the idle client is closed");
        assertTrue(Exchanges.await(() -> up.openConnections() == 1, 500), "the pooled upstream connection is closed");
        assertTrue(Exchanges.await(() -> refused(proxy.port()), 500), "new connections are refused");
        assertFalse(shutdown.isDone(), "the slow exchange is still in flight");

        RawClient.Reply reply = slow.readResponse();
        assertEquals(200, reply.status());
        assertEquals(SLOW_BODY, reply.bodyString(), "the whole response reached the client");
        assertTrue(shutdown.get(5, TimeUnit.SECONDS), "finished within the grace period");
        assertEquals(RawClient.End.EOF, slow.readUntilClose(Duration.ofSeconds(2)).end());
        assertTrue(Exchanges.await(() -> up.openConnections() == 0, 2000), "the upstream connection was not pooled");
        assertTrue(ProxyInternals.loopsTerminated(proxy));
    }

    @Test
    void aRequestHeadBegunBeforeTheShutdownIsServedAndItsConnectionClosed() throws Exception {
        ScriptedUpstream up = upstreams.scripted();
        ProxyServer proxy = proxy(up);
        RawClient client = upstreams.rawClient(proxy.port());
        client.send("GET /begun HTTP/1.1\r\nHost: x\r\n");
        Thread.sleep(100);

        CompletableFuture<Boolean> shutdown = CompletableFuture.supplyAsync(() -> proxy.shutdown(Duration.ofSeconds(5)));
        assertTrue(Exchanges.await(() -> refused(proxy.port()), 2000));
        client.send("\r\n");

        RawClient.Reply reply = client.readResponse();
        assertEquals(200, reply.status());
        assertEquals("close", reply.header("Connection"), "no keep-alive while shutting down");
        assertTrue(shutdown.get(5, TimeUnit.SECONDS));
        assertTrue(ProxyInternals.loopsTerminated(proxy));
    }

    @Test
    void aGraceTooShortCutsTheExchangeClosesEverythingAndSaysSo() throws Exception {
        ScriptedUpstream up = upstreams.scripted();
        up.enqueue(Response.builder().stallForever());
        UpstreamGroup group = UpstreamGroup.builder("backend").server(up.address()).build();
        ProxyServer proxy = upstreams.manage(ProxyServer.builder().listen("127.0.0.1:0").workers(1)
                .route("/", r -> r.upstream(group)).start());
        RawClient slow = upstreams.rawClient(proxy.port());
        slow.send(RawClient.get("/slow"));
        assertNotNull(up.takeRequest(Duration.ofSeconds(2)));

        long start = System.nanoTime();
        assertFalse(proxy.shutdown(Duration.ofMillis(300)));
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(4), "it did not wait for the upstream");

        assertTrue(ProxyInternals.loopsTerminated(proxy));
        RawClient.Received rest = slow.readUntilClose(Duration.ofSeconds(2));
        assertNotEquals(RawClient.End.TIMEOUT, rest.end(), "the client connection is closed");
        assertEquals("", rest.string(), "our own shutdown is not the upstream's failure: no 502");
        assertTrue(Exchanges.await(() -> up.openConnections() == 0, 2000), "the upstream connection is closed");
        assertEquals(0, group.peers().get(0).failures(), "nor is it counted against the peer");
        assertTrue(refused(proxy.port()));
    }

    @Test
    void aShutdownWithNothingInFlightClosesPooledConnectionsAndReturnsTrue() throws Exception {
        ScriptedUpstream up = upstreams.scripted();
        ProxyServer proxy = proxy(up);
        try (RawClient client = RawClient.connect(proxy.port())) {
            assertEquals(200, client.send(RawClient.get("/")).readResponse().status());
        }
        assertEquals(1, up.openConnections());
        assertTrue(proxy.shutdown(Duration.ofSeconds(5)));
        assertTrue(Exchanges.await(() -> up.openConnections() == 0, 2000));
        assertTrue(ProxyInternals.loopsTerminated(proxy));
    }

    private ProxyServer proxy(ScriptedUpstream up) throws IOException {
        UpstreamGroup group = UpstreamGroup.builder("backend").server(up.address()).build();
        return upstreams.manage(ProxyServer.builder().listen("127.0.0.1:0").workers(1)
                .route("/", r -> r.upstream(group)).start());
    }

    private static boolean refused(int port) {
        try (RawClient ignored = RawClient.connect(port)) {
            return false;
        } catch (ConnectException e) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
