package dev.sluice.internal.proxy;

import static dev.sluice.internal.proxy.StreamFixtures.connect;
import static dev.sluice.internal.proxy.StreamFixtures.field;
import static dev.sluice.internal.proxy.StreamFixtures.lower;
import static dev.sluice.internal.proxy.StreamFixtures.readHead;
import static dev.sluice.internal.proxy.StreamFixtures.readToEnd;
import static dev.sluice.internal.proxy.StreamFixtures.sha256;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.internal.proxy.StreamFixtures.DigestSink;
import dev.sluice.internal.proxy.StreamFixtures.StreamingProxy;
import dev.sluice.testing.Upstreams;
import dev.sluice.upstream.UpstreamGroup;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code proxy_request_buffering off}: the body goes to the peer as it arrives; once a byte of the request reached
 * a peer nothing is retried, even an idempotent request, and a failure of the peer mid-body is answered 502 on a
 * closing connection; a connect failure before any byte is retried with the whole body; {@code Expect:
 * 100-continue} is answered once a peer is connected (never when none can be); a client that goes silent gets 408;
 * an early answer from the peer ends the exchange.
 */
class StreamedBodyTest {

    private static final int HALF = 64 * 1024;

    @RegisterExtension
    final Upstreams upstreams = new Upstreams();

    @TempDir
    Path temp;

    private StreamingProxy proxy(Duration bodyTimeout, String... servers) throws IOException {
        return StreamingProxy.start(upstreams, r -> r.requestBuffering(false),
                StreamFixtures.limits(16 * 1024, temp, 0, bodyTimeout), servers);
    }

    private StreamingProxy proxy(String... servers) throws IOException {
        return proxy(Duration.ofSeconds(5), servers);
    }

