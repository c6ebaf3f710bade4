package dev.sluice.internal.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.ProxyServer;
import dev.sluice.observe.UpstreamStatus;
import dev.sluice.testing.MemoryNetwork;
import dev.sluice.testing.RawClient;
import dev.sluice.testing.ScriptedUpstream;
import dev.sluice.testing.ScriptedUpstream.Response;
import dev.sluice.testing.Upstreams;
import dev.sluice.upstream.UpstreamGroup;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * NGINX Plus's {@code queue N timeout=T} through the proxy, on the in-memory network and its manual clock: a request
 * that finds every peer busy waits for one instead of failing, in line, for at most T; a full line and a wait past
 * T answer 502.
 */
class QueueTest {

    /** A read that only checks that no answer came: the network has settled, so nothing is on its way. */
    private static final Duration NOW = Duration.ofMillis(1);
    private static final Duration WAIT = Duration.ofSeconds(5);

    @RegisterExtension
    final Upstreams upstreams = Upstreams.inMemory();
    private final MemoryNetwork network = upstreams.network();
    private final ScriptedUpstream peer = upstreams.scripted();

    /** One peer that takes one request at a time; the first request it gets never answers. */
    private UpstreamGroup oneAtATime(UnaryOperator<UpstreamGroup.Builder> queue) {
        peer.enqueue(Response.builder().stallForever());
        peer.defaultResponse(Response.ok("served"));
        return queue.apply(UpstreamGroup.builder("backend").ticker(network.ticker())
                .server(peer.address(), s -> s.maxConns(1))).build();
    }

    private int proxy(UpstreamGroup group) throws IOException {
        ProxyServer proxy = upstreams.proxy(p -> p.route("/", r -> r.upstream(group).readTimeout(Duration.ofSeconds(5))));
        return proxy.port();
    }

    private RawClient busy(int port) throws Exception {
        RawClient client = upstreams.rawClient(port);
        client.send(RawClient.get("/stalls"));
        assertNotNull(peer.takeRequest(WAIT));
        return client;
    }

    private static void assertNoAnswerYet(RawClient client) throws IOException {
        assertEquals(RawClient.End.TIMEOUT, client.readUntilClose(NOW).end());
    }

    @Test
    void withoutAQueueARequestThatFindsThePeerBusyGets502AtOnce() throws Exception {
        int port = proxy(oneAtATime(b -> b));
        busy(port);

        RawClient second = upstreams.rawClient(port).send(RawClient.get("/second"));

        assertEquals(502, second.readResponse().status());
    }

    @Test
    void aRequestThatFindsThePeerBusyWaitsAndIsSentWhenThePeerIsFree() throws Exception {
        int port = proxy(oneAtATime(b -> b.queue(10, Duration.ofSeconds(30))));
        RawClient first = busy(port);

        RawClient second = upstreams.rawClient(port).send(RawClient.get("/second"));
        network.settle(WAIT);
        assertNoAnswerYet(second);
        network.advance(Duration.ofSeconds(6)); // the first request's proxy_read_timeout frees the peer

        assertEquals(504, first.readResponse().status());
        RawClient.Reply reply = second.readResponse();
        assertEquals(200, reply.status());
        assertEquals("served", reply.bodyString());
        assertEquals("/second", peer.takeRequest(WAIT).target());
    }

    @Test
    void aRequestStillWaitingAtTheQueueTimeoutGets502() throws Exception {
        UpstreamGroup group = oneAtATime(b -> b.queue(10, Duration.ofSeconds(3)));
        int port = proxy(group);
        busy(port);

        RawClient second = upstreams.rawClient(port).send(RawClient.get("/second"));
        network.advance(Duration.ofSeconds(2));
        assertNoAnswerYet(second);
        network.advance(Duration.ofSeconds(2));

        assertEquals(502, second.readResponse().status());
        assertEquals(0, group.queueStatus().orElseThrow().size());
        assertEquals(1, peer.requestCount(), "the waiting request never reached the peer");
    }

    @Test
    void aFullQueueAnswers502AtOnceAndTheStatusDocumentCountsTheOverflow() throws Exception {
        UpstreamGroup group = oneAtATime(b -> b.queue(1, Duration.ofSeconds(30)));
        int port = proxy(group);
        busy(port);
        RawClient waiting = upstreams.rawClient(port).send(RawClient.get("/waits"));
        network.settle(WAIT);

        RawClient refused = upstreams.rawClient(port).send(RawClient.get("/refused"));

        assertEquals(502, refused.readResponse().status());
        assertNoAnswerYet(waiting);
        String json = UpstreamStatus.of(List.of(group)).json();
        assertTrue(json.contains("\"queue\":{\"size\":1,\"max_size\":1,\"overflows\":1}"), json);
    }

    @Test
    void aClientThatLeavesWhileWaitingGivesUpItsPlaceAtOnce() throws Exception {
        UpstreamGroup group = oneAtATime(b -> b.queue(1, Duration.ofSeconds(30)));
        int port = proxy(group);
        busy(port);
        RawClient leaving = upstreams.rawClient(port).send(RawClient.get("/leaves"));
        network.settle(WAIT);
        assertEquals(1, group.queueStatus().orElseThrow().size());

        leaving.close();
        network.settle(WAIT);

        assertEquals(0, group.queueStatus().orElseThrow().size());
        RawClient next = upstreams.rawClient(port).send(RawClient.get("/next"));
        network.settle(WAIT);
        assertNoAnswerYet(next); // it waits in the place the other left, instead of a 502 for a full queue
        assertEquals(0, group.queueStatus().orElseThrow().overflows());
    }

    @Test
    void aWaitingRequestGoesWhenAPeerComesBackUp() throws Exception {
        UpstreamGroup group = UpstreamGroup.builder("backend").ticker(network.ticker()).queue(10)
                .server(peer.address()).build();
        peer.defaultResponse(Response.ok("served"));
        group.peers().get(0).setDown(true);
        int port = proxy(group);

        RawClient client = upstreams.rawClient(port).send(RawClient.get("/"));
        network.settle(WAIT);
        assertNoAnswerYet(client);
        group.peers().get(0).setDown(false);

        assertEquals(200, client.readResponse().status());
    }

    @Test
    void aWaitingRequestGoesWhenAFailedPeersFailTimeoutEnds() throws Exception {
        ScriptedUpstream other = upstreams.scripted();
        peer.enqueue(Response.builder().resetOnRequest());
        other.enqueue(Response.builder().resetOnRequest());
        peer.defaultResponse(Response.ok("served"));
        other.defaultResponse(Response.ok("served"));
        UpstreamGroup group = UpstreamGroup.builder("backend").ticker(network.ticker()).queue(10)
                .server(peer.address()).server(other.address()).build();
        int port = proxy(group);
        RawClient client = upstreams.rawClient(port);
        assertEquals(502, client.send(RawClient.get("/fails")).readResponse().status()); // both peers fail once

        client.send(RawClient.get("/waits"));
        network.advance(Duration.ofSeconds(9));
        assertNoAnswerYet(client);
        network.advance(Duration.ofSeconds(3)); // fail_timeout (10 s) ends; the line's first looks again

        assertEquals(200, client.readResponse().status());
    }
}
