package dev.sluice.internal.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.sluice.ProxyServer;
import dev.sluice.testing.RawClient;
import dev.sluice.testing.ScriptedUpstream;
import dev.sluice.testing.Upstreams;
import dev.sluice.upstream.UpstreamGroup;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * nginx's limits on what a client may send, with nginx's statuses: a request line over 8k is 414, a head over
 * its buffers 431, a body over client_max_body_size 413 — decided from the head when it declares its length,
 * before a byte of the body is read — and nothing over a limit reaches the upstream.
 */
class ClientLimitsTest {

    private static final int MAX_BODY = 1024;

    @RegisterExtension
    final Upstreams upstreams = new Upstreams();

    private final ScriptedUpstream upstream = upstreams.scripted().echo();

    private RawClient client() throws Exception {
        ProxyServer proxy = FrontProxy.start(upstreams, upstream, s -> s.clientMaxBodySize(MAX_BODY), r -> { });
        return FrontProxy.client(upstreams, proxy);
    }

    private void assertRefusedAndClosed(RawClient client, int status) throws Exception {
        RawClient.Reply reply = client.readResponse();
        assertEquals(status, reply.status());
        assertEquals("close", reply.header("Connection"));
        assertEquals(RawClient.End.EOF, client.readUntilClose(Duration.ofSeconds(2)).end());
        assertEquals(0, upstream.requestCount());
    }

    @Test
    void requestLineLongerThanEightKilobytesIs414() throws Exception {
        RawClient client = client();

        client.send("GET /" + "a".repeat(8192) + " HTTP/1.1\r\nHost: a\r\n\r\n");

        assertRefusedAndClosed(client, 414);
    }

    @Test
    void requestLineOfEightKilobytesPasses() throws Exception {
        RawClient client = client();
        String line = "GET /" + "a".repeat(8192 - 16) + " HTTP/1.1\r\n";

        client.send(line + "Host: a\r\n\r\n");

        assertEquals(8192, line.length());
        assertEquals(200, client.readResponse().status());
        assertEquals(1, upstream.requestCount());
    }

    @Test
    void headLargerThanItsBuffersIs431() throws Exception {
        RawClient client = client();

        client.send("GET / HTTP/1.1\r\nHost: a\r\n" + ("X-Pad: " + "p".repeat(8000) + "\r\n").repeat(5) + "\r\n");

        assertRefusedAndClosed(client, 431);
    }

    @Test
    void headJustUnderItsLimitIsForwardedWhole() throws Exception {
        RawClient client = client();
        String fields = ("X-Pad: " + "p".repeat(7900) + "\r\n").repeat(4);

        client.send("GET / HTTP/1.1\r\nHost: a\r\n" + fields + "\r\n");

        assertEquals(200, client.readResponse().status());
        assertEquals("GET / HTTP/1.1\r\nHost: backend\r\n" + fields + "\r\n", upstream.requests().get(0).rawString());
    }

    @Test
    void fieldLineLongerThanOneBufferIs431() throws Exception {
        RawClient client = client();

        client.send("GET / HTTP/1.1\r\nHost: a\r\nCookie: " + "c".repeat(8200) + "\r\n\r\n");

        assertRefusedAndClosed(client, 431);
    }

    @Test
    void declaredBodyOverTheLimitIs413BeforeAnyBodyByteIsSent() throws Exception {
        RawClient client = client();

        client.send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1000000000\r\n\r\n");

        assertRefusedAndClosed(client, 413);
    }

    @Test
    void declaredBodyOneByteOverTheLimitIs413() throws Exception {
        RawClient client = client();

        client.send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: " + (MAX_BODY + 1) + "\r\n\r\n"
                + "b".repeat(MAX_BODY + 1));