    /** Answers each request with the SHA-256 of its payload. */
    private StreamUpstream hashing() throws IOException {
        return upstreams.manage(StreamUpstream.start(conn -> {
            for (StreamUpstream.Head head = conn.readHead(); head != null; head = conn.readHead()) {
                DigestSink payload = new DigestSink();
                conn.readBody(head, null, payload);
                String body = payload.hex();
                conn.send("HTTP/1.1 200 OK\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);
            }
        }));
    }

    private static void send(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    private static byte[] bytes(long offset, int length) {
        byte[] b = new byte[length];
        StreamFixtures.fill(offset, b, 0, length);
        return b;
    }

    @Test
    void theBodyReachesThePeerBeforeTheClientHasSentItAll() throws Exception {
        CountDownLatch firstHalf = new CountDownLatch(1);
        CompletableFuture<String> received = new CompletableFuture<>();
        StreamUpstream upstream = upstreams.manage(StreamUpstream.start(conn -> {
            conn.readHead();
            DigestSink payload = new DigestSink();
            StreamFixtures.readExactly(conn.in(), HALF, payload);
            firstHalf.countDown();
            StreamFixtures.readExactly(conn.in(), HALF, payload);
            received.complete(payload.hex());
            conn.send("HTTP/1.1 204 No Content\r\n\r\n");
        }));
        StreamingProxy proxy = proxy(upstream.address());

        try (Socket client = connect(proxy.port(), 0)) {
            OutputStream out = client.getOutputStream();
            send(out, "PUT /up HTTP/1.1\r\nHost: x\r\nContent-Length: " + 2 * HALF + "\r\n\r\n");
            out.write(bytes(0, HALF));

            assertTrue(firstHalf.await(5, TimeUnit.SECONDS), "the peer got nothing before the whole body was sent");
            out.write(bytes(HALF, HALF));
            assertEquals(204, StreamFixtures.status(readHead(client.getInputStream())));
        }
        assertEquals(HexFormat.of().formatHex(sha256().digest(bytes(0, 2 * HALF))), received.get(5, TimeUnit.SECONDS));
        assertEquals(0, proxy.meter().tempFilesOpened());
        assertEquals(0, proxy.meter().bodyMemoryPeak());
    }

    @ParameterizedTest(name = "peer resets: {0}")
    @ValueSource(booleans = {true, false})
    void aPeerFailingMidBodyIsAnswered502OnAClosingConnectionWithoutRetry(boolean reset) throws Exception {
        StreamUpstream failing = upstreams.manage(StreamUpstream.start(conn -> {
            conn.readHead();
            StreamFixtures.readExactly(conn.in(), HALF, OutputStream.nullOutputStream());
            if (reset) {
                conn.socket().setSoLinger(true, 0);
            }
        }));
        StreamUpstream second = hashing();
        StreamingProxy proxy = proxy(failing.address(), second.address());

        try (Socket client = connect(proxy.port(), 0)) {
            OutputStream out = client.getOutputStream();
            // PUT is idempotent: only the streamed body keeps it from another peer
            send(out, "PUT /up HTTP/1.1\r\nHost: x\r\nContent-Length: " + 16 * HALF + "\r\n\r\n");
            out.write(bytes(0, 2 * HALF));
            InputStream in = client.getInputStream();
            String head = readHead(in);

            assertEquals(502, StreamFixtures.status(head), head);
            assertEquals("close", lower(field(head, "Connection")));
            StreamFixtures.readExactly(in, Long.parseLong(field(head, "Content-Length")), new ByteArrayOutputStream());
            assertEquals(-1, in.read(), "the connection stays open");
        }
        assertEquals(1, failing.connectionsAccepted());
        assertEquals(0, second.connectionsAccepted(), "the request was retried");
    }

    @Test
    void aConnectFailureBeforeAnyByteIsRetriedWithTheWholeBody() throws Exception {
        StreamingProxy proxy = proxy(UpstreamHarness.deadAddress(), hashing().address());

        try (Socket client = connect(proxy.port(), 0)) {
            OutputStream out = client.getOutputStream();
            send(out, "POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: " + 2 * HALF + "\r\n\r\n");
            out.write(bytes(0, 2 * HALF));
            InputStream in = client.getInputStream();
            String head = readHead(in);
            assertEquals(200, StreamFixtures.status(head), head);
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            StreamFixtures.readExactly(in, Long.parseLong(field(head, "Content-Length")), body);

            assertEquals(HexFormat.of().formatHex(sha256().digest(bytes(0, 2 * HALF))), body.toString(StandardCharsets.US_ASCII));
        }
    }

    @Test
    void continueIsSentOnceAPeerIsConnectedAndExpectIsNotForwarded() throws Exception {
        CompletableFuture<StreamUpstream.Head> forwarded = new CompletableFuture<>();
        StreamUpstream upstream = upstreams.manage(StreamUpstream.start(conn -> {
            StreamUpstream.Head head = conn.readHead();
            forwarded.complete(head);
            DigestSink payload = new DigestSink();
            conn.readBody(head, null, payload);
            conn.send("HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n");
        }));
        StreamingProxy proxy = proxy(upstream.address());

        try (Socket client = connect(proxy.port(), 0)) {
            OutputStream out = client.getOutputStream();
            InputStream in = client.getInputStream();
            send(out, "POST /up HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
            assertEquals("HTTP/1.1 100 Continue\r\n\r\n", readHead(in));
            send(out, "hello");
            assertEquals(201, StreamFixtures.status(readHead(in)));
        }
        assertNull(forwarded.get(5, TimeUnit.SECONDS).field("Expect"));
    }

    @Test
    void noContinueIsSentWhenNoPeerCanBeReached() throws Exception {
        StreamingProxy proxy = proxy(UpstreamHarness.deadAddress());

        try (Socket client = connect(proxy.port(), 0)) {
            send(client.getOutputStream(), "POST /up HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
            String head = readHead(client.getInputStream());

            assertEquals(502, StreamFixtures.status(head), head);
        }
    }

    @Test
    void aClientThatGoesSilentMidBodyGets408AndThePeerLosesItsConnection() throws Exception {
        CompletableFuture<Throwable> peerSaw = new CompletableFuture<>();
        StreamUpstream upstream = upstreams.manage(StreamUpstream.start(conn -> {
            StreamUpstream.Head head = conn.readHead();
            try {
                conn.readBody(head, null, null);
                peerSaw.complete(null);
            } catch (IOException e) {
                peerSaw.complete(e);
            }
        }));
        StreamingProxy proxy = proxy(Duration.ofMillis(300), upstream.address());

        try (Socket client = connect(proxy.port(), 0)) {
            OutputStream out = client.getOutputStream();
            send(out, "PUT /up HTTP/1.1\r\nHost: x\r\nContent-Length: " + 2 * HALF + "\r\n\r\n");
            out.write(bytes(0, HALF));
            InputStream in = client.getInputStream();
            String head = readHead(in);

            assertEquals(408, StreamFixtures.status(head), head);
            assertEquals("close", lower(field(head, "Connection")));
        }
        assertTrue(peerSaw.get(5, TimeUnit.SECONDS) instanceof EOFException, "the peer's connection was kept");
    }

    @Test
    void anEarlyAnswerFromThePeerEndsTheExchangeOnAClosingConnection() throws Exception {
        StreamUpstream upstream = upstreams.manage(StreamUpstream.start(conn -> {
            conn.readHead();
            conn.send("HTTP/1.1 413 Content Too Large\r\nContent-Length: 4\r\n\r\nbig!");
            conn.in().transferTo(OutputStream.nullOutputStream());
        }));
        StreamingProxy proxy = proxy(upstream.address());

        try (Socket client = connect(proxy.port(), 0)) {
            OutputStream out = client.getOutputStream();
            send(out, "PUT /up HTTP/1.1\r\nHost: x\r\nContent-Length: " + 64 * HALF + "\r\n\r\n");
            out.write(bytes(0, HALF));
            InputStream in = client.getInputStream();
            String head = readHead(in);

            assertEquals(413, StreamFixtures.status(head), head);
            assertEquals("close", lower(field(head, "Connection")));
            assertEquals("big!", readToEnd(in));
        }
    }

    @Test
    void anInterceptedEarlyAnswerClosesTheConnectionSoTheRestOfTheBodyIsNeverARequest() throws Exception {
        String smuggled = "GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n";
        CompletableFuture<String> second = new CompletableFuture<>();
        StreamUpstream upstream = upstreams.manage(StreamUpstream.start(conn -> {
            StreamUpstream.Head head = conn.readHead();
            if (head.target().equals("/smuggled")) {
                second.complete(head.target());
                return;
            }
            StreamFixtures.readExactly(conn.in(), 1000, OutputStream.nullOutputStream());
            conn.send("HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n");
        }));
        StreamingProxy proxy = StreamingProxy.start(upstreams,
                r -> r.requestBuffering(false).interceptErrors(true).errorPage(500, "sorry"),
                StreamFixtures.limits(16 * 1024, temp, 0, Duration.ofSeconds(5)), upstream.address());

        try (Socket client = connect(proxy.port(), 0)) {
            OutputStream out = client.getOutputStream();
            send(out, "POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: " + (1000 + smuggled.length()) + "\r\n\r\n");
            out.write(bytes(0, 1000));
            InputStream in = client.getInputStream();
            String head = readHead(in);
            assertEquals(500, StreamFixtures.status(head), head);
            assertEquals("close", lower(field(head, "Connection")));
            send(out, smuggled); // the rest of the body

            assertEquals("sorry", readToEnd(in));
        }
        assertFalse(second.isDone(), "the rest of the body went to the upstream as a request");
    }

    @Test
    void noLiveUpstreamsClosesTheConnectionSoTheUnreadBodyIsNeverARequest() throws Exception {
        StreamUpstream upstream = hashing();
        UpstreamGroup group = UpstreamGroup.builder("backend").server(upstream.address(), s -> s.down()).build();
        StreamingProxy proxy = StreamingProxy.start(upstreams, group, r -> r.requestBuffering(false),
                StreamFixtures.limits(16 * 1024, temp, 0, Duration.ofSeconds(5)), List.of());
        String smuggled = "GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n";

        try (Socket client = connect(proxy.port(), 0)) {
            OutputStream out = client.getOutputStream();
            send(out, "POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: " + (1000 + smuggled.length()) + "\r\n\r\n");
            out.write(bytes(0, 1000));
            InputStream in = client.getInputStream();
            String head = readHead(in);
            assertEquals(502, StreamFixtures.status(head), head);
            assertEquals("close", lower(field(head, "Connection")));
            send(out, smuggled);

            StreamFixtures.readExactly(in, Long.parseLong(field(head, "Content-Length")), new ByteArrayOutputStream());
            assertEquals(-1, in.read());
        }
        assertEquals(0, upstream.connectionsAccepted());
    }

    @Test
    void aStreamedChunkedBodyOverTheLimitGets413() throws Exception {
        StreamUpstream upstream = upstreams.manage(StreamUpstream.start(conn -> {
            StreamUpstream.Head head = conn.readHead();
            conn.readBody(head, null, null);
        }));
        StreamingProxy proxy = StreamingProxy.start(upstreams, r -> r.requestBuffering(false),
                StreamFixtures.limits(16 * 1024, temp, 1024, Duration.ofSeconds(5)), upstream.address());

        try (Socket client = connect(proxy.port(), 0)) {
            OutputStream out = client.getOutputStream();
            send(out, "POST /up HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n400\r\n");
            out.write(bytes(0, 1024));
            send(out, "\r\n1\r\nx\r\n");
            String head = readHead(client.getInputStream());

            assertEquals(413, StreamFixtures.status(head), head);
            assertEquals("close", lower(field(head, "Connection")));
        }
    }

    @Test
    void aPipelinedRequestAfterAStreamedBodyIsServed() throws Exception {
        MessageDigest expected = sha256();
        byte[] body = bytes(0, 3000);
        StreamingProxy proxy = proxy(hashing().address());

        try (Socket client = connect(proxy.port(), 0)) {
            OutputStream out = client.getOutputStream();
            ByteArrayOutputStream both = new ByteArrayOutputStream();
            both.writeBytes("POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 3000\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            both.writeBytes(body);
            both.writeBytes("GET /b HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.write(both.toByteArray());
            InputStream in = client.getInputStream();

            String first = readHead(in);
            ByteArrayOutputStream digest = new ByteArrayOutputStream();
            StreamFixtures.readExactly(in, Long.parseLong(field(first, "Content-Length")), digest);
            assertEquals(HexFormat.of().formatHex(expected.digest(body)), digest.toString(StandardCharsets.US_ASCII));
            assertEquals(200, StreamFixtures.status(readHead(in)));
        }
    }
}
