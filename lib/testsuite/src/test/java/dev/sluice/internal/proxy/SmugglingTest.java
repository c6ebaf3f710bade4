package dev.sluice.internal.proxy;

import static dev.sluice.internal.proxy.FrontProxy.forwardedGet;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sluice.ProxyServer;
import dev.sluice.testing.RawClient;
import dev.sluice.testing.RecordedRequest;
import dev.sluice.testing.ScriptedUpstream;
import dev.sluice.testing.Upstreams;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Request smuggling through the proxy: every request that two hops could frame differently is answered by the
 * proxy itself with the parser's status and a closed connection, and the upstream receives nothing — or, after a
 * valid pipelined request, exactly that request's bytes and nothing more.
 */
class SmugglingTest {

    private static final String GET = "GET / HTTP/1.1\r\nHost: a\r\n";
    private static final String POST = "POST / HTTP/1.1\r\nHost: a\r\n";
    private static final String CHUNKED = POST + "Transfer-Encoding: chunked\r\n\r\n";

    @RegisterExtension
    final Upstreams upstreams = new Upstreams();

    static Stream<Arguments> attempts() {
        return Stream.of(
                // Two framings at once, or one the proxy cannot know the end of.
                attempt("contentLengthWithChunked", 400,
                        POST + "Content-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nG"),
                attempt("chunkedWithContentLength", 400,
                        POST + "Transfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n8\r\nSMUGGLED\r\n0\r\n\r\n"),
                attempt("chunkedThenIdentity", 400, POST + "Transfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n"),
                attempt("gzipAlone", 400, POST + "Transfer-Encoding: gzip\r\n\r\n0\r\n\r\n"),
                attempt("gzipThenChunked", 501, POST + "Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n"),
                attempt("transferEncodingTwice", 400,
                        POST + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
                attempt("chunkedInHttp10", 400, "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
                attempt("spaceBeforeColon", 400, POST + "Transfer-Encoding : chunked\r\n\r\n0\r\n\r\n"),
                attempt("spaceBeforeColonInContentLength", 400, POST + "Content-Length : 5\r\n\r\nhello"),
                // Content-Length a lenient hop could read another way.
                attempt("contentLengthWithPlusSign", 400, POST + "Content-Length: +5\r\n\r\nhello"),
                attempt("contentLengthList", 400, POST + "Content-Length: 5, 6\r\n\r\nhello!"),
                attempt("contentLengthListOfEqualValues", 400, POST + "Content-Length: 5, 5\r\n\r\nhello"),
                attempt("twoContentLengths", 400, POST + "Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!"),
                attempt("twoEqualContentLengths", 400, POST + "Content-Length: 5\r\nContent-Length: 5\r\n\r\nhello"),
                attempt("negativeContentLength", 400, POST + "Content-Length: -1\r\n\r\n"),
                attempt("hexContentLength", 400, POST + "Content-Length: 0x5\r\n\r\nhello"),
                attempt("contentLengthBeyond63Bits", 400, POST + "Content-Length: 9223372036854775808\r\n\r\n"),
                // Line structure and bytes a field must not hold.
                attempt("obsFold", 400, GET + "X-A: b\r\n c\r\n\r\n"),
                attempt("obsFoldHidingTransferEncoding", 400, POST + "X-A: b\r\n Transfer-Encoding: chunked\r\n\r\n"),
                attempt("nulInValue", 400, GET + "X-A: b\u0000c\r\n\r\n"),
                attempt("escapeInValue", 400, GET + "X-A: \u001b[31m\r\n\r\n"),
                attempt("bareCrInValue", 400, GET + "X-A: b\rTransfer-Encoding: chunked\r\n\r\n"),
                attempt("bareLfAfterRequestLine", 400, "GET / HTTP/1.1\nHost: a\r\n\r\n"),
                attempt("bareLfAfterField", 400, GET + "X-A: b\nTransfer-Encoding: chunked\r\n\r\n"),
                attempt("bareLfEndingHead", 400, GET + "\n"),
                attempt("twoHosts", 400, GET + "Host: b\r\n\r\n"),
                attempt("missingHost", 400, "GET / HTTP/1.1\r\n\r\n"),
                // Chunked bodies whose framing is broken: the head was fine, the body is not.
                attempt("chunkSizeNotHex", 400, CHUNKED + "zz\r\nhello\r\n0\r\n\r\n"),
                attempt("chunkSizeWithHexPrefix", 400, CHUNKED + "0x5\r\nhello\r\n0\r\n\r\n"),
                attempt("negativeChunkSize", 400, CHUNKED + "-5\r\nhello\r\n0\r\n\r\n"),
                attempt("chunkSizeWithTrailingSpace", 400, CHUNKED + "5 \r\nhello\r\n0\r\n\r\n"),
                attempt("emptyChunkSize", 400, CHUNKED + "\r\nhello\r\n0\r\n\r\n"),
                attempt("chunkSizeBeyond63Bits", 400, CHUNKED + "10000000000000000\r\nhello\r\n0\r\n\r\n"),
                attempt("chunkSizeEndingInBareLf", 400, CHUNKED + "5\nhello\r\n0\r\n\r\n"),
                attempt("missingCrlfAfterChunkData", 400, CHUNKED + "5\r\nhello0\r\n\r\n"),
                attempt("chunkDataLongerThanItsSize", 400, CHUNKED + "3\r\nhello\r\n0\r\n\r\n"),
                attempt("bareLfAfterChunkData", 400, CHUNKED + "5\r\nhello\n0\r\n\r\n"),
                attempt("invalidChunkExtension", 400, CHUNKED + "5;a b\r\nhello\r\n0\r\n\r\n"),
                attempt("obsFoldInTrailer", 400, CHUNKED + "0\r\nX-A: b\r\n c\r\n\r\n"),
                // Trailer fields an upstream that merges trailers into the head would frame or route by.
                attempt("contentLengthInTrailer", 400, CHUNKED + "5\r\nhello\r\n0\r\nContent-Length: 40\r\n\r\n"),
                attempt("transferEncodingInTrailer", 400, CHUNKED + "0\r\ntransfer-encoding: chunked\r\n\r\n"),
                attempt("hostInTrailer", 400, CHUNKED + "0\r\nHost: internal.example\r\n\r\n"),
                // Request lines that are not method SP target SP version.
                attempt("doubleSpaceInRequestLine", 400, "GET  / HTTP/1.1\r\nHost: a\r\n\r\n"),
                attempt("spaceInTarget", 400, "GET /a b HTTP/1.1\r\nHost: a\r\n\r\n"),
                attempt("nulInTarget", 400, "GET /a\u0000 HTTP/1.1\r\nHost: a\r\n\r\n"),
                attempt("trailingWordInRequestLine", 400, "GET / HTTP/1.1 x\r\nHost: a\r\n\r\n"),
                attempt("lowerCaseMethod", 400, "get / HTTP/1.1\r\nHost: a\r\n\r\n"),
                attempt("tlsHandshake", 400, "\u0016\u0003\u0001\u0002\u0000\u0001\u0000\u0001\u00fc\u0003\u0003\r\n\r\n"),
                attempt("badVersion", 400, "GET / HTTX/1.1\r\nHost: a\r\n\r\n"),
                attempt("http09", 400, "GET /\r\n\r\n"),
                attempt("http2", 505, "GET / HTTP/2.0\r\nHost: a\r\n\r\n"));
    }

    private static Arguments attempt(String name, int status, String raw) {
        return Arguments.of(name, status, raw);
    }

    @ParameterizedTest(name = "{0} gets {1}, a closed connection and no upstream request")
    @MethodSource("attempts")
    void smugglingAttemptIsAnsweredByTheProxyAndNeverReachesTheUpstream(String name, int status, String raw)
            throws Exception {
        ScriptedUpstream upstream = upstreams.scripted().echo();
        ProxyServer proxy = FrontProxy.start(upstreams, upstream);
        RawClient client = FrontProxy.client(upstreams, proxy);

        client.send(raw);
        RawClient.Reply reply = client.readResponse();

        assertEquals(status, reply.status(), name);
        assertEquals("close", reply.header("Connection"), name);
        RawClient.Received rest = client.readUntilClose(Duration.ofSeconds(2));
        assertEquals(RawClient.End.EOF, rest.end(), name);
        assertEquals("", rest.string(), name);
        assertEquals(0, upstream.requestCount(), name);
    }

    @Test
    void onlyTheValidRequestBeforeASmuggledOneReachesTheUpstream() throws Exception {
        ScriptedUpstream upstream = upstreams.scripted().echo();
        ProxyServer proxy = FrontProxy.start(upstreams, upstream);
        RawClient client = FrontProxy.client(upstreams, proxy);

        client.send("GET /a HTTP/1.1\r\nHost: a\r\n\r\n"
                + POST + "Content-Length: 44\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n");

        RawClient.Reply first = client.readResponse();
        assertEquals(200, first.status());
        assertEquals(forwardedGet("/a"), first.bodyString());
        assertEquals(400, client.readResponse().status());
        assertEquals(RawClient.End.EOF, client.readUntilClose(Duration.ofSeconds(2)).end());
        assertEquals(1, upstream.requestCount());
        assertEquals(forwardedGet("/a"), upstream.requests().get(0).rawString());
    }

    @Test
    void aRequestHiddenInAContentLengthBodyReachesTheUpstreamAsThatBody() throws Exception {
        ScriptedUpstream upstream = upstreams.scripted().echo();
        ProxyServer proxy = FrontProxy.start(upstreams, upstream);
        RawClient client = FrontProxy.client(upstreams, proxy);
        String hidden = "GET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n";

        client.send(POST + "Content-Length: " + hidden.length() + "\r\n\r\n" + hidden + "GET /b HTTP/1.1\r\nHost: a\r\n\r\n");

        assertEquals(200, client.readResponse().status());
        assertEquals(forwardedGet("/b"), client.readResponse().bodyString());
        assertEquals(2, upstream.requestCount());
        RecordedRequest post = upstream.requests().get(0);
        assertEquals("POST / HTTP/1.1\r\nHost: backend\r\nContent-Length: " + hidden.length() + "\r\n\r\n" + hidden,
                post.rawString());
        assertEquals("/b", upstream.requests().get(1).target());
    }

    @ParameterizedTest(name = "Connection: {0} leaves the body framed as the proxy read it")
    @ValueSource(strings = {"Content-Length", "content-length, keep-alive"})
    void aConnectionOptionNamingContentLengthCannotUnframeTheBody(String option) throws Exception {
        ScriptedUpstream upstream = upstreams.scripted().echo();
        ProxyServer proxy = FrontProxy.start(upstreams, upstream);
        RawClient client = FrontProxy.client(upstreams, proxy);
        String hidden = "GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n";

        client.send(POST + "Connection: " + option + "\r\nContent-Length: " + hidden.length() + "\r\n\r\n" + hidden);
        assertEquals(200, client.readResponse().status());
        client.send(RawClient.get("/b"));

        assertEquals(forwardedGet("/b"), client.readResponse().bodyString());
        assertEquals(2, upstream.requestCount());
        assertEquals("POST / HTTP/1.1\r\nHost: backend\r\nContent-Length: " + hidden.length() + "\r\n\r\n" + hidden,
                upstream.requests().get(0).rawString());
    }

    @Test
    void aConnectionOptionNamingTransferEncodingCannotUnframeAStreamedBody() throws Exception {
        ScriptedUpstream upstream = upstreams.scripted().echo();
        ProxyServer proxy = FrontProxy.start(upstreams, upstream, s -> { }, r -> r.requestBuffering(false));
        RawClient client = FrontProxy.client(upstreams, proxy);

        client.send(POST + "Connection: Transfer-Encoding\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5\r\nhello\r\n0\r\n\r\n");

        assertEquals(200, client.readResponse().status());
        RecordedRequest post = upstream.requests().get(0);
        assertEquals("chunked", post.header("Transfer-Encoding"));
        assertEquals("hello", post.bodyUtf8());
    }

    @Test
    void aChunkedBodyEndsAtItsLastChunkAndWhatFollowsIsParsedAsTheNextRequest() throws Exception {
        ScriptedUpstream upstream = upstreams.scripted().echo();
        ProxyServer proxy = FrontProxy.start(upstreams, upstream);
        RawClient client = FrontProxy.client(upstreams, proxy);

        client.send(CHUNKED + "5\r\nhello\r\n0\r\n\r\n" + "5\r\nworld\r\n0\r\n\r\n");

        assertEquals(200, client.readResponse().status());
        assertEquals(400, client.readResponse().status());
        assertEquals(RawClient.End.EOF, client.readUntilClose(Duration.ofSeconds(2)).end());
        assertEquals(1, upstream.requestCount());
        assertEquals("POST / HTTP/1.1\r\nHost: backend\r\nContent-Length: 5\r\n\r\nhello",
                upstream.requests().get(0).rawString());
    }
}
