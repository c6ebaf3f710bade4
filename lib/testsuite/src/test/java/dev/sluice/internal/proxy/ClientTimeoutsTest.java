package dev.sluice.internal.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.ProxyServer;
import dev.sluice.testing.RawClient;
import dev.sluice.testing.ScriptedUpstream;
import dev.sluice.testing.ScriptedUpstream.Response;
import dev.sluice.testing.Upstreams;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The client side's clocks, each set short here: client_header_timeout (408 for a head begun but not finished; a
 * connection that never sent a byte just closes), client_body_timeout (408), send_timeout (a client that stops
 * reading loses its connection), keepalive_timeout (an idle kept-alive connection is closed) and
 * keepalive_requests (the last allowed response says Connection: close, then the connection closes).
 */
class ClientTimeoutsTest {

    private static final Duration SHORT = Duration.ofMillis(300);
    /** Long enough that a timeout the proxy did not apply shows up as a read that timed out. */
    private static final Duration WAIT = Duration.ofSeconds(3);

    @RegisterExtension
    final Upstreams upstreams = new Upstreams();

    private final ScriptedUpstream upstream = upstreams.scripted().echo();

    @Test
    void headBegunButNotFinishedWithinClientHeaderTimeoutIs408() throws Exception {
        ProxyServer proxy = FrontProxy.start(upstreams, upstream, s -> s.clientHeaderTimeout(SHORT), r -> { });
        RawClient client = FrontProxy.client(upstreams, proxy);

        client.send("GET / HTTP/1.1\r\nHost: a\r\nX-Half: ");

        RawClient.Reply reply = client.readResponse();
        assertEquals(408, reply.status());
        assertEquals("close", reply.header("Connection"));
        assertEquals(RawClient.End.EOF, client.readUntilClose(WAIT).end());
        assertEquals(0, upstream.requestCount());
    }

    @Test
    void headDrippedSlowerThanClientHeaderTimeoutIs408ThoughBytesKeepComing() throws Exception {
        ProxyServer proxy = FrontProxy.start(upstreams, upstream, s -> s.clientHeaderTimeout(SHORT), r -> { });
        RawClient client = FrontProxy.client(upstreams, proxy);
        String head = "GET / HTTP/1.1\r\nHost: a\r\nX-Slow: dripping\r\n\r\n";

        for (int i = 0; i < head.length(); i++) {
            client.send(head.substring(i, i + 1));
            Thread.sleep(15);
        }

        assertEquals(408, client.readResponse().status());
        assertEquals(0, upstream.requestCount());
    }

    @Test
    void headBegunOnAKeptAliveConnectionGetsClientHeaderTimeoutNotKeepaliveTimeout() throws Exception {
        ProxyServer proxy = FrontProxy.start(upstreams, upstream, s -> s.clientHeaderTimeout(SHORT)
                .keepaliveTimeout(Duration.ofSeconds(30)), r -> { });
        RawClient client = FrontProxy.client(upstreams, proxy);

        client.send(RawClient.get("/a"));
        assertEquals(200, client.readResponse().status());
        client.send("GET /b HTTP/1.1\r\nHo");

        assertEquals(408, client.readResponse().status());
        assertEquals(1, upstream.requestCount());
    }

    @Test
    void connectionThatNeverSentAByteIsClosedWithoutAResponse() throws Exception {
        ProxyServer proxy = FrontProxy.start(upstreams, upstream, s -> s.clientHeaderTimeout(SHORT), r -> { });
        RawClient client = FrontProxy.client(upstreams, proxy);

        RawClient.Received received = client.readUntilClose(WAIT);

        assertEquals(RawClient.End.EOF, received.end());
        assertEquals("", received.string());
    }

    @Test
    void bodyStalledForClientBodyTimeoutIs408AndNothingReachesTheUpstream() throws Exception {
        ProxyServer proxy = FrontProxy.start(upstreams, upstream, s -> s.clientBodyTimeout(SHORT), r -> { });
        RawClient client = FrontProxy.client(upstreams, proxy);

        client.send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nabc");

        RawClient.Reply reply = client.readResponse();
        assertEquals(408, reply.status());
        assertEquals("close", reply.header("Connection"));
        assertEquals(RawClient.End.EOF, client.readUntilClose(WAIT).end());
        assertEquals(0, upstream.requestCount());
    }

    @Test
    void clientBodyTimeoutIsBetweenTwoReadsNotForTheWholeBody() throws Exception {
        ProxyServer proxy = FrontProxy.start(upstreams, upstream, s -> s.clientBodyTimeout(SHORT), r -> { });
        RawClient client = FrontProxy.client(upstreams, proxy);

        client.send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 8\r\n\r\n");
        for (int i = 0; i < 8; i++) {
            Thread.sleep(100);
            client.send("b");
        }

        assertEquals(200, client.readResponse().status());
        assertEquals("bbbbbbbb", upstream.requests().get(0).bodyUtf8());
    }

    @Test
    void clientThatStopsReadingALargeResponseLosesItsConnectionAfterSendTimeout() throws Exception {
        int size = 16 * 1024 * 1024;
        upstream.enqueue(Response.builder().body(new byte[size]));
        ProxyServer proxy = FrontProxy.start(upstreams, upstream, s -> s.sendTimeout(SHORT), r -> { });
        try (Socket socket = new Socket()) {
            socket.setReceiveBufferSize(4096);
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), proxy.port()), 3000);
            OutputStream out = socket.getOutputStream();
            out.write("GET /large HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();

            Thread.sleep(SHORT.multipliedBy(4).toMillis());

            socket.setSoTimeout((int) WAIT.toMillis());
            long received = drain(socket.getInputStream(), WAIT);
            assertTrue(received >= 0 && received < size, "received " + received + " of " + size
                    + " bytes: the connection stayed open for a client that did not read");
        }
    }

    /** Reads until end of stream or reset (returns the bytes read), or -1 when the connection stayed open. */
    private static long drain(InputStream in, Duration limit) throws Exception {
        byte[] buffer = new byte[64 * 1024];
        long total = 0;
        long deadline = System.nanoTime() + limit.toNanos();
        try {
            while (System.nanoTime() < deadline) {
                int n = in.read(buffer);
                if (n < 0) {
                    return total;
                }
                total += n;
            }
            return -1;
        } catch (SocketTimeoutException e) {
            return -1;
        } catch (SocketException reset) {
            return total;
        }
    }

    @Test
    void idleKeptAliveConnectionIsClosedAfterKeepaliveTimeout() throws Exception {
        ProxyServer proxy = FrontProxy.start(upstreams, upstream, s -> s.keepaliveTimeout(SHORT), r -> { });
        RawClient client = FrontProxy.client(upstreams, proxy);

        client.send(RawClient.get("/a"));
        RawClient.Reply reply = client.readResponse();
        long idleSince = System.nanoTime();
        RawClient.Received rest = client.readUntilClose(WAIT);

        assertEquals(200, reply.status());
        assertNull(reply.header("Connection"));
        assertEquals(RawClient.End.EOF, rest.end());
        assertEquals("", rest.string());
        assertTrue(System.nanoTime() - idleSince >= SHORT.toNanos() / 2, "closed long before keepalive_timeout");
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
}
