package dev.sluice.internal.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.ProxyServer;
import dev.sluice.observe.ExchangeListener;
import dev.sluice.observe.AttemptRecord;
import dev.sluice.observe.ExchangeRecord;
import dev.sluice.testing.MemoryNetwork;
import dev.sluice.testing.RawClient;
import dev.sluice.testing.ScriptedUpstream;
import dev.sluice.testing.ScriptedUpstream.Response;
import dev.sluice.testing.Upstreams;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The client side's clocks, at nginx's defaults, on an in-memory network whose clock the test moves:
 * client_header_timeout (408 for a head begun but not finished; a connection that never sent a byte just closes),
 * client_body_timeout (408), send_timeout (a client that stops reading loses its connection), keepalive_timeout (an
 * idle kept-alive connection is closed) and keepalive_requests (the last allowed response says Connection: close,
 * then the connection closes). Each timeout is checked on both sides: nothing just before it, its effect just after.
 */
class ClientTimeoutsTest {

    /** A real-time bound on a read that should see the proxy's answer at once. */
    private static final Duration WAIT = Duration.ofSeconds(3);
    /** A read that only checks the connection is still open: the network has settled, so nothing is on its way. */
    private static final Duration NOW = Duration.ofMillis(1);

    @RegisterExtension
    final Upstreams upstreams = Upstreams.inMemory();
    private final MemoryNetwork network = upstreams.network();

    private final ScriptedUpstream upstream = upstreams.scripted().echo();

    @Test
    void headBegunButNotFinishedWithinClientHeaderTimeoutIs408() throws Exception {
        ProxyServer proxy = FrontProxy.start(upstreams, upstream);
        RawClient client = FrontProxy.client(upstreams, proxy);

        client.send("GET / HTTP/1.1\r\nHost: a\r\nX-Half: ");
        network.advance(Duration.ofSeconds(59));
        assertOpen(client);
        network.advance(Duration.ofSeconds(2));

        RawClient.Reply reply = client.readResponse();
        assertEquals(408, reply.status());
        assertEquals("close", reply.header("Connection"));
        assertEquals(RawClient.End.EOF, client.readUntilClose(WAIT).end());
        assertEquals(0, upstream.requestCount());
    }

    @Test
    void headDrippedSlowerThanClientHeaderTimeoutIs408ThoughBytesKeepComing() throws Exception {
        ProxyServer proxy = FrontProxy.start(upstreams, upstream, s -> s.clientHeaderTimeout(Duration.ofSeconds(10)),
                r -> { });
        RawClient client = FrontProxy.client(upstreams, proxy);
        String head = "GET / HTTP/1.1\r\nHost: a\r\nX-Slow: dripping\r\n\r\n";

        for (int i = 0; i < 11; i++) {
            client.send(head.substring(i, i + 1));
            network.advance(Duration.ofSeconds(1)); // a byte a second: 11 s for the first 11 bytes
        }

        assertEquals(408, client.readResponse().status());
        assertEquals(0, upstream.requestCount());
    }

    @Test
    void headBegunOnAKeptAliveConnectionGetsClientHeaderTimeoutNotKeepaliveTimeout() throws Exception {
        ProxyServer proxy = FrontProxy.start(upstreams, upstream, s -> s.clientHeaderTimeout(Duration.ofSeconds(10))
                .keepaliveTimeout(Duration.ofSeconds(30)), r -> { });
        RawClient client = FrontProxy.client(upstreams, proxy);

        client.send(RawClient.get("/a"));
        assertEquals(200, client.readResponse().status());
        network.advance(Duration.ofSeconds(20));
        client.send("GET /b HTTP/1.1\r\nHo");
        network.advance(Duration.ofSeconds(11)); // past client_header_timeout, not past keepalive_timeout

        assertEquals(408, client.readResponse().status());
        assertEquals(1, upstream.requestCount());
    }

    @Test
    void connectionThatNeverSentAByteIsClosedWithoutAResponse() throws Exception {
        ProxyServer proxy = FrontProxy.start(upstreams, upstream);
        RawClient client = FrontProxy.client(upstreams, proxy);

        network.advance(Duration.ofSeconds(61));
        RawClient.Received received = client.readUntilClose(WAIT);

        assertEquals(RawClient.End.EOF, received.end());
        assertEquals("", received.string());
    }

    @Test
    void bodyStalledForClientBodyTimeoutIs408AndNothingReachesTheUpstream() throws Exception {
        ProxyServer proxy = FrontProxy.start(upstreams, upstream);
        RawClient client = FrontProxy.client(upstreams, proxy);

        client.send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nabc");
        network.advance(Duration.ofSeconds(59));
        assertOpen(client);
        network.advance(Duration.ofSeconds(2));

        RawClient.Reply reply = client.readResponse();
        assertEquals(408, reply.status());
        assertEquals("close", reply.header("Connection"));
        assertEquals(RawClient.End.EOF, client.readUntilClose(WAIT).end());
        assertEquals(0, upstream.requestCount());
    }

