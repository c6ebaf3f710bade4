package dev.sluice.internal.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.ProxyServer;
import dev.sluice.Route;
import dev.sluice.testing.MemoryNetwork;
import dev.sluice.testing.RawClient;
import dev.sluice.testing.RawClient.End;
import dev.sluice.testing.ScriptedUpstream;
import dev.sluice.testing.ScriptedUpstream.Response;
import dev.sluice.testing.Upstreams;
import dev.sluice.upstream.PeerState;
import dev.sluice.upstream.UpstreamGroup;
import java.io.IOException;
import java.time.Duration;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Whole exchanges over an in-memory network with a manual clock: timeouts fire when the test moves the clock, and
 * the retry rules meet their faults in a known order, so nothing here sleeps or depends on the machine's speed.
 */
class InMemoryExchangeTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    @RegisterExtension
    final Upstreams upstreams = Upstreams.inMemory();
    private final MemoryNetwork network = upstreams.network();

    // ---------------------------------------------------------------- timeouts

    @Test
    void aPeerSilentForProxyReadTimeoutGets504WhenTheClockPassesIt() throws Exception {
        ScriptedUpstream peer = upstreams.scripted();
        peer.enqueue(Response.builder().stallForever());
        RawClient client = proxyAndClient(group(peer), route -> route.readTimeout(Duration.ofSeconds(60)));

        client.send(RawClient.get("/"));
        assertNotNull(peer.takeRequest(WAIT));
        network.advance(Duration.ofSeconds(59));
        network.advance(Duration.ofSeconds(2));

        assertEquals(504, client.readResponse().status());
    }

    @Test
    void aConnectThatNeverCompletesMovesToTheNextPeerAfterProxyConnectTimeout() throws Exception {
        network.blackHole("10.0.0.1:80");
        ScriptedUpstream second = upstreams.scripted();
        UpstreamGroup group = UpstreamGroup.builder("backend").ticker(network.ticker())
                .server("10.0.0.1:80").server(second.address()).build();
        RawClient client = proxyAndClient(group, route -> route.connectTimeout(Duration.ofSeconds(5)));

        client.send(RawClient.get("/"));
        network.advance(Duration.ofSeconds(6));

        assertEquals(200, client.readResponse().status());
        assertEquals(1, second.requestCount());
        assertEquals(1, group.peers().get(0).fails());
    }

    @Test
    void aClientThatStopsHalfwayThroughItsHeadGets408AfterClientHeaderTimeout() throws Exception {
        RawClient client = proxyAndClient(group(upstreams.scripted()), route -> { });

        client.send("GET / HTTP/1.1\r\nHost: a\r\n");
        network.advance(Duration.ofSeconds(61));

        assertEquals(408, client.readResponse().status());
    }

    @Test
    void anIdleKeptAliveClientIsClosedAfterKeepaliveTimeout() throws Exception {
        RawClient client = proxyAndClient(group(upstreams.scripted()), route -> { });
        client.send(RawClient.get("/"));
        assertEquals(200, client.readResponse().status());

        network.advance(Duration.ofSeconds(76));

        assertEquals(End.EOF, client.readUntilClose(WAIT).end());
    }

    // ---------------------------------------------------------------- retries and the stale-connection rule

    @Test
    void aGetOnAPooledConnectionThePeerClosedGoesAgainOnAFreshConnectionWithoutBlame() throws Exception {
        ScriptedUpstream peer = upstreams.scripted();
        peer.enqueue(Response.builder().body("first"));
        peer.enqueue(Response.builder().noResponse()); // reads the request, closes with a FIN
        peer.enqueue(Response.builder().body("again"));
        UpstreamGroup group = group(peer);
        RawClient client = proxyAndClient(group, route -> { });

        client.send(RawClient.get("/1"));
        assertEquals("first", client.readResponse().bodyString());
        client.send(RawClient.get("/2"));

        assertEquals("again", client.readResponse().bodyString());
        assertEquals(2, peer.connectionsAccepted());
        assertEquals(0, group.peers().get(0).fails());
    }

    @Test
    void aPostOnAPooledConnectionThePeerClosedIsNotSentAgainAndTheTryIsNotBlamed() throws Exception {
        ScriptedUpstream peer = upstreams.scripted();
        peer.enqueue(Response.builder().body("first"));
        peer.enqueue(Response.builder().noResponse());
        UpstreamGroup group = group(peer);
        RawClient client = proxyAndClient(group, route -> { });

        client.send(RawClient.get("/1"));
        assertEquals(200, client.readResponse().status());
        client.send("POST /2 HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nhi");

        assertEquals(502, client.readResponse().status());
        assertEquals(2, peer.requestCount());
        assertEquals(0, group.peers().get(0).fails());
    }

    @Test
    void aPeerThatFailedIsSkippedForFailTimeoutAndTriedAgainOnceTheClockPassesIt() throws Exception {
        ScriptedUpstream first = upstreams.scripted();
        ScriptedUpstream second = upstreams.scripted();
        first.enqueue(Response.builder().resetOnRequest());
        UpstreamGroup group = UpstreamGroup.builder("backend").ticker(network.ticker())
                .server(first.address()).server(second.address()).build();
        RawClient client = proxyAndClient(group, route -> { });

        for (int i = 0; i < 4; i++) {
            client.send(RawClient.get("/" + i));
            assertEquals(200, client.readResponse().status());
        }
        assertEquals(1, first.requestCount()); // reset once, then unavailable for fail_timeout (10 s)
        PeerState failed = group.peers().get(0);
        assertTrue(failed.unavailableFor().compareTo(Duration.ofSeconds(11)) <= 0 && !failed.unavailableFor().isZero());

        network.advance(Duration.ofSeconds(11));
        assertEquals(Duration.ZERO, failed.unavailableFor());
        for (int i = 0; i < 4 && first.requestCount() < 2; i++) { // its weight comes back step by step, as nginx's
            client.send(RawClient.get("/after" + i));
            assertEquals(200, client.readResponse().status());
        }
        assertEquals(2, first.requestCount());
    }

    // ---------------------------------------------------------------- pipelining

    @Test
    void pipelinedRequestsAreAnsweredInOrderOnOneConnection() throws Exception {
        ScriptedUpstream peer = upstreams.scripted();
        peer.respondWith(request -> Response.ok(request.target()));
        RawClient client = proxyAndClient(group(peer), route -> { });

        client.send(RawClient.get("/a") + RawClient.get("/b") + RawClient.get("/c"));

        assertEquals("/a", client.readResponse().bodyString());
        assertEquals("/b", client.readResponse().bodyString());
        assertEquals("/c", client.readResponse().bodyString());
    }

    // ---------------------------------------------------------------- fixture

    private UpstreamGroup group(ScriptedUpstream peer) {
        return UpstreamGroup.builder("backend").ticker(network.ticker()).server(peer.address()).build();
    }

    private RawClient proxyAndClient(UpstreamGroup group, Consumer<Route.Builder> options) throws IOException {
        ProxyServer proxy = upstreams.proxy(p -> p.route("/", route -> options.accept(route.upstream(group))));
        return upstreams.rawClient(proxy.port());
    }
}
