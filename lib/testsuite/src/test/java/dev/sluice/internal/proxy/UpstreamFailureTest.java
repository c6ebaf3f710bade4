package dev.sluice.internal.proxy;

import static dev.sluice.internal.proxy.UpstreamHarness.deadAddress;
import static dev.sluice.internal.proxy.UpstreamHarness.group;
import static dev.sluice.internal.proxy.UpstreamHarness.peer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.ProxyServer;
import dev.sluice.observe.ExchangeRecord;
import dev.sluice.testing.RawClient;
import dev.sluice.testing.ScriptedUpstream;
import dev.sluice.testing.ScriptedUpstream.Response;
import dev.sluice.testing.Upstreams;
import dev.sluice.upstream.UpstreamGroup;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * How each way a peer can fail reaches the client, as nginx maps it: an error (refused, reset, closed before a
 * complete head) is 502, a timeout (connect, send, read) is 504, an invalid or too big head is 502; a failure after
 * the response head went to the client cuts the response and is neither retried nor counted.
 */
class UpstreamFailureTest {

    private static final Duration SHORT = Duration.ofMillis(300);
    private static final String SMALL_RESPONSE = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

    @RegisterExtension
    final Upstreams upstreams = new Upstreams();

    private final UpstreamHarness proxy = new UpstreamHarness(upstreams);

    @Test
    void aRefusedConnectAnswers502() throws Exception {
        String dead = deadAddress();
        proxy.start(group(dead), r -> { });

        assertEquals(502, proxy.get("/x").status());
        assertEquals("502", proxy.exchange().upstreamStatus());
    }

    @Test
    void theClientConnectionStaysOpenAfterA502ForTheNextRequest() throws Exception {
        ScriptedUpstream flaky = upstreams.scripted().identity();
        flaky.enqueue(Response.builder().resetOnRequest());
        proxy.start(group(flaky.address()), r -> { });

        RawClient client = proxy.client();
        RawClient.Reply failed = client.send(RawClient.get("/a")).readResponse();
        RawClient.Reply served = client.send(RawClient.get("/b")).readResponse();

        assertEquals(502, failed.status());
        assertEquals("keep-alive", failed.header("Connection"));
        assertEquals(200, served.status());
    }

    @Test
    void aReadTimeoutAnswers504() throws Exception {
        ScriptedUpstream silent = upstreams.scripted().defaultResponse(Response.builder().stallForever().build());
        proxy.start(group(silent.address()), r -> r.readTimeout(SHORT));

        assertEquals(504, proxy.get("/x").status());
        ExchangeRecord record = proxy.exchange();
        assertEquals("504", record.upstreamStatus());
        assertEquals("-", record.upstreamHeaderTime());
    }

    @Test
    void aReadTimeoutIsRetriedOnTheNextPeerByDefault() throws Exception {
        ScriptedUpstream silent = upstreams.scripted().defaultResponse(Response.builder().stallForever().build());
        ScriptedUpstream good = upstreams.scripted().identity();
        UpstreamGroup group = group(silent.address(), good.address());
        proxy.start(group, r -> r.readTimeout(SHORT));

        assertEquals(200, proxy.get("/x").status());
        assertEquals("504, 200", proxy.exchange().upstreamStatus());
        assertEquals(1, peer(group, silent.address()).fails());
    }

    @Test
    void aHeadDrippedWithinTheReadTimeoutIsServed() throws Exception {
        // five pieces 50 ms apart: the head takes 200 ms of the 1 s read timeout
        ScriptedUpstream drip = dripping(5, Duration.ofMillis(50));
        proxy.start(group(drip.address()), r -> r.readTimeout(Duration.ofSeconds(1)));

        RawClient.Reply reply = proxy.get("/x");

        assertEquals(200, reply.status());
        assertEquals("ok", reply.bodyString());
    }

