package dev.sluice.internal.proxy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.sluice.Route;
import dev.sluice.internal.proxy.StreamFixtures.StreamingProxy;
import dev.sluice.testing.RawClient;
import dev.sluice.testing.RecordedRequest;
import dev.sluice.testing.ScriptedUpstream;
import dev.sluice.testing.ScriptedUpstream.Response;
import dev.sluice.testing.Upstreams;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * How a chunked request body reaches the peer, as nginx sends it: a body read whole first ({@code
 * proxy_request_buffering on}, or any chunked body for an HTTP/1.0 peer) goes with {@code Content-Length} and its
 * payload alone — no chunk sizes, extensions or trailers — from memory, from a temporary file and again on a retry;
 * a streamed body to an HTTP/1.1 peer goes chunked, byte for byte as the client sent it. A Content-Length body goes
 * as it came either way.
 */
class ChunkedRequestBodyTest {

    private static final String CHUNKED_HEAD = "Host: x\r\nTransfer-Encoding: chunked\r\n\r\n";

    @RegisterExtension
    final Upstreams upstreams = new Upstreams();

    @TempDir
    Path temp;

    /** A chunked body of {@code payload}, in chunks of up to {@code chunk} bytes, each size line with an extension. */
    private static String chunked(String payload, int chunk) {
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < payload.length(); i += chunk) {
            String part = payload.substring(i, Math.min(payload.length(), i + chunk));
            body.append(Integer.toHexString(part.length())).append(";n=").append(i).append("\r\n").append(part).append("\r\n");
        }
        return body.append("0\r\nX-Checksum: abc\r\n\r\n").toString();
    }

    /** A payload of {@code length} printable bytes that differ from one position to the next. */
    private static String payload(int length) {
        StringBuilder s = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            s.append((char) ('a' + i * 7 % 26));
        }
        return s.toString();
    }

    private StreamingProxy proxy(Consumer<Route.Builder> route, int bodyBufferSize, ScriptedUpstream... servers)
            throws Exception {
        String[] addresses = new String[servers.length];
        for (int i = 0; i < servers.length; i++) {
            addresses[i] = servers[i].address();
        }
        return StreamingProxy.start(upstreams, route, StreamFixtures.limits(bodyBufferSize, temp, 0, Duration.ofSeconds(5)),
                addresses);
    }

    private RecordedRequest send(StreamingProxy proxy, ScriptedUpstream upstream, String request) throws Exception {
        RawClient client = upstreams.rawClient(proxy.port()).timeout(Duration.ofSeconds(5));
        client.send(request);
        assertEquals(200, client.readResponse().status());
        return upstream.requests().get(upstream.requestCount() - 1);
    }

    private static void assertSentWithContentLength(String method, String version, String payload, RecordedRequest r) {
        assertEquals(method + " /b " + version + "\r\nHost: backend\r\nContent-Length: " + payload.length() + "\r\n",
                r.rawString().substring(0, r.rawString().indexOf("\r\n\r\n") + 2), "head");
        assertNull(r.header("Transfer-Encoding"));
        assertNull(r.header("X-Checksum"), "the trailer went nowhere");
        assertArrayEquals(payload.getBytes(StandardCharsets.US_ASCII), r.body());
        assertEquals(payload, r.rawString().substring(r.rawString().indexOf("\r\n\r\n") + 4), "nothing after the payload");
    }

    @Test
    void aBufferedChunkedBodyGoesWithContentLengthAndItsPayloadAlone() throws Exception {
        ScriptedUpstream upstream = upstreams.scripted().echo();
        StreamingProxy proxy = proxy(r -> { }, 16 * 1024, upstream);

        RecordedRequest received = send(proxy, upstream, "POST /b HTTP/1.1\r\n" + CHUNKED_HEAD + chunked("hello world", 4));

        assertSentWithContentLength("POST", "HTTP/1.1", "hello world", received);
        assertEquals(0, proxy.meter().tempFilesOpened());
    }

    @Test
    void aBufferedChunkedBodyWithNoPayloadGoesWithContentLengthZero() throws Exception {
        ScriptedUpstream upstream = upstreams.scripted().echo();
        StreamingProxy proxy = proxy(r -> { }, 16 * 1024, upstream);

        RecordedRequest received = send(proxy, upstream, "POST /b HTTP/1.1\r\n" + CHUNKED_HEAD + "0\r\n\r\n");

        assertSentWithContentLength("POST", "HTTP/1.1", "", received);
    }

    @Test
    void aChunkedBodyInATemporaryFileGoesWithContentLengthAndItsPayloadAlone() throws Exception {
        ScriptedUpstream upstream = upstreams.scripted().echo();
        StreamingProxy proxy = proxy(r -> { }, 1024, upstream);
        String payload = payload(5000);

        RecordedRequest received = send(proxy, upstream, "POST /b HTTP/1.1\r\n" + CHUNKED_HEAD + chunked(payload, 300));

        assertSentWithContentLength("POST", "HTTP/1.1", payload, received);
        assertEquals(1, proxy.meter().tempFilesOpened());
    }

    @Test
    void aRetryResendsABufferedChunkedBodyFromItsFileWithContentLength() throws Exception {
        ScriptedUpstream failing = upstreams.scripted().defaultResponse(Response.builder().resetOnRequest().build());
        ScriptedUpstream good = upstreams.scripted().echo();
        StreamingProxy proxy = proxy(r -> { }, 1024, failing, good);
        String payload = payload(5000);

        RecordedRequest received = send(proxy, good, "PUT /b HTTP/1.1\r\n" + CHUNKED_HEAD + chunked(payload, 300));

        assertEquals(1, failing.requestCount());
        assertSentWithContentLength("PUT", "HTTP/1.1", payload, failing.requests().get(0));
        assertSentWithContentLength("PUT", "HTTP/1.1", payload, received);
        assertEquals(1, proxy.meter().tempFilesOpened(), "both attempts read the one file");
    }

    @Test
    void aChunkedBodyForAnHttp10PeerIsBufferedAndGoesWithContentLengthThoughRequestBufferingIsOff()
            throws Exception {
        ScriptedUpstream upstream = upstreams.scripted().echo();
        StreamingProxy proxy = proxy(r -> r.httpVersion("1.0").requestBuffering(false), 16 * 1024, upstream);

        RecordedRequest received = send(proxy, upstream, "POST /b HTTP/1.1\r\n" + CHUNKED_HEAD + chunked("hello world", 4));

        assertEquals("HTTP/1.0", received.version());
        assertEquals("11", received.header("Content-Length"));
        assertNull(received.header("Transfer-Encoding"));
        assertEquals("hello world", received.bodyUtf8());
        assertEquals("hello world", received.rawString().substring(received.rawString().indexOf("\r\n\r\n") + 4));
    }

    @Test
    void aStreamedChunkedBodyForAnHttp11PeerGoesChunkedByteForByteWithoutItsTrailers() throws Exception {
        ScriptedUpstream upstream = upstreams.scripted().echo();
        StreamingProxy proxy = proxy(r -> r.requestBuffering(false), 16 * 1024, upstream);
        String body = chunked("hello world", 4);

        RecordedRequest received = send(proxy, upstream, "POST /b HTTP/1.1\r\n" + CHUNKED_HEAD + body);

        assertEquals("POST /b HTTP/1.1\r\nHost: backend\r\nTransfer-Encoding: chunked\r\n\r\n"
                + body.replace("X-Checksum: abc\r\n", ""), received.rawString());
    }

    @Test
    void trailersThatComeAfterTheLastChunkInALaterReadStayBehindToo() throws Exception {
        ScriptedUpstream upstream = upstreams.scripted().echo();
        StreamingProxy proxy = proxy(r -> r.requestBuffering(false), 16 * 1024, upstream);
        RawClient client = upstreams.rawClient(proxy.port()).timeout(Duration.ofSeconds(5));

        client.send("POST /b HTTP/1.1\r\n" + CHUNKED_HEAD + "5\r\nhello\r\n0\r\nX-Real-");
        Thread.sleep(100); // the rest comes in another read: the proxy has sent the chunks by then
        client.send("IP: 6.6.6.6\r\nAuthorization: Basic YWRtaW46YWRtaW4=\r\n\r\n");

        assertEquals(200, client.readResponse().status());
        assertEquals("POST /b HTTP/1.1\r\nHost: backend\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
                upstream.requests().get(0).rawString());
    }

    @ParameterizedTest(name = "proxy_request_buffering {0}, proxy_http_version {1}")
    @CsvSource({"true, 1.1", "false, 1.1", "true, 1.0", "false, 1.0"})
    void aContentLengthBodyGoesAsItCame(boolean buffering, String version) throws Exception {
        ScriptedUpstream upstream = upstreams.scripted().echo();
        StreamingProxy proxy = proxy(r -> r.requestBuffering(buffering).httpVersion(version), 16 * 1024, upstream);

        RecordedRequest received = send(proxy, upstream,
                "POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\nX-A: 1\r\n\r\nhello world");

        assertEquals("POST /b HTTP/" + version + "\r\nHost: backend\r\nContent-Length: 11\r\nX-A: 1\r\n"
                + (version.equals("1.0") ? "Connection: close\r\n" : "") + "\r\nhello world", received.rawString());
    }
}
