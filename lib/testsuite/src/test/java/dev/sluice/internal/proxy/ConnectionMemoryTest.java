package dev.sluice.internal.proxy;

import static dev.sluice.internal.proxy.UpstreamHarness.group;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.ProxyServer;
import dev.sluice.internal.net.BufferPool;
import dev.sluice.internal.net.ThreadBuffers;
import dev.sluice.testing.RawClient;
import dev.sluice.testing.ScriptedUpstream;
import dev.sluice.testing.ScriptedUpstream.Response;
import dev.sluice.testing.Upstreams;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What a client connection holds, so that memory per idle or slow client stays below nginx's. The loop's 16 KiB read
 * buffers are held only while they hold bytes: a client connection waiting for its next request holds none, and
 * neither does a response streaming to a slow reader besides its proxy_buffers; a head that comes slowly holds a
 * 1 KiB buffer, as nginx's client_header_buffer_size. The memory heads are read and written into (the request
 * parser's array, the head the peers get, the response parser's array, the head the client gets) is lent by the
 * loop's thread for an exchange and given back when the connection waits for its next request, as nginx frees its
 * request pool between requests.
 */
class ConnectionMemoryTest {

    @RegisterExtension
    final Upstreams upstreams = new Upstreams();

    private final UpstreamHarness proxy = new UpstreamHarness(upstreams);

    @Test
    void idleKeepaliveConnectionsHoldNoReadBuffer() throws Exception {
        ScriptedUpstream up = upstreams.scripted().identity();
        ProxyServer server = proxy.start(group(up.address()), r -> { });
        List<RawClient> clients = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            RawClient client = upstreams.rawClient(server.port());
            assertEquals(200, client.send(RawClient.get("/" + i)).readResponse().status());
            clients.add(client);
        }

