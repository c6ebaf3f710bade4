package dev.sluice.internal.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.ProxyServer;
import dev.sluice.Route;
import dev.sluice.internal.pool.KeepalivePool;
import dev.sluice.testing.RawClient;
import dev.sluice.testing.RecordedRequest;
import dev.sluice.testing.ScriptedUpstream;
import dev.sluice.testing.ScriptedUpstream.Response;
import dev.sluice.testing.Upstreams;
import dev.sluice.upstream.Keepalive;
import dev.sluice.upstream.UpstreamGroup;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The upstream keepalive pool seen through a running proxy, with nginx's semantics (nginx-upstream-notes §9):
 * reuse, {@code keepalive N} (idle connections per loop, least recently used closed beyond N),
 * {@code keepalive_requests}, {@code keepalive_time}, {@code keepalive_timeout}, {@code keepalive 0}, and the
 * responses whose connection must never be pooled. Which connection carried a request is read from the upstream:
 * {@link RecordedRequest#connectionSequence()} numbers its accepted connections.
 */
class UpstreamKeepaliveTest {

    @RegisterExtension
    final Upstreams upstreams = new Upstreams();

    private final Exchanges exchanges = new Exchanges();

    @Test
    void sequentialRequestsReuseOneUpstreamConnection() throws Exception {
        ScriptedUpstream up = upstreams.scripted();
        ProxyServer proxy = proxy(group(up, k -> { }), r -> { });
        for (int client = 0; client < 3; client++) {
            try (RawClient c = RawClient.connect(proxy.port())) {
                for (int i = 0; i < 2; i++) {
                    assertEquals(200, c.send(RawClient.get("/" + client + "/" + i)).readResponse().status());
                }
            }
        }
        assertEquals(1, up.connectionsAccepted(), "the pool is per loop, not per client connection");
        assertEquals(6, up.requestCount());
        assertTrue(Exchanges.await(() -> exchanges.attempts.size() == 6, 2000));
        assertFalse(exchanges.attempts.get(0).reusedConnection());
        assertTrue(exchanges.attempts.stream().skip(1).allMatch(a -> a.reusedConnection()), exchanges.attempts::toString);
    }

    @Test
    void keepaliveNKeepsNIdleConnectionsAndClosesTheLeastRecentlyUsed() throws Exception {
        ScriptedUpstream up = upstreams.scripted();
        UpstreamGroup group = group(up, k -> k.idle(1));
        ProxyServer proxy = proxy(group, r -> { });
        // two exchanges at once need two connections; the one that finishes first (B, connection 1) is released
        // first, so when A's connection 0 comes back the pool, full at one idle connection, closes connection 1
        up.enqueue(Response.builder().body("a").delayHead(Duration.ofMillis(300)));
        up.enqueue(Response.builder().body("b"));
        RawClient a = upstreams.rawClient(proxy.port());
        RawClient b = upstreams.rawClient(proxy.port());
        a.send(RawClient.get("/a"));
        assertTrue(Exchanges.await(() -> up.requestCount() == 1, 2000));
        b.send(RawClient.get("/b"));
        assertEquals("b", b.readResponse().bodyString());
        assertEquals("a", a.readResponse().bodyString());
        assertEquals(2, up.connectionsAccepted());
        assertTrue(Exchanges.await(() -> up.openConnections() == 1, 2000), "keepalive 1 closes the surplus idle connection");

        assertEquals(200, b.send(RawClient.get("/c")).readResponse().status());
        RecordedRequest third = up.requests().get(2);
        assertEquals(0, third.connectionSequence(), "the most recently released connection survived");
        assertEquals(2, up.connectionsAccepted());
        assertEquals(1, ProxyInternals.pool(proxy, group).evictions());
    }

    @Test
    void byDefaultThePoolKeepsAsManyIdleConnectionsAsWereInUseAtOnce() throws Exception {
        UpstreamGroup group = concurrentRequests(40, k -> { });
        assertEquals(40, idleAfterResponses(group));
        assertEquals(0, ProxyInternals.pool(lastProxy, group).evictions());
    }

    @Test
    void aFixedKeepaliveNClosesWhatIsIdleBeyondNAsNginxDoes() throws Exception {
        UpstreamGroup group = concurrentRequests(40, k -> k.idle(32));
        assertEquals(32, idleAfterResponses(group));
        assertEquals(8, ProxyInternals.pool(lastProxy, group).evictions());
    }

    @Test
    void keepaliveRequestsClosesAConnectionAfterThatManyRequests() throws Exception {
        ScriptedUpstream up = upstreams.scripted();
        ProxyServer proxy = proxy(group(up, k -> k.maxRequests(2)), r -> { });
        RawClient client = upstreams.rawClient(proxy.port());
        for (int i = 0; i < 5; i++) {
            assertEquals(200, client.send(RawClient.get("/" + i)).readResponse().status());
        }
        assertEquals(List.of(0, 0, 1, 1, 2), connections(up));
    }

    @Test
    void keepaliveTimeStopsReusingAConnectionOpenedTooLongAgo() throws Exception {
        ScriptedUpstream up = upstreams.scripted();
        ProxyServer proxy = proxy(group(up, k -> k.maxLifetime(Duration.ofMillis(300))), r -> { });
        RawClient client = upstreams.rawClient(proxy.port());
        assertEquals(200, client.send(RawClient.get("/0")).readResponse().status());
        Thread.sleep(400);
        // as nginx: keepalive_time is checked when a connection is given back, not when it is taken
        assertEquals(200, client.send(RawClient.get("/1")).readResponse().status());
        assertEquals(200, client.send(RawClient.get("/2")).readResponse().status());
        assertEquals(List.of(0, 0, 1), connections(up));
    }

    @Test
    void keepaliveTimeoutClosesIdlePooledConnections() throws Exception {
        ScriptedUpstream up = upstreams.scripted();
        UpstreamGroup group = group(up, k -> k.idleTimeout(Duration.ofMillis(300)));
        ProxyServer proxy = proxy(group, r -> { });
        RawClient client = upstreams.rawClient(proxy.port());
        assertEquals(200, client.send(RawClient.get("/0")).readResponse().status());
        assertEquals(200, client.send(RawClient.get("/1")).readResponse().status());
        assertEquals(1, up.openConnections(), "pooled while younger than keepalive_timeout");
        assertTrue(Exchanges.await(() -> up.openConnections() == 0, 3000), "the proxy closed the idle connection");
        assertEquals(1, ProxyInternals.pool(proxy, group).expired());
        assertEquals(200, client.send(RawClient.get("/2")).readResponse().status());
        assertEquals(List.of(0, 0, 1), connections(up));
    }

    @Test
    void keepaliveZeroOpensOneConnectionPerRequest() throws Exception {
        ScriptedUpstream up = upstreams.scripted();
        ProxyServer proxy = proxy(group(up, k -> k.idle(0)), r -> { });
        RawClient client = upstreams.rawClient(proxy.port());
        for (int i = 0; i < 3; i++) {
            assertEquals(200, client.send(RawClient.get("/" + i)).readResponse().status());
        }
        assertEquals(List.of(0, 1, 2), connections(up));
        assertTrue(Exchanges.await(() -> up.openConnections() == 0, 2000), "no connection is left open");
    }

    @Test
    void aResponseWithConnectionCloseIsNotPooled() throws Exception {
        // the upstream says close but keeps the socket open: only the proxy's rule keeps it from being reused
        assertNotPooledAfter(Response.builder().rawResponse("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: Close\r\n\r\nok"));
    }

    @Test
    void aResponseThatSaysCloseTeachesThePeersRequestLimitAndConnectionsStillCarryThatMany() throws Exception {
        // nginx's keepalive_requests, Tomcat's maxKeepAliveRequests: the last response a connection may carry
        // says Connection: close
        ScriptedUpstream up = upstreams.scripted().respondWith(request -> request.requestIndex() == 2
                ? Response.builder().body("last").closeAfterResponse().build()
                : Response.ok("ok"));
        UpstreamGroup group = group(up, k -> { });
        ProxyServer proxy = proxy(group, r -> { });
        RawClient client = upstreams.rawClient(proxy.port());
        for (int i = 0; i < 9; i++) {
            assertEquals(200, client.send(RawClient.get("/" + i)).readResponse().status());
        }
        assertEquals(List.of(0, 0, 0, 1, 1, 1, 2, 2, 2), connections(up));
        KeepalivePool pool = ProxyInternals.pool(proxy, group);
        assertEquals(3, pool.peerLimits(up.socketAddress()).requestLimit());
        assertEquals(0, pool.closedByPeerWhileIdle());
    }

    @Test
    void anHttp10ResponseIsNotPooled() throws Exception {
        assertNotPooledAfter(Response.builder().rawResponse("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok"));
    }

    @Test
    void aCloseDelimitedResponseIsNotPooledAndTeachesNoLimit() throws Exception {
        ScriptedUpstream up = upstreams.scripted();
        UpstreamGroup group = group(up, k -> { });
        ProxyServer proxy = proxy(group, r -> { });
        up.enqueue(Response.builder().body("until close").bodyUntilClose());
        RawClient first = upstreams.rawClient(proxy.port());
        RawClient.Reply reply = first.send(RawClient.get("/0")).readResponse();
        assertEquals("until close", reply.bodyString());
        RawClient client = upstreams.rawClient(proxy.port());
        for (int i = 1; i < 4; i++) {
            assertEquals(200, client.send(RawClient.get("/" + i)).readResponse().status());
        }
        // had the closed connection been pooled, its end of stream would have looked like a peer that closes after
        // one request, and the pool would have stopped keeping connections to it
        assertEquals(List.of(0, 1, 1, 1), connections(up));
        KeepalivePool pool = ProxyInternals.pool(proxy, group);
        assertEquals(0, pool.closedByPeerWhileIdle());
    }

    @Test
    void anInterceptedErrorWithABodyClosesTheConnectionAndOneWithoutKeepsIt() throws Exception {
        ScriptedUpstream up = upstreams.scripted();
        ProxyServer proxy = proxy(group(up, k -> { }), r -> r.interceptErrors(true).errorPage(500, "our page"));
        up.enqueue(Response.builder().status(500).body("the upstream's page"));
        up.enqueue(Response.builder().status(500));
        RawClient client = upstreams.rawClient(proxy.port());
        RawClient.Reply intercepted = client.send(RawClient.get("/0")).readResponse();
        assertEquals(500, intercepted.status());
        assertEquals("our page", intercepted.bodyString());
        assertEquals("our page", client.send(RawClient.get("/1")).readResponse().bodyString());
        assertEquals(200, client.send(RawClient.get("/2")).readResponse().status());
        // the unread body closed connection 0; the empty one left connection 1 reusable, as nginx
        assertEquals(List.of(0, 1, 1), connections(up));
    }

    @Test
    void aClientThatAbortsMidBodyClosesTheUpstreamConnection() throws Exception {
        ScriptedUpstream up = upstreams.scripted();
        UpstreamGroup group = group(up, k -> { });
        ProxyServer proxy = proxy(group, r -> { });
        up.enqueue(Response.builder().body("x".repeat(64 * 1024)).throttleBody(1024, Duration.ofMillis(20)));
        try (RawClient aborting = RawClient.connect(proxy.port())) {
            aborting.send(RawClient.get("/big"));
            assertTrue(Exchanges.await(() -> up.requestCount() == 1, 2000));
            Thread.sleep(100);
        }
        assertTrue(Exchanges.await(() -> up.openConnections() == 0, 3000), "the half-read connection was closed");
        assertEquals(0, ProxyInternals.pool(proxy, group).closedByPeerWhileIdle(), "closed at once, never pooled");
        RawClient client = upstreams.rawClient(proxy.port());
        RawClient.Reply next = client.send(RawClient.get("/next")).readResponse();
        assertEquals("ok", next.bodyString());
        assertEquals(List.of(0, 1), connections(up));
        assertTrue(Exchanges.await(() -> exchanges.exchanges.size() == 2, 2000));
        assertEquals(499, exchanges.exchanges.get(0).status());
    }

    @Test
    void anIdlePooledConnectionTheUpstreamClosesIsDroppedAndTheNextRequestOpensAFreshOne() throws Exception {
        ScriptedUpstream up = upstreams.scripted();
        UpstreamGroup group = group(up, k -> { });
        ProxyServer proxy = proxy(group, r -> { });
        up.enqueue(Response.builder().body("first").closeAfterResponse().header("Connection", "keep-alive"));
        RawClient client = upstreams.rawClient(proxy.port());
        assertEquals("first", client.send(RawClient.get("/0")).readResponse().bodyString());
        KeepalivePool pool = ProxyInternals.pool(proxy, group);
        assertTrue(Exchanges.await(() -> pool.closedByPeerWhileIdle() == 1, 2000), "the idle watch saw the close");
        assertEquals(0, pool.idleCount());
        for (String method : List.of("GET", "POST")) {
            RawClient.Reply reply = client.send(method + " /1 HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n").readResponse();
            assertEquals(200, reply.status());
        }
        // a close right after a response also teaches the pool that this peer serves one request a connection,
        // so neither request is tried on a pooled connection
        assertEquals(List.of(0, 1, 2), connections(up));
        assertEquals(1, pool.peerLimits(up.socketAddress()).requestLimit());
        assertTrue(Exchanges.await(() -> exchanges.exchanges.size() == 3, 2000));
        assertEquals(List.of("200", "200", "200"), exchanges.upstreamStatuses(), "no failed attempt on the way");
        assertEquals(0, group.peers().get(0).failures());
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private ProxyServer lastProxy;

    /** Sends {@code n} requests at once through a fresh proxy, each held 300 ms by the upstream, and reads them all. */
    private UpstreamGroup concurrentRequests(int n, Consumer<Keepalive.Builder> keepalive) throws Exception {
        ScriptedUpstream up = upstreams.scripted()
                .defaultResponse(Response.builder().body("x").delayHead(Duration.ofMillis(300)).build());
        UpstreamGroup group = group(up, keepalive);
        lastProxy = proxy(group, r -> { });
        List<RawClient> clients = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            clients.add(upstreams.rawClient(lastProxy.port()).send(RawClient.get("/" + i)));
        }
        for (RawClient client : clients) {
            assertEquals(200, client.readResponse().status());
        }
        assertEquals(n, up.connectionsAccepted(), "every request was in flight at once");
        return group;
    }

    private int idleAfterResponses(UpstreamGroup group) throws Exception {
        assertTrue(Exchanges.await(() -> ProxyInternals.onLoop(lastProxy, l -> l.pool(group).inUse()) == 0, 2000));
        return ProxyInternals.onLoop(lastProxy, l -> l.pool(group).idleCount());
    }

    private void assertNotPooledAfter(Response.Builder response) throws Exception {
        ScriptedUpstream up = upstreams.scripted();
        UpstreamGroup group = group(up, k -> { });
        ProxyServer proxy = proxy(group, r -> { });
        up.enqueue(response);
        RawClient client = upstreams.rawClient(proxy.port());
        assertEquals(200, client.send(RawClient.get("/0")).readResponse().status());
        assertEquals(200, client.send(RawClient.get("/1")).readResponse().status());
        assertEquals(200, client.send(RawClient.get("/2")).readResponse().status());
        assertEquals(List.of(0, 1, 1), connections(up));
        assertTrue(Exchanges.await(() -> up.openConnections() == 1, 2000), "the first connection was closed by the proxy");
    }

    private static List<Integer> connections(ScriptedUpstream up) {
        return up.requests().stream().map(RecordedRequest::connectionSequence).toList();
    }

    private static UpstreamGroup group(ScriptedUpstream up, Consumer<Keepalive.Builder> keepalive) {
        return UpstreamGroup.builder("backend").server(up.address()).keepalive(keepalive).build();
    }

    private ProxyServer proxy(UpstreamGroup group, Consumer<Route.Builder> route) throws IOException {
        return upstreams.manage(ProxyServer.builder().listen("127.0.0.1:0").workers(1).listener(exchanges)
                .route("/", r -> route.accept(r.upstream(group))).start());
    }
}