        assertRefusedAndClosed(client, 413);
    }

    @Test
    void bodyOfExactlyTheLimitPasses() throws Exception {
        RawClient client = client();

        client.send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: " + MAX_BODY + "\r\n\r\n" + "b".repeat(MAX_BODY));

        assertEquals(200, client.readResponse().status());
        assertEquals(MAX_BODY, upstream.requests().get(0).body().length);
    }

    @Test
    void bodiesOfExactlyTheDefaultLimitPassInBothFramings() throws Exception {
        ProxyServer proxy = FrontProxy.start(upstreams, upstream);
        RawClient client = FrontProxy.client(upstreams, proxy);
        byte[] body = new byte[1 << 20];
        for (int i = 0; i < body.length; i++) {
            body[i] = (byte) ('a' + i % 26);
        }
        String text = FrontProxy.ascii(body);

        client.send("POST /length HTTP/1.1\r\nHost: a\r\nContent-Length: " + body.length + "\r\n\r\n" + text);
        assertEquals(200, client.readResponse().status());
        client.send("POST /chunked HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                + ("2000\r\n" + text.substring(0, 8192) + "\r\n").repeat(body.length / 8192) + "0\r\n\r\n");
        assertEquals(200, client.readResponse().status());

        assertEquals(text, upstream.requests().get(0).bodyUtf8());
        assertEquals(text.substring(0, 8192).repeat(body.length / 8192), upstream.requests().get(1).bodyUtf8());
    }

    @Test
    void chunkedBodyOverTheLimitIs413() throws Exception {
        RawClient client = client();

        client.send("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                + Integer.toHexString(MAX_BODY + 1) + "\r\n" + "b".repeat(MAX_BODY + 1) + "\r\n0\r\n\r\n");

        assertRefusedAndClosed(client, 413);
    }

    @Test
    void chunkedBodyOverTheLimitIs413ThoughEachChunkIsSmall() throws Exception {
        RawClient client = client();

        client.send("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                + ("40\r\n" + "b".repeat(64) + "\r\n").repeat(MAX_BODY / 64 + 1) + "0\r\n\r\n");

        assertRefusedAndClosed(client, 413);
    }

    @Test
    void chunkedBodyOfExactlyTheLimitPassesWhateverItsFraming() throws Exception {
        RawClient client = client();

        client.send("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "1;ext=value\r\nb\r\n".repeat(MAX_BODY) + "0\r\nX-Trailer: t\r\n\r\n");

        RawClient.Reply reply = client.readResponse();
        assertEquals(200, reply.status());
        assertNull(reply.header("Connection"));
        assertEquals("b".repeat(MAX_BODY), upstream.requests().get(0).bodyUtf8());
    }

    @Test
    void chunkedBodyWhoseFramingDwarfsItsPayloadIs413() throws Exception {
        RawClient client = client();

        client.send("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                + ("1;e=" + "x".repeat(4000) + "\r\nb\r\n").repeat(20) + "0\r\n\r\n");

        assertRefusedAndClosed(client, 413);
    }

    @Test
    void unlimitedBodySizeTakesAHugeDeclaredLengthWithoutReservingIt() throws Exception {
        ProxyServer proxy = FrontProxy.start(upstreams, upstream, s -> s.clientMaxBodySize(0)
                .clientBodyTimeout(Duration.ofMillis(300)), r -> { });
        RawClient huge = FrontProxy.client(upstreams, proxy);

        huge.send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: " + (Integer.MAX_VALUE - 1) + "\r\n\r\nabc");
        RawClient next = FrontProxy.client(upstreams, proxy);
        next.send(RawClient.get("/next"));

        assertEquals(200, next.readResponse().status());
        assertEquals(408, huge.readResponse().status());
        assertEquals(1, upstream.requestCount());
    }

    @Test
    void aRoutesOwnBodyLimitReplacesTheProxysForItsRequestsAloneAsNginxsPerLocationOne() throws Exception {
        UpstreamGroup group = UpstreamGroup.builder("echo").server(upstream.address()).build();
        ProxyServer proxy = upstreams.proxy(p -> p.clientMaxBodySize(MAX_BODY)
                .route("/upload/", r -> r.upstream(group).clientMaxBodySize(MAX_BODY * 4L))
                .route("/small/", r -> r.upstream(group).clientMaxBodySize(4))
                .route("/", r -> r.upstream(group)));
        String bigger = "x".repeat(MAX_BODY * 2);

        RawClient upload = FrontProxy.client(upstreams, proxy);
        upload.send("POST /upload/a HTTP/1.1\r\nHost: a\r\nContent-Length: " + bigger.length() + "\r\n\r\n" + bigger);
        assertEquals(200, upload.readResponse().status(), "the route's own limit lifts the proxy's for it");
        RawClient other = FrontProxy.client(upstreams, proxy);
        other.send("POST /other HTTP/1.1\r\nHost: a\r\nContent-Length: " + bigger.length() + "\r\n\r\n" + bigger);
        assertEquals(413, other.readResponse().status(), "and no other route's");
        RawClient small = FrontProxy.client(upstreams, proxy);
        small.send("POST /small/a HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n12345\r\n0\r\n\r\n");
        assertEquals(413, small.readResponse().status(), "a chunked body beyond the route's own limit");
        assertEquals(1, upstream.requestCount());
    }
}