    @Test
    void aHeadDrippedForLongerThanTheReadTimeoutAnswers504ThoughEachGapIsShorter() throws Exception {
        // ten pieces 100 ms apart: each gap is well inside the 500 ms read timeout, the head as a whole is not,
        // and nginx's timer, set when the request went out, is not set again while the head comes in
        ScriptedUpstream drip = dripping(10, Duration.ofMillis(100));
        proxy.start(group(drip.address()), r -> r.readTimeout(Duration.ofMillis(500)));

        assertEquals(504, proxy.get("/x").status());
    }

    @Test
    void aHeadThatPausesLongerThanTheReadTimeoutAnswers504() throws Exception {
        ScriptedUpstream drip = dripping(2, Duration.ofMillis(900));
        proxy.start(group(drip.address()), r -> r.readTimeout(SHORT));

        assertEquals(504, proxy.get("/x").status());
    }

    @Test
    void aBodyDrippedFasterThanTheReadTimeoutDoesNotTimeOut() throws Exception {
        ScriptedUpstream slow = upstreams.scripted().defaultResponse(
                Response.builder().body("0123456789ab").throttleBody(1, Duration.ofMillis(80)).build());
        proxy.start(group(slow.address()), r -> r.readTimeout(Duration.ofMillis(500)));

        RawClient.Reply reply = proxy.get("/x");

        assertEquals(200, reply.status());
        assertEquals("0123456789ab", reply.bodyString());
    }

    @Test
    void aBodyThatStallsBeyondTheReadTimeoutIsCutAndNeitherRetriedNorCounted() throws Exception {
        ScriptedUpstream stalling = upstreams.scripted().defaultResponse(
                Response.builder().body("0123456789ab").throttleBody(4, Duration.ofSeconds(2)).build());
        ScriptedUpstream good = upstreams.scripted().identity();
        UpstreamGroup group = group(stalling.address(), good.address());
        proxy.start(group, r -> r.readTimeout(SHORT));

        RawClient.Received received = proxy.client().send(RawClient.get("/x")).readUntilClose(Duration.ofSeconds(3));

        String text = received.string();
        assertTrue(text.startsWith("HTTP/1.1 200 "), text);
        assertTrue(text.endsWith("\r\n\r\n0123"), text);
        assertEquals(RawClient.End.EOF, received.end());
        ExchangeRecord record = proxy.exchange();
        assertEquals(200, record.status());
        assertEquals(stalling.address(), record.upstreamAddr());
        assertEquals(0, good.requestCount());
        assertEquals(0, peer(group, stalling.address()).fails());
    }

    @Test
    void aBodyCutByThePeerAfterTheHeadWentOutIsNeitherRetriedNorCounted() throws Exception {
        ScriptedUpstream cutting = upstreams.scripted().defaultResponse(
                Response.builder().body("0123456789ab").closeMidBody(4).build());
        ScriptedUpstream good = upstreams.scripted().identity();
        UpstreamGroup group = group(cutting.address(), good.address());
        proxy.start(group, r -> { });

        RawClient.Received received = proxy.client().send(RawClient.get("/x")).readUntilClose(Duration.ofSeconds(3));

        assertTrue(received.string().startsWith("HTTP/1.1 200 "), received.string());
        assertTrue(received.string().endsWith("\r\n\r\n0123"), received.string());
        assertEquals(RawClient.End.EOF, received.end());
        assertEquals(200, proxy.exchange().status());
        assertEquals(0, good.requestCount());
        assertEquals(0, peer(group, cutting.address()).fails());
    }

    @Test
    void aSendTimeoutAnswers504() throws Exception {
        NonReader sink = upstreams.manage(new NonReader());
        proxy.start(ProxyServer.builder().clientMaxBodySize(0), group(sink.address()), r -> r.sendTimeout(SHORT));

        assertEquals(504, proxy.send(bigPut()).status());
        assertEquals("504", proxy.exchange().upstreamStatus());
    }