        assertEquals(0, readBuffersInUse(server), "ten idle keepalive connections");
        assertTrue(Exchanges.await(() -> headMemoryLent(server) == 0, 2000), "ten idle keepalive connections hold "
                + headMemoryLent(server) + " head arrays or buffers");
        assertEquals(200, clients.get(3).send(RawClient.get("/again")).readResponse().status(),
                "a connection takes a buffer again when its next request comes");
    }

    @Test
    void anExchangeInFlightHoldsItsHeadsUntilItEnds() throws Exception {
        ScriptedUpstream up = upstreams.scripted()
                .defaultResponse(Response.builder().stallForever().build());
        ProxyServer server = proxy.start(group(up.address()), r -> { });
        RawClient client = upstreams.rawClient(server.port());
        client.send(RawClient.get("/waits"));
        assertTrue(Exchanges.await(() -> up.requestCount() == 1, 2000));

        assertEquals(2, headMemoryLent(server), "the request's array and the head the peer got");
        client.close();
        assertTrue(Exchanges.await(() -> headMemoryLent(server) == 0, 2000),
                "a closed connection gives everything back");
    }

    @Test
    void aResponseStreamingToAClientThatDoesNotReadHoldsOnlyItsProxyBuffers() throws Exception {
        ScriptedUpstream up = upstreams.scripted()
                .defaultResponse(Response.builder().body(new byte[8 << 20]).build());
        ProxyServer server = proxy.start(group(up.address()), r -> { });
        RawClient stalled = upstreams.rawClient(server.port());
        stalled.send(RawClient.get("/big"));
        assertTrue(Exchanges.await(() -> up.requestCount() == 1, 2000));
        Thread.sleep(200); // let the relay fill the socket buffers and its proxy_buffers, then stop reading

        assertEquals(0, readBuffersInUse(server), "neither the client's read buffer nor the upstream head buffer");
    }

    @Test
    void aResponseIsReadThroughABufferOfProxyBufferSizeNotTheLoopsReadBuffer() throws Exception {
        ScriptedUpstream up = upstreams.scripted().defaultResponse(Response.builder()
                .body(new byte[100_000]).throttleBody(100, Duration.ofSeconds(30)).build());
        ProxyServer server = proxy.start(group(up.address()), r -> r.buffering(false).bufferSize(4096));
        RawClient client = upstreams.rawClient(server.port());
        client.send(RawClient.get("/drip"));

        assertTrue(Exchanges.await(() -> buffersInUse(server, 4096) == 1, 2000),
                "the head and the body that follows it are read into one 4 KiB buffer, proxy_buffer_size");
        assertEquals(0, readBuffersInUse(server), "not into a 16 KiB read buffer of the loop");
        client.close();
        assertTrue(Exchanges.await(() -> buffersInUse(server, 4096) == 0, 2000), "given back when the exchange ends");
    }

    @Test
    void aHeadThatComesSlowlyHoldsOnlyASmallBuffer() throws Exception {
        ScriptedUpstream up = upstreams.scripted().identity();
        ProxyServer server = proxy.start(group(up.address()), r -> { });
        RawClient slow = upstreams.rawClient(server.port());
        slow.send("GET /slow HTTP/1.1\r\nHost: a\r\nX-Slow: ");
        assertTrue(Exchanges.await(() -> smallBuffersInUse(server) == 1, 2000), "the head's first bytes were read");

        assertEquals(0, readBuffersInUse(server), "no full-size buffer for a head in progress");
        assertEquals(200, slow.send("1\r\n\r\n").readResponse().status());
    }

    @Test
    void headsAndBodiesLargerThanTheSmallBufferPassWhole() throws Exception {
        ScriptedUpstream up = upstreams.scripted().echo();
        ProxyServer server = proxy.start(group(up.address()), r -> { });
        RawClient client = upstreams.rawClient(server.port());
        String cookie = "c".repeat(6000);
        String body = "b".repeat(100_000);

        RawClient.Reply reply = client.send("POST /big HTTP/1.1\r\nHost: a\r\nCookie: " + cookie
                + "\r\nContent-Length: " + body.length() + "\r\n\r\n" + body).readResponse();

        assertEquals(200, reply.status());
        String forwarded = reply.bodyString();
        assertTrue(forwarded.contains("Cookie: " + cookie + "\r\n"), "the whole cookie went upstream");
        assertTrue(forwarded.endsWith("\r\n\r\n" + body), "the whole body went upstream");
        assertTrue(Exchanges.await(() -> headMemoryLent(server) == 0, 2000),
                "the larger arrays the head took went back: " + headMemoryLent(server));
    }

    @Test
    void aBufferedBodyOfKnownLengthIsHeldInABufferOfItsSizeClass() throws Exception {
        ScriptedUpstream up = upstreams.scripted()
                .defaultResponse(Response.builder().stallForever().build());
        ProxyServer server = proxy.start(group(up.address()), r -> { });
        RawClient client = upstreams.rawClient(server.port());
        client.send("POST /form HTTP/1.1\r\nHost: a\r\nContent-Length: 3000\r\n\r\n" + "f".repeat(3000));
        assertTrue(Exchanges.await(() -> up.requestCount() == 1, 2000));

        assertEquals(4096, bodyMemory(server), "3,000 bytes in a 4 KiB buffer, not a 16 KiB one");
    }

    @Test
    void aBodyThatComesSlowlyHoldsOnlyTheBufferItIsGatheredIn() throws Exception {
        ScriptedUpstream up = upstreams.scripted().echo();
        ProxyServer server = proxy.start(group(up.address()), r -> { });
        RawClient slow = upstreams.rawClient(server.port());
        slow.send("POST /form HTTP/1.1\r\nHost: a\r\nContent-Length: 3000\r\n\r\n" + "f".repeat(1000));
        assertTrue(Exchanges.await(() -> bodyMemory(server) == 1024, 2000), "the body's 1,000 bytes were gathered "
                + "in 1 KiB: " + bodyMemory(server));

        assertTrue(Exchanges.await(() -> readBuffersInUse(server) == 0 && smallBuffersInUse(server) == 1, 2000),
                "no read buffer while the rest of the body is awaited, only the body's own");
        RawClient.Reply reply = slow.send("g".repeat(2000)).readResponse();
        assertEquals(200, reply.status());
        assertTrue(reply.bodyString().endsWith("f".repeat(1000) + "g".repeat(2000)), "the whole body went upstream");
    }

    @Test
    void aBodyHoldsMemoryForTheBytesThatArrivedNotForTheLengthItAnnounced() throws Exception {
        ScriptedUpstream up = upstreams.scripted().echo();
        ProxyServer server = proxy.start(group(up.address()), r -> { });
        RawClient slow = upstreams.rawClient(server.port());
        slow.send("POST /trickle HTTP/1.1\r\nHost: a\r\nContent-Length: 8192\r\n\r\n");
        assertTrue(Exchanges.await(() -> readBuffersInUse(server) + smallBuffersInUse(server) == 0, 2000),
                "the head was read");
        assertEquals(0, bodyMemory(server), "no body memory before the body's first byte");

        StringBuilder sent = new StringBuilder("t".repeat(100));
        slow.send(sent.toString());
        assertTrue(Exchanges.await(() -> bodyMemory(server) > 0, 2000), "the body's first bytes were read");
        assertEquals(1024, bodyMemory(server), "100 bytes of 8,192 are held in 1 KiB, as they arrived");
        sent.append("z".repeat(8192 - sent.length()));
        slow.send(sent.substring(100, 3000));
        assertTrue(Exchanges.await(() -> bodyMemory(server) == 4096, 2000), "3,000 bytes moved to 4 KiB: "
                + bodyMemory(server));
        RawClient.Reply reply = slow.send(sent.substring(3000)).readResponse();

        assertEquals(200, reply.status());
        assertTrue(reply.bodyString().endsWith("\r\n\r\n" + sent), "the whole body went upstream, in order");
        assertTrue(Exchanges.await(() -> bodyMemory(server) == 0, 2000), "the exchange gave its body memory back");
    }

    private static long bodyMemory(ProxyServer server) {
        return ProxyInternals.onLoop(server, l -> l.meter().bodyMemory());
    }

    private static long smallBuffersInUse(ProxyServer server) {
        return buffersInUse(server, ClientInput.FIRST_SIZE);
    }

    private static long buffersInUse(ProxyServer server, int size) {
        return ProxyInternals.onLoop(server, l -> {
            BufferPool buffers = l.buffers(size);
            return buffers.allocatedCount() - buffers.idleCount();
        });
    }

    private static long headMemoryLent(ProxyServer server) {
        return ProxyInternals.onLoop(server, l -> {
            ThreadBuffers buffers = ThreadBuffers.ofThisThread();
            return buffers.madeCount() - buffers.keptCount();
        });
    }

    private static long readBuffersInUse(ProxyServer server) {
        return ProxyInternals.onLoop(server, l -> {
            BufferPool buffers = l.eventLoop.buffers();
            return buffers.allocatedCount() - buffers.idleCount();
        });
    }
}