    @Test
    void clientBodyTimeoutIsBetweenTwoReadsNotForTheWholeBody() throws Exception {
        ProxyServer proxy = FrontProxy.start(upstreams, upstream);
        RawClient client = FrontProxy.client(upstreams, proxy);

        client.send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 8\r\n\r\n");
        for (int i = 0; i < 8; i++) {
            network.advance(Duration.ofSeconds(50)); // 400 s for the whole body, never 60 s without a byte
            client.send("b");
        }

        assertEquals(200, client.readResponse().status());
        assertEquals("bbbbbbbb", upstream.requests().get(0).bodyUtf8());
    }

    @Test
    void clientThatStopsReadingALargeResponseLosesItsConnectionAfterSendTimeout() throws Exception {
        int size = 4 * 1024 * 1024;
        upstream.enqueue(Response.builder().body(new byte[size]));
        List<ExchangeRecord> ended = new CopyOnWriteArrayList<>();
        ExchangeListener listener = new ExchangeListener() {
            @Override
            public void exchangeEnded(ExchangeRecord exchange) {
                ended.add(exchange);
            }
        };
        ProxyServer proxy = FrontProxy.start(upstreams, upstream,
                s -> s.sendTimeout(Duration.ofSeconds(10)).listener(listener), r -> { });
        RawClient client = FrontProxy.client(upstreams, proxy);

        client.send("GET /large HTTP/1.1\r\nHost: a\r\n\r\n");
        // Each step lets the proxy fill what the client does not read, then moves past send_timeout (and stays
        // under proxy_read_timeout): the step after the proxy starts waiting for the client ends the exchange.
        for (int step = 0; step < 20 && ended.isEmpty(); step++) {
            network.advance(Duration.ofSeconds(11));
        }

        RawClient.Received received = client.readUntilClose(WAIT);
        assertEquals(1, ended.size(), "the exchange ended without the client reading");
        assertNotEquals(RawClient.End.TIMEOUT, received.end(), ended + " " + received.bytes().length);
        assertTrue(received.bytes().length < size, "the client got the whole response");
        assertEquals(List.of(200), ended.get(0).attempts().stream().map(AttemptRecord::status).toList(),
                "the peer's answer stays in $upstream_status");
    }

    @Test
    void idleKeptAliveConnectionIsClosedAfterKeepaliveTimeout() throws Exception {
        ProxyServer proxy = FrontProxy.start(upstreams, upstream);
        RawClient client = FrontProxy.client(upstreams, proxy);

        client.send(RawClient.get("/a"));
        RawClient.Reply reply = client.readResponse();
        network.advance(Duration.ofSeconds(74));
        assertOpen(client);
        network.advance(Duration.ofSeconds(2));
        RawClient.Received rest = client.readUntilClose(WAIT);

        assertEquals(200, reply.status());
        assertNull(reply.header("Connection"));
        assertEquals(RawClient.End.EOF, rest.end());
        assertEquals("", rest.string());
    }

    @Test
    void keepaliveTimeoutZeroClosesAfterTheFirstResponse() throws Exception {
        ProxyServer proxy = FrontProxy.start(upstreams, upstream, s -> s.keepaliveTimeout(Duration.ZERO), r -> { });
        RawClient client = FrontProxy.client(upstreams, proxy);

        client.send(RawClient.get("/a"));

        assertEquals("close", client.readResponse().header("Connection"));
        assertEquals(RawClient.End.EOF, client.readUntilClose(WAIT).end());
    }

    @Test
    void responseNumberKeepaliveRequestsSaysCloseAndTheConnectionCloses() throws Exception {
        ProxyServer proxy = FrontProxy.start(upstreams, upstream, s -> s.keepaliveRequests(3), r -> { });
        RawClient client = FrontProxy.client(upstreams, proxy);

        for (int i = 1; i <= 2; i++) {
            client.send(RawClient.get("/" + i));
            RawClient.Reply reply = client.readResponse();
            assertEquals(200, reply.status());
            assertNull(reply.header("Connection"), "response " + i);
        }
        client.send(RawClient.get("/3"));
        RawClient.Reply last = client.readResponse();

        assertEquals(200, last.status());
        assertEquals("close", last.header("Connection"));
        assertEquals(RawClient.End.EOF, client.readUntilClose(WAIT).end());
        assertEquals(3, upstream.requestCount());
    }

    @Test
    void pipelinedRequestsBeyondKeepaliveRequestsAreNotServed() throws Exception {
        ProxyServer proxy = FrontProxy.start(upstreams, upstream, s -> s.keepaliveRequests(2), r -> { });
        RawClient client = FrontProxy.client(upstreams, proxy);

        client.send(RawClient.get("/1") + RawClient.get("/2") + RawClient.get("/3"));

        assertNull(client.readResponse().header("Connection"));
        assertEquals("close", client.readResponse().header("Connection"));
        RawClient.Received rest = client.readUntilClose(WAIT);
        assertNotEquals(RawClient.End.TIMEOUT, rest.end());
        assertEquals("", rest.string());
        assertEquals(2, upstream.requestCount());
    }

    /** The proxy has not closed the connection nor sent anything more. */
    private static void assertOpen(RawClient client) throws IOException {
        assertEquals(RawClient.End.TIMEOUT, client.readUntilClose(NOW).end());
    }
}
