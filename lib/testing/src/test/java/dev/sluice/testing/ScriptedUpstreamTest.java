package dev.sluice.testing;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.testing.RawClient.End;
import dev.sluice.testing.RawClient.Received;
import dev.sluice.testing.RawClient.Reply;
import dev.sluice.testing.ScriptedUpstream.Response;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.URL;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ScriptedUpstreamTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    @RegisterExtension
    final Upstreams upstreams = new Upstreams();

    /** A response as the JDK's own keep-alive HTTP client (HttpURLConnection) saw it. */
    private static final class JdkResponse {
        final int status;
        final Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        final String body;

        JdkResponse(HttpURLConnection connection) throws IOException {
            status = connection.getResponseCode();
            connection.getHeaderFields().forEach((name, values) -> {
                if (name != null) {
                    headers.put(name, values.get(0));
                }
            });
            try (InputStream in = status >= 400 ? connection.getErrorStream() : connection.getInputStream()) {
                body = in == null ? "" : new String(in.readAllBytes(), ISO_8859_1);
            }
        }
    }

    /** GETs through the JDK client, which pools keep-alive connections like a proxy does. */
    private static JdkResponse get(ScriptedUpstream upstream, String target) throws IOException {
        HttpURLConnection connection =
                (HttpURLConnection) new URL("http://" + upstream.address() + target).openConnection();
        connection.setConnectTimeout((int) WAIT.toMillis());
        connection.setReadTimeout((int) WAIT.toMillis());
        return new JdkResponse(connection);
    }

    private static Received untilClose(RawClient client) throws IOException {
        return client.readUntilClose(WAIT);
    }

    // ------------------------------------------------------------------ basics

    @Test
    void listensOnLoopbackWithAnEphemeralPort() {
        ScriptedUpstream upstream = upstreams.scripted();
        assertTrue(upstream.port() > 0);
        assertEquals("127.0.0.1:" + upstream.port(), upstream.address());
        assertEquals(0, upstream.connectionsAccepted());
        assertEquals(0, upstream.requestCount());
    }

    @Test
    void defaultResponseIsOkWithContentLength() throws Exception {
        ScriptedUpstream upstream = upstreams.scripted();
        JdkResponse response = get(upstream, "/");
        assertEquals(200, response.status);
        assertEquals("ok", response.body);
        assertEquals("2", response.headers.get("content-length"));
    }

    @Test
    void scriptedResponsesAreServedInOrderThenTheDefault() throws Exception {
        ScriptedUpstream upstream = upstreams.scripted();
        upstream.enqueue(Response.builder().status(503).header("X-Try", "1").body("busy"));
        upstream.enqueue(Response.builder().status(201, "Made").body("made"));
        upstream.defaultResponse(Response.builder().status(404).build());

        JdkResponse first = get(upstream, "/1");
        assertEquals(503, first.status);
        assertEquals("busy", first.body);
        assertEquals("1", first.headers.get("x-try"));
        assertEquals(201, get(upstream, "/2").status);
        assertEquals(404, get(upstream, "/3").status);
        assertEquals(List.of("/1", "/2", "/3"),
                upstream.requests().stream().map(RecordedRequest::target).collect(Collectors.toList()));
        assertEquals(0, upstream.queuedResponses());
    }

    @Test
    void recordsParsedRequestAndItsExactRawBytes() throws Exception {
        ScriptedUpstream upstream = upstreams.scripted();
        String sent = "POST /submit?x=1 HTTP/1.1\r\nHost: up\r\nX-Dup: a\r\nx-dup: b\r\nContent-Length: 5\r\n\r\nhello";
        try (RawClient client = RawClient.connect(upstream.port())) {
            client.send(sent);
            assertEquals(200, client.readResponse().status());

            RecordedRequest request = upstream.takeRequest(WAIT);
            assertNotNull(request);
            assertEquals("POST", request.method());
            assertEquals("/submit?x=1", request.target());
            assertEquals("HTTP/1.1", request.version());
            assertEquals("up", request.header("HOST"));
            assertEquals(List.of("a", "b"), request.headerValues("X-DUP"));
            assertEquals("x-dup", request.headerList().get(2).getKey());
            assertEquals("hello", request.bodyUtf8());
            assertEquals(sent, request.rawString());
            assertEquals(0, request.connectionSequence());
            assertEquals(0, request.requestIndex());
            assertEquals(client.localPort(), request.clientPort());
            assertNull(request.parseError());
        }
    }

    @Test
    void chunkedRequestBodyIsDecodedAndItsFramingKeptInTheRawBytes() throws Exception {
        ScriptedUpstream upstream = upstreams.scripted();
        String sent = "POST /c HTTP/1.1\r\nHost: up\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "3;ext=1\r\nabc\r\nA\r\n0123456789\r\n0\r\nX-Trailer: t\r\n\r\n";
        try (RawClient client = RawClient.connect(upstream.port())) {
            client.send(sent);
            assertEquals(200, client.readResponse().status());
        }
        RecordedRequest request = upstream.takeRequest(WAIT);
        assertEquals("abc0123456789", request.bodyUtf8());
        assertEquals(sent, request.rawString());
    }

    @Test
    void pipelinedRequestsAreRecordedSeparatelyOnOneConnection() throws Exception {
        ScriptedUpstream upstream = upstreams.scripted();
        upstream.enqueue(Response.ok("first")).enqueue(Response.ok("second"));
        try (RawClient client = RawClient.connect(upstream.port())) {
            client.send(RawClient.get("/a") + "POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\nZ");
            assertEquals("first", client.readResponse().bodyString());
            assertEquals("second", client.readResponse().bodyString());
        }
        List<RecordedRequest> requests = upstream.requests();
        assertEquals(2, requests.size());
        assertEquals(RawClient.get("/a"), requests.get(0).rawString());
        assertEquals("Z", requests.get(1).bodyUtf8());
        assertEquals(0, requests.get(1).connectionSequence());
        assertEquals(1, requests.get(1).requestIndex());
        assertEquals(1, upstream.connectionsAccepted());
    }

    @Test
    void connectionsAreNumberedInAcceptOrder() throws Exception {
        ScriptedUpstream upstream = upstreams.scripted();
        try (RawClient a = RawClient.connect(upstream.port()); RawClient b = RawClient.connect(upstream.port())) {
            a.send(RawClient.get("/a"));
            a.readResponse();
            b.send(RawClient.get("/b"));
            b.readResponse();
            assertEquals(2, upstream.connectionsAccepted());
            assertEquals(2, upstream.openConnections());
        }
        assertEquals(0, upstream.takeRequest(WAIT).connectionSequence());
        assertEquals(1, upstream.takeRequest(WAIT).connectionSequence());
    }

    @Test
    void takeRequestReturnsNullWhenNoneArrives() throws Exception {
        ScriptedUpstream upstream = upstreams.scripted();
        assertNull(upstream.takeRequest(Duration.ofMillis(50)));
    }

    @Test
    void malformedRequestIsRecordedAndAnswered400() throws Exception {
        ScriptedUpstream upstream = upstreams.scripted();
        try (RawClient client = RawClient.connect(upstream.port())) {
            client.send("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1, 2\r\n\r\n");
            Reply reply = client.readResponse();
            assertEquals(400, reply.status());
            assertEquals("close", reply.header("Connection"));
            assertEquals(End.EOF, untilClose(client).end());
        }
        RecordedRequest request = upstream.takeRequest(WAIT);
        assertEquals("GET", request.method());
        assertNotNull(request.parseError());
    }

    @Test
    void expectContinueGetsAnInterimResponseBeforeTheBodyIsRead() throws Exception {
        ScriptedUpstream upstream = upstreams.scripted();
        try (RawClient client = RawClient.connect(upstream.port())) {
            client.send("PUT /p HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n");
            assertEquals(100, client.readResponse().status());
            client.send("abc");
            assertEquals(200, client.readResponse().status());
        }
        assertEquals("abc", upstream.takeRequest(WAIT).bodyUtf8());
    }

    @Test
    void headRequestGetsTheLengthButNoBody() throws Exception {
        ScriptedUpstream upstream = upstreams.scripted();
        upstream.enqueue(Response.ok("twelve bytes"));
        try (RawClient client = RawClient.connect(upstream.port())) {
            client.send("HEAD / HTTP/1.1\r\nHost: x\r\n\r\n" + RawClient.get("/next"));
            Reply head = client.readHeadResponse();
            assertEquals("12", head.header("Content-Length"));
            assertEquals("ok", client.readResponse().bodyString());
        }
    }

    // ------------------------------------------------------------------ response shapes

    @Test
    void chunkedResponseParses() throws Exception {
        ScriptedUpstream upstream = upstreams.scripted();
        upstream.enqueue(Response.builder().body("0123456789").chunked(4));
        upstream.enqueue(Response.builder().body("0123456789").chunked(3));
        JdkResponse viaJdk = get(upstream, "/");
        assertEquals("0123456789", viaJdk.body);
        assertEquals("chunked", viaJdk.headers.get("transfer-encoding"));
        try (RawClient client = RawClient.connect(upstream.port())) {
            Reply reply = client.send(RawClient.get("/")).readResponse();
            assertTrue(reply.chunked());
            assertEquals("0123456789", reply.bodyString());
            assertTrue(reply.rawString().endsWith("\r\n\r\n3\r\n012\r\n3\r\n345\r\n3\r\n678\r\n1\r\n9\r\n0\r\n\r\n"),
                    reply.rawString());
            assertNull(reply.header("Content-Length"));
        }
    }

    @Test
    void keepAliveTimeoutHelperAddsTheHeader() throws Exception {
        ScriptedUpstream upstream = upstreams.scripted();
        upstream.enqueue(Response.builder().keepAliveTimeout(5));
        assertEquals("timeout=5", get(upstream, "/").headers.get("keep-alive"));
    }

    @Test
    void headerOfSizeSendsAnOversizedHeader() throws Exception {
        ScriptedUpstream upstream = upstreams.scripted();
        upstream.enqueue(Response.builder().headerOfSize(20_000));
        try (RawClient client = RawClient.connect(upstream.port())) {
            Reply reply = client.send(RawClient.get("/")).readResponse();
            assertEquals(20_000, reply.header("X-Oversized").length());
        }
    }

    @Test
    void delayHeadHoldsTheResponseBack() throws Exception {
        ScriptedUpstream upstream = upstreams.scripted();
        upstream.enqueue(Response.builder().body("late").delayHead(Duration.ofMillis(200)));
        long start = System.nanoTime();
        assertEquals("late", get(upstream, "/").body);
        assertTrue(System.nanoTime() - start >= 190_000_000L);
    }

    @Test
    void throttledBodyDripsButArrivesWhole() throws Exception {
        ScriptedUpstream upstream = upstreams.scripted();
        upstream.enqueue(Response.builder().body("abcdef").throttleBody(2, Duration.ofMillis(60)));
        try (RawClient client = RawClient.connect(upstream.port())) {
            client.send(RawClient.get("/"));
            long start = System.nanoTime();
            assertEquals("abcdef", client.readResponse().bodyString());
            assertTrue(System.nanoTime() - start >= 110_000_000L);
        }
    }

    @Test
    void rawResponseSendsExactBytesAndKeepsTheConnection() throws Exception {
        ScriptedUpstream upstream = upstreams.scripted();
        String raw = "HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi";
        upstream.enqueue(Response.builder().rawResponse(raw));
        try (RawClient client = RawClient.connect(upstream.port())) {
            client.send(RawClient.get("/"));
            Reply interim = client.readResponse();
            assertEquals(103, interim.status());
            Reply last = client.readResponse();
            assertEquals("hi", last.bodyString());
            assertEquals(raw, interim.rawString() + last.rawString());
            assertEquals("ok", client.send(RawClient.get("/again")).readResponse().bodyString());
        }
    }

    @Test
    void bodyUntilCloseHasNoFramingAndEndsWithFin() throws Exception {
        ScriptedUpstream upstream = upstreams.scripted();
        upstream.enqueue(Response.builder().body("to the end").bodyUntilClose());
        try (RawClient client = RawClient.connect(upstream.port())) {
            Reply reply = client.send(RawClient.get("/")).readResponse();
            assertEquals("to the end", reply.bodyString());
            assertNull(reply.header("Content-Length"));
            assertNull(reply.header("Transfer-Encoding"));
        }
    }

    @Test
    void requestAskingForCloseGetsConnectionCloseAndFin() throws Exception {
        ScriptedUpstream upstream = upstreams.scripted();
        try (RawClient client = RawClient.connect(upstream.port())) {
            client.send("GET / HTTP/1.0\r\n\r\n");
            assertEquals("close", client.readResponse().header("Connection"));
            assertEquals(End.EOF, untilClose(client).end());
        }
    }

    // ------------------------------------------------------------------ faults

    @Test
    void closeAfterResponseAnnouncesItAndSendsFin() throws Exception {
        ScriptedUpstream upstream = upstreams.scripted();
        upstream.enqueue(Response.builder().body("bye").closeAfterResponse());
        try (RawClient client = RawClient.connect(upstream.port())) {
            Reply reply = client.send(RawClient.get("/")).readResponse();
            assertEquals("close", reply.header("Connection"));
            Received rest = untilClose(client);
            assertEquals(End.EOF, rest.end());
            assertEquals(0, rest.bytes().length);
        }
    }

    @Test
    void resetMidBodyGivesTheClientAReset() throws Exception {
        ScriptedUpstream upstream = upstreams.scripted();
        upstream.enqueue(Response.builder().body("0123456789").resetMidBody(4));
        upstream.enqueue(Response.builder().body("0123456789").resetMidBody(4));
        try (RawClient client = RawClient.connect(upstream.port())) {
            Received received = client.send(RawClient.get("/")).readUntilClose(WAIT);
            assertEquals(End.RESET, received.end());
            assertTrue(received.string().startsWith("HTTP/1.1 200 OK\r\n"), received.string());
            assertTrue(received.string().endsWith("Content-Length: 10\r\n\r\n0123"), received.string());
        }
        assertThrows(IOException.class, () -> get(upstream, "/"));
    }

    @Test
    void closeMidBodyTruncatesWithFin() throws Exception {
        ScriptedUpstream upstream = upstreams.scripted();
        upstream.enqueue(Response.builder().body("0123456789").closeMidBody(6));
        upstream.enqueue(Response.builder().body("0123456789").closeMidBody(6));
        try (RawClient client = RawClient.connect(upstream.port())) {
            Received received = client.send(RawClient.get("/")).readUntilClose(WAIT);
            assertEquals(End.EOF, received.end());
            assertTrue(received.string().endsWith("\r\n\r\n012345"), received.string());
        }
        try (RawClient client = RawClient.connect(upstream.port())) {
            assertThrows(EOFException.class, () -> client.send(RawClient.get("/")).readResponse());
        }
    }

    @Test
    void noResponseReadsTheRequestThenCloses() throws Exception {
        ScriptedUpstream upstream = upstreams.scripted();
        upstream.enqueue(Response.builder().noResponse());
        try (RawClient client = RawClient.connect(upstream.port())) {
            Received received = client.send(RawClient.get("/lost")).readUntilClose(WAIT);
            assertEquals(End.EOF, received.end());
            assertEquals(0, received.bytes().length);
        }
        assertEquals("/lost", upstream.takeRequest(WAIT).target());
    }

    @Test
    void resetOnRequestReadsTheRequestThenResets() throws Exception {
        ScriptedUpstream upstream = upstreams.scripted();
        upstream.enqueue(Response.builder().resetOnRequest());
        try (RawClient client = RawClient.connect(upstream.port())) {
            Received received = client.send(RawClient.get("/rst")).readUntilClose(WAIT);
            assertEquals(End.RESET, received.end());
            assertEquals(0, received.bytes().length);
        }
        assertEquals("/rst", upstream.takeRequest(WAIT).target());
    }

    @Test
    void stallForeverHoldsTheConnectionUntilTheUpstreamCloses() throws Exception {
        ScriptedUpstream upstream = upstreams.scripted();
        upstream.enqueue(Response.builder().stallForever());
        try (RawClient client = RawClient.connect(upstream.port())) {
            client.send(RawClient.get("/"));
            assertEquals(End.TIMEOUT, client.readUntilClose(Duration.ofMillis(150)).end());
            assertEquals(1, upstream.requestCount());
            upstream.close();
            assertEquals(End.EOF, untilClose(client).end());
        }
    }

    // ------------------------------------------------------------------ connection policies

    @Test
    void closeAfterRequestsDropsTheConnectionSilentlySoTheNextRequestSeesEof() throws Exception {
        ScriptedUpstream upstream = upstreams.scripted();
        upstream.closeAfterRequests(2);
        try (RawClient client = RawClient.connect(upstream.port())) {
            for (int i = 0; i < 2; i++) {
                Reply reply = client.send(RawClient.get("/" + i)).readResponse();
                assertEquals(200, reply.status());
                assertNull(reply.header("Connection"), "the close must not be announced");
            }
            Received third = client.send(RawClient.get("/2")).readUntilClose(WAIT);
            assertEquals(End.EOF, third.end());
            assertEquals(0, third.bytes().length);
        }
        assertEquals(2, upstream.requestCount());
    }

    @Test
    void closeAfterRequestsWithRstInsteadOfFinResets() throws Exception {
        ScriptedUpstream upstream = upstreams.scripted();
        upstream.closeAfterRequests(1).rstInsteadOfFin(true);
        try (RawClient client = RawClient.connect(upstream.port())) {
            assertEquals("ok", client.send(RawClient.get("/")).readResponse().bodyString());
            assertEquals(End.RESET, untilClose(client).end());
        }
    }

    @Test
    void aDelayedCloseAfterRequestsLeavesTheConnectionOpenThatLongAndAnswersNothingMeanwhile() throws Exception {
        ScriptedUpstream upstream = upstreams.scripted();
        upstream.closeAfterRequests(1, Duration.ofMillis(300));
        try (RawClient client = RawClient.connect(upstream.port())) {
            assertEquals("ok", client.send(RawClient.get("/0")).readResponse().bodyString());
            long sent = System.nanoTime();
            Received second = client.send(RawClient.get("/1")).readUntilClose(WAIT);
            assertTrue(System.nanoTime() - sent >= Duration.ofMillis(250).toNanos(), "open until the delay ran out");
            assertEquals(0, second.bytes().length);
            assertTrue(second.end() == End.RESET || second.end() == End.EOF, second.toString());
        }
        assertEquals(1, upstream.requestCount(), "the request sent meanwhile was never read");
    }

    @Test
    void jdkClientRecoversFromClosedKeepAliveConnectionsOnANewOne() throws Exception {
        ScriptedUpstream upstream = upstreams.scripted();
        upstream.identity().closeAfterRequests(1);
        for (int i = 0; i < 3; i++) {
            assertEquals(Integer.toString(upstream.port()), get(upstream, "/").body);
        }
        assertEquals(3, upstream.connectionsAccepted());
        assertEquals(List.of(0, 1, 2), upstream.requests().stream()
                .map(RecordedRequest::connectionSequence).collect(Collectors.toList()));
    }

    @Test
    void closeWhenIdleClosesAQuietConnectionButNotABusyOne() throws Exception {
        ScriptedUpstream upstream = upstreams.scripted();
        upstream.closeWhenIdle(Duration.ofMillis(300));
        try (RawClient client = RawClient.connect(upstream.port())) {
            for (int i = 0; i < 3; i++) {
                assertEquals(200, client.send(RawClient.get("/" + i)).readResponse().status());
                Thread.sleep(50);
            }
            long start = System.nanoTime();
            Received received = untilClose(client);
            assertEquals(End.EOF, received.end());
            assertTrue(System.nanoTime() - start >= 200_000_000L);
        }
        assertEquals(1, upstream.connectionsAccepted());
    }

    @Test
    void closeWhenIdleWithRstResets() throws Exception {
        ScriptedUpstream upstream = upstreams.scripted();
        upstream.closeWhenIdle(Duration.ofMillis(100)).rstInsteadOfFin(true);
        try (RawClient client = RawClient.connect(upstream.port())) {
            client.send(RawClient.get("/")).readResponse();
            assertEquals(End.RESET, untilClose(client).end());
        }
    }

    // ------------------------------------------------------------------ modes

    @Test
    void echoAnswersWithTheRawRequest() throws Exception {
        ScriptedUpstream upstream = upstreams.scripted();
        upstream.echo();
        String sent = "PATCH /e HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n";
        try (RawClient client = RawClient.connect(upstream.port())) {
            assertArrayEquals(sent.getBytes(ISO_8859_1), client.send(sent).readResponse().body());
        }
        assertTrue(get(upstream, "/via-jdk").body.startsWith("GET /via-jdk HTTP/1.1\r\n"));
    }

    @Test
    void identityAnswersWithThePort() throws Exception {
        List<ScriptedUpstream> peers = upstreams.scripted(2);
        for (ScriptedUpstream peer : peers) {
            peer.identity();
            assertEquals(Integer.toString(peer.port()), get(peer, "/").body);
        }
    }

    @Test
    void aThrottledRawResponseArrivesWholeInPieces() throws Exception {
        ScriptedUpstream upstream = upstreams.scripted();
        upstream.enqueue(Response.builder().rawResponse("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
                .throttleBody(5, Duration.ofMillis(1)));
        RawClient client = upstreams.rawClient(upstream.port());

        RawClient.Reply reply = client.send(RawClient.get("/")).readResponse();

        assertEquals(200, reply.status());
        assertEquals("ok", reply.bodyString());
    }

    @Test
    void respondWithComputesFromTheRequest() throws Exception {
        ScriptedUpstream upstream = upstreams.scripted();
        upstream.respondWith(request -> Response.ok(request.target().toUpperCase()));
        assertEquals("/SHOUT", get(upstream, "/shout").body);
        assertEquals("/shout", upstream.takeRequest(WAIT).target());
    }

    // ------------------------------------------------------------------ lifecycle

    @Test
    void closeStopsEveryThreadAndRefusesConnections() throws Exception {
        ScriptedUpstream upstream = ScriptedUpstream.start();
        upstream.enqueue(Response.builder().stallForever());
        RawClient stalled = RawClient.connect(upstream.port());
        stalled.send(RawClient.get("/"));
        upstream.takeRequest(WAIT);
        RawClient idle = RawClient.connect(upstream.port());
        long accepted = System.nanoTime() + WAIT.toNanos();
        while (upstream.connectionsAccepted() < 2 && System.nanoTime() < accepted) {
            Thread.sleep(5); // a connection still in the listen backlog would be reset by the close, not closed
        }
        assertEquals(2, upstream.connectionsAccepted());

        upstream.close();
        assertTrue(upstream.isClosed());
        assertEquals(End.EOF, untilClose(stalled).end());
        assertEquals(End.EOF, untilClose(idle).end());
        stalled.close();
        idle.close();
        assertThrows(ConnectException.class, () -> RawClient.connect(upstream.port()));
        String prefix = "scripted-upstream-" + upstream.port() + "-";
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().startsWith(prefix))
                && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertFalse(Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().startsWith(prefix)));
        upstream.close(); // idempotent
    }
}