    @Test
    void aSendTimeoutIsRetriedOnTheNextPeerForAnIdempotentRequest() throws Exception {
        NonReader sink = upstreams.manage(new NonReader());
        ScriptedUpstream good = upstreams.scripted().identity();
        proxy.start(ProxyServer.builder().clientMaxBodySize(0), group(sink.address(), good.address()),
                r -> r.sendTimeout(SHORT));

        assertEquals(200, proxy.send(bigPut()).status());
        assertEquals("504, 200", proxy.exchange().upstreamStatus());
        assertEquals(BIG_BODY, good.requests().get(0).body().length);
    }

    @Test
    void aMalformedStatusLineAnswers502() throws Exception {
        // nginx would relay this as an HTTP/0.9 response; Sluice's strict parser refuses it as an invalid header
        ScriptedUpstream bad = upstreams.scripted()
                .defaultResponse(Response.builder().rawResponse("HTTP/1.1 2x0 OK\r\nContent-Length: 0\r\n\r\n").build());
        proxy.start(group(bad.address()), r -> { });

        assertEquals(502, proxy.get("/x").status());
        assertEquals("502", proxy.exchange().upstreamStatus());
    }

    @Test
    void aPeerThatAnswersWithSomethingOtherThanHttpGets502WithoutWaitingForALineEnd() throws Exception {
        // a non-HTTP service (a database greeting, a binary protocol) that keeps the connection open: nginx knows
        // at the first byte that is not "HTTP/", so it does not wait for the read timeout
        ScriptedUpstream alien = upstreams.scripted()
                .defaultResponse(Response.builder().rawResponse("\u0000\u0001J\u0000\u0000\u00008.0.36").build());
        proxy.start(group(alien.address()), r -> r.readTimeout(Duration.ofSeconds(2)));

        assertEquals(502, proxy.get("/x").status());
        assertEquals("502", proxy.exchange().upstreamStatus());
    }

    @Test
    void garbageThenCloseIsAnInvalidHeaderNotRetriedByDefault() throws Exception {
        ScriptedUpstream alien = upstreams.scripted().defaultResponse(
                Response.builder().rawResponse("lskdu018973t09sylgasjkfg1][]'./.sdlv").closeAfterResponse().build());
        ScriptedUpstream good = upstreams.scripted().identity();
        UpstreamGroup group = group(alien.address(), good.address());
        proxy.start(group, r -> { });

        assertEquals(502, proxy.get("/x").status());
        assertEquals(0, good.requestCount());
        assertEquals(1, peer(group, alien.address()).fails());
    }

    @Test
    void aHeadLargerThanTheBufferSizeAnswers502AndIsNotRetriedByDefault() throws Exception {
        ScriptedUpstream big = upstreams.scripted().defaultResponse(Response.builder().headerOfSize(5000).body("x").build());
        ScriptedUpstream good = upstreams.scripted().identity();
        UpstreamGroup group = group(big.address(), good.address());
        proxy.start(group, r -> { });

        assertEquals(502, proxy.get("/x").status());
        assertEquals("502", proxy.exchange().upstreamStatus());
        assertEquals(0, good.requestCount());
        assertEquals(1, peer(group, big.address()).fails());
    }

    @Test
    void aLargerBufferSizeAcceptsTheSameHead() throws Exception {
        ScriptedUpstream big = upstreams.scripted().defaultResponse(Response.builder().headerOfSize(5000).body("x").build());
        proxy.start(group(big.address()), r -> r.bufferSize(8192));

        RawClient.Reply reply = proxy.get("/x");

        assertEquals(200, reply.status());
        assertEquals(5000, reply.header("X-Oversized").length());
    }

    @Test
    void aHeadLargerThanTheLoopBufferButWithinBufferSizeIsAccepted() throws Exception {
        ScriptedUpstream big = upstreams.scripted().defaultResponse(Response.builder().headerOfSize(40_000).body("x").build());
        proxy.start(group(big.address()), r -> r.bufferSize(64 * 1024).readTimeout(SHORT));

        RawClient.Reply reply = proxy.get("/x");

        assertEquals(200, reply.status());
        assertEquals(40_000, reply.header("X-Oversized").length());
        assertEquals("x", reply.bodyString());
    }

