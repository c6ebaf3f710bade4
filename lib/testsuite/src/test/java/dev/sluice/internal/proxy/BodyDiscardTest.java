package dev.sluice.internal.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.ProxyServer;
import dev.sluice.testing.RawClient;
import dev.sluice.testing.RawClient.Reply;
import dev.sluice.testing.ScriptedUpstream;
import dev.sluice.testing.Upstreams;
import dev.sluice.upstream.UpstreamGroup;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A request with a body the proxy answers itself before reading it (a 404, a redirect, a refusal): the body is read
 * and dropped by its framing after the answer and the connection serves the next request, as nginx's {@code
 * ngx_http_discard_request_body} keeps it; a body that breaks its framing, one too large, or one that does not come
 * closes the connection.
 */
class BodyDiscardTest {

    @RegisterExtension
    final Upstreams upstreams = new Upstreams();

    private final ScriptedUpstream upstream = upstreams.scripted().echo();

    private RawClient client() throws IOException {
        UpstreamGroup group = UpstreamGroup.builder("app").server(upstream.address()).build();
        ProxyServer proxy = upstreams.proxy(p -> p
                .lingering(Duration.ofMillis(300), Duration.ofSeconds(2))
                .route("/", r -> r.upstream(group))
                .route("/gone/", r -> r.returns(404, ""))
                .route("= /old", r -> r.returns(301, "/new"))
                .route("/small/", r -> r.upstream(group).clientMaxBodySize(4)));
        return upstreams.rawClient(proxy.port()).timeout(Duration.ofSeconds(5));
    }

    @Test
    void aBodyOfAKnownLengthIsDroppedAndThePipelinedRequestAfterItIsServed() throws IOException {
        RawClient client = client();

        client.send("POST /gone/x HTTP/1.1\r\nHost: a\r\nContent-Length: 26\r\n\r\nGET /smuggled HTTP/1.1\r\n\r\n"
                + "GET /next HTTP/1.1\r\nHost: a\r\n\r\n");
        Reply gone = client.readResponse();
        Reply next = client.readResponse();

        assertEquals(404, gone.status());
        assertEquals("keep-alive", gone.header("Connection"));
        assertEquals(200, next.status());
        assertEquals(List.of("/next"), upstream.requests().stream().map(r -> r.target()).toList(),
                "the body's bytes were dropped, never read as a request");
    }

    @Test
    void aChunkedBodyIsDroppedToItsLastChunkAndTrailers() throws IOException {
        RawClient client = client();

        client.send("POST /old HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5\r\nhello\r\n1a\r\nGET /smuggled HTTP/1.1\r\n\r\n\r\n0\r\nX-Trailer: 1\r\n\r\n"
                + "GET /next HTTP/1.1\r\nHost: a\r\n\r\n");
        Reply moved = client.readResponse();
        Reply next = client.readResponse();

        assertEquals(301, moved.status());
        assertEquals("/new", moved.header("Location"));
        assertEquals(200, next.status());
        assertEquals(List.of("/next"), upstream.requests().stream().map(r -> r.target()).toList());
    }

    @Test
    void aBodyThatBreaksItsFramingAfterTheAnswerClosesTheConnection() throws IOException {
        RawClient client = client();

        client.send("POST /gone/x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel");
        Reply gone = client.readResponse();
        client.send("lo\r\nzz\r\nGET /next HTTP/1.1\r\nHost: a\r\n\r\n");
        RawClient.Received rest = client.readUntilClose(Duration.ofSeconds(3));

        assertEquals(404, gone.status());
        assertEquals("keep-alive", gone.header("Connection"));
        assertEquals(RawClient.End.EOF, rest.end());
        assertEquals(0, rest.bytes().length, "nothing after the broken body was read as a request");
        assertEquals(0, upstream.requestCount());
    }

    @Test
    void aBodySentAfterTheAnswerIsDroppedAsItComes() throws IOException {
        RawClient client = client();

        client.send("POST /gone/x HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\nExpect: 100-continue\r\n\r\n");
        Reply gone = client.readResponse();
        client.send("01234");
        client.send("56789GET /next HTTP/1.1\r\nHost: a\r\n\r\n");
        Reply next = client.readResponse();

        assertEquals(404, gone.status(), "no 100 Continue for a body the proxy will not read");
        assertEquals(200, next.status());
        assertEquals(List.of("/next"), upstream.requests().stream().map(r -> r.target()).toList());
    }

    @Test
    void aBodyThatBreaksItsFramingClosesTheConnection() throws IOException {
        RawClient client = client();

        client.send("POST /gone/x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nGET /next HTTP/1.1\r\n\r\n");
        Reply gone = client.readResponse();
        RawClient.Received rest = client.readUntilClose(Duration.ofSeconds(3));

        assertEquals(404, gone.status());
        assertEquals("close", gone.header("Connection"), "what came of the body was looked at first, as nginx does");
        assertEquals(RawClient.End.EOF, rest.end());
        assertEquals(0, rest.bytes().length, "nothing after the broken body was read as a request");
        assertEquals(0, upstream.requestCount());
    }

    @Test
    void aBodyThatDoesNotComeClosesTheConnectionAfterLingeringTimeout() throws IOException {
        RawClient client = client();

        client.send("POST /gone/x HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\nonly part");
        long start = System.nanoTime();
        Reply gone = client.readResponse();
        RawClient.Received rest = client.readUntilClose(Duration.ofSeconds(3));

        assertEquals(404, gone.status());
        assertEquals(RawClient.End.EOF, rest.end());
        long waited = (System.nanoTime() - start) / 1_000_000;
        assertTrue(waited >= 250 && waited < 2_500, "closed after " + waited + " ms, lingering_timeout being 300 ms");
    }

    @Test
    void aBodyTooLargeIsStillRefusedOnAClosingConnection() throws IOException {
        RawClient client = client();

        client.send("POST /small/x HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello"
                + "GET /next HTTP/1.1\r\nHost: a\r\n\r\n");
        Reply refused = client.readResponse();
        RawClient.Received rest = client.readUntilClose(Duration.ofSeconds(3));

        assertEquals(413, refused.status());
        assertEquals("close", refused.header("Connection"));
        assertEquals(0, rest.bytes().length);
        assertEquals(0, upstream.requestCount());
    }
}