    @Test
    void aPeerThatClosesBeforeACompleteHeadAnswers502() throws Exception {
        ScriptedUpstream cut = upstreams.scripted().defaultResponse(
                Response.builder().rawResponse("HTTP/1.1 200 OK\r\nContent-Le").closeAfterResponse().build());
        proxy.start(group(cut.address()), r -> { });

        assertEquals(502, proxy.get("/x").status());
        assertEquals("502", proxy.exchange().upstreamStatus());
    }

    @Test
    void aPeerThatClosesBeforeACompleteHeadIsRetriedByDefault() throws Exception {
        ScriptedUpstream cut = upstreams.scripted().defaultResponse(
                Response.builder().rawResponse("HTTP/1.1 200 OK\r\nContent-Le").closeAfterResponse().build());
        ScriptedUpstream good = upstreams.scripted().identity();
        UpstreamGroup group = group(cut.address(), good.address());
        proxy.start(group, r -> { });

        assertEquals(200, proxy.get("/x").status());
        assertEquals("502, 200", proxy.exchange().upstreamStatus());
        assertEquals(1, peer(group, cut.address()).fails());
    }

    @Test
    void aPeerThatClosesWithoutAnsweringAnswers502() throws Exception {
        ScriptedUpstream mute = upstreams.scripted().defaultResponse(Response.builder().noResponse().build());
        proxy.start(group(mute.address()), r -> { });

        assertEquals(502, proxy.get("/x").status());
        assertEquals(1, mute.requestCount());
    }

    @Test
    void aConnectTimeoutAnswers504() throws Exception {
        String address = proxy.saturatedListener();
        UpstreamGroup group = group(address);
        proxy.start(group, r -> r.connectTimeout(Duration.ofMillis(200)));

        assertEquals(504, proxy.get("/x").status());
        ExchangeRecord record = proxy.exchange();
        assertEquals("504", record.upstreamStatus());
        assertEquals("-", record.upstreamConnectTime());
    }

    @Test
    void aConnectTimeoutIsRetriedOnTheNextPeerByDefault() throws Exception {
        String address = proxy.saturatedListener();
        ScriptedUpstream good = upstreams.scripted().identity();
        UpstreamGroup group = group(address, good.address());
        proxy.start(group, r -> r.connectTimeout(Duration.ofMillis(200)));

        assertEquals(200, proxy.get("/x").status());
        assertEquals("504, 200", proxy.exchange().upstreamStatus());
        assertEquals(1, peer(group, address).fails());
    }

    // ---------------------------------------------------------------- fixtures

    private static final int BIG_BODY = 16 << 20;

    /** A PUT whose 16 MiB body is far more than loopback buffers hold for a peer that does not read. */
    private static String bigPut() {
        char[] body = new char[BIG_BODY];
        Arrays.fill(body, 'b');
        return "PUT /upload HTTP/1.1\r\nHost: localhost\r\nContent-Length: " + BIG_BODY + "\r\n\r\n" + new String(body);
    }

    /** A peer that accepts connections (in the kernel) and never reads them, with a small receive buffer. */
    private static final class NonReader implements AutoCloseable {

        private final ServerSocket socket;

        NonReader() throws IOException {
            socket = new ServerSocket();
            socket.setReceiveBufferSize(4096);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
        }

        String address() {
            return "127.0.0.1:" + socket.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    /**
     * A peer that answers one request with {@link #SMALL_RESPONSE} split into {@code pieces} parts sent {@code gap}
     * apart, then closes: the slow drip a read timeout between two reads must tolerate.
     */
    private ScriptedUpstream dripping(int pieces, Duration gap) {
        int step = (SMALL_RESPONSE.length() + pieces - 1) / pieces;
        return upstreams.scripted().defaultResponse(Response.builder().rawResponse(SMALL_RESPONSE)
                .throttleBody(step, gap).closeAfterResponse().build());
    }
}
