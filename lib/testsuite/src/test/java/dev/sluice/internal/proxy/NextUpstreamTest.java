package dev.sluice.internal.proxy;

import static dev.sluice.internal.proxy.UpstreamHarness.deadAddress;
import static dev.sluice.internal.proxy.UpstreamHarness.group;
import static dev.sluice.internal.proxy.UpstreamHarness.peer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.NextUpstream;
import dev.sluice.NextUpstream.Condition;
import dev.sluice.observe.ExchangeRecord;
import dev.sluice.testing.RawClient;
import dev.sluice.testing.ScriptedUpstream;
import dev.sluice.testing.ScriptedUpstream.Response;
import dev.sluice.testing.Upstreams;
import dev.sluice.upstream.PeerState;
import dev.sluice.upstream.UpstreamGroup;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code proxy_next_upstream}, {@code _tries} and {@code _timeout} through a real proxy, and the failure accounting
 * each outcome leaves on the peers (nginx's {@code ngx_http_upstream_next} and round robin's {@code free}).
 * Round robin sends a group's first request to its first peer, so "[a, b]" below means a is tried first.
 */
class NextUpstreamTest {

    private static final Duration SHORT = Duration.ofMillis(300);

    @RegisterExtension
    final Upstreams upstreams = new Upstreams();

    private final UpstreamHarness proxy = new UpstreamHarness(upstreams);

    private ScriptedUpstream answering(int status, String body) {
        return upstreams.scripted().defaultResponse(Response.builder().status(status).body(body).build());
    }

    private ScriptedUpstream resetting() {
        return upstreams.scripted().defaultResponse(Response.builder().resetOnRequest().build());
    }

    @Test
    void theDefaultRetriesARefusedPeerOnTheNextAndCountsTheFailure() throws Exception {
        String dead = deadAddress();
        ScriptedUpstream good = upstreams.scripted().identity();
        UpstreamGroup group = group(dead, good.address());
        proxy.start(group, r -> { });

        RawClient.Reply reply = proxy.get("/x");

        assertEquals(200, reply.status());
        assertEquals(String.valueOf(good.port()), reply.bodyString());
        ExchangeRecord record = proxy.exchange();
        assertEquals(dead + ", " + good.address(), record.upstreamAddr());
        assertEquals("502, 200", record.upstreamStatus());
        assertEquals(1, peer(group, dead).fails());
        assertTrue(peer(group, dead).unavailableFor().compareTo(Duration.ofSeconds(9)) > 0,
                "fail_timeout 10s rest: " + peer(group, dead).unavailableFor());
        assertEquals(0, peer(group, good.address()).fails());
    }

    @Test
    void theDefaultRetriesAPeerThatResetsTheConnection() throws Exception {
        ScriptedUpstream reset = resetting();
        ScriptedUpstream good = upstreams.scripted().identity();
        UpstreamGroup group = group(reset.address(), good.address());
        proxy.start(group, r -> { });

        RawClient.Reply reply = proxy.get("/x");

        assertEquals(200, reply.status());
        assertEquals("502, 200", proxy.exchange().upstreamStatus());
        assertEquals(1, reset.requestCount());
        assertEquals(1, peer(group, reset.address()).fails());
    }

    @Test
    void offNeverRetriesButStillCountsTheError() throws Exception {
        String dead = deadAddress();
        ScriptedUpstream good = upstreams.scripted().identity();
        UpstreamGroup group = group(dead, good.address());
        proxy.start(group, r -> r.nextUpstream(NextUpstream.off()));

        assertEquals(502, proxy.get("/x").status());
        ExchangeRecord record = proxy.exchange();
        assertEquals(dead, record.upstreamAddr());
        assertEquals(0, good.requestCount());
        assertEquals(1, peer(group, dead).fails());

        // the refused peer rests for fail_timeout: the next request goes to the other one
        assertEquals(200, proxy.get("/x").status());
        assertEquals(good.address(), proxy.exchange().upstreamAddr());
    }

    @Test
    void http502DoesNotCoverARefusedConnectWhichIsAnError() throws Exception {
        String dead = deadAddress();
        ScriptedUpstream good = upstreams.scripted().identity();
        proxy.start(group(dead, good.address()), r -> r.nextUpstream(NextUpstream.on(Condition.HTTP_502)));

        assertEquals(502, proxy.get("/x").status());
        assertEquals(0, good.requestCount());
    }

    @Test
    void errorDoesNotCoverATimeout() throws Exception {
        ScriptedUpstream silent = upstreams.scripted().defaultResponse(Response.builder().stallForever().build());
        ScriptedUpstream good = upstreams.scripted().identity();
        proxy.start(group(silent.address(), good.address()),
                r -> r.readTimeout(SHORT).nextUpstream(NextUpstream.on(Condition.ERROR)));

        assertEquals(504, proxy.get("/x").status());
        assertEquals(0, good.requestCount());
    }

    @ParameterizedTest(name = "{0} listed as {1}: retried, counted {2}")
    @CsvSource({
        "500, HTTP_500, true",
        "502, HTTP_502, true",
        "503, HTTP_503, true",
        "504, HTTP_504, true",
        "429, HTTP_429, true",
        "403, HTTP_403, false",
        "404, HTTP_404, false",
    })
    void aListedStatusIsRetriedAndCountedUnlessItIs403Or404(int status, Condition condition, boolean counted)
            throws Exception {
        ScriptedUpstream failing = answering(status, "from the first peer");
        ScriptedUpstream good = upstreams.scripted().identity();
        UpstreamGroup group = group(failing.address(), good.address());
        proxy.start(group, r -> r.nextUpstream(NextUpstream.on(condition)));

        RawClient.Reply reply = proxy.get("/x");

        assertEquals(200, reply.status());
        assertEquals(String.valueOf(good.port()), reply.bodyString());
        assertEquals(status + ", 200", proxy.exchange().upstreamStatus());
        PeerState first = peer(group, failing.address());
        assertEquals(counted ? 1 : 0, first.fails());
        assertEquals(counted ? 1 : 0, first.failures());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(ints = {500, 502, 503, 504, 429, 403, 404})
    void anUnlistedStatusPassesVerbatimAndIsNeverCounted(int status) throws Exception {
        ScriptedUpstream failing = answering(status, "verbatim " + status);
        ScriptedUpstream good = upstreams.scripted().identity();
        UpstreamGroup group = group(failing.address(), good.address());
        proxy.start(group, r -> r.nextUpstream(NextUpstream.on(Condition.ERROR, Condition.TIMEOUT,
                status == 500 ? Condition.HTTP_502 : Condition.HTTP_500)));

        RawClient.Reply reply = proxy.get("/x");

        assertEquals(status, reply.status());
        assertEquals("verbatim " + status, reply.bodyString());
        assertEquals(failing.address(), proxy.exchange().upstreamAddr());
        assertEquals(0, good.requestCount());
        assertEquals(0, peer(group, failing.address()).fails());
    }

    @Test
    void theLastTrysListed500IsReturnedVerbatimAndNotCountedThenNoLiveUpstreamsAnswers502() throws Exception {
        ScriptedUpstream a = answering(500, "a failed");
        ScriptedUpstream b = answering(500, "b failed");
        UpstreamGroup group = group(a.address(), b.address());
        proxy.start(group, r -> r.nextUpstream(NextUpstream.on(Condition.ERROR, Condition.HTTP_500)));

        RawClient.Reply first = proxy.get("/x");

        assertEquals(500, first.status());
        assertEquals("b failed", first.bodyString());
        ExchangeRecord record = proxy.exchange();
        assertEquals(a.address() + ", " + b.address(), record.upstreamAddr());
        assertEquals("500, 500", record.upstreamStatus());
        assertEquals(1, peer(group, a.address()).fails());
        assertEquals(0, peer(group, b.address()).fails());

        // nginx's http500_both: a rests, b is tried with two tries left, its 500 is retried and counted, and no
        // peer is left, so the client gets 502 although the last real answer was 500
        RawClient.Reply second = proxy.get("/x");

        assertEquals(502, second.status());
        record = proxy.exchange();
        assertEquals(b.address() + ", backend", record.upstreamAddr());
        assertEquals("500, 502", record.upstreamStatus());
        assertEquals(1, peer(group, b.address()).fails());
    }

    @Test
    void anInvalidHeaderIsCountedEvenWhenItIsNotRetried() throws Exception {
        ScriptedUpstream bad = upstreams.scripted()
                .defaultResponse(Response.builder().rawResponse("HTTP/1.1 200 OK\r\nno colon here\r\n\r\n").build());
        ScriptedUpstream good = upstreams.scripted().identity();
        UpstreamGroup group = group(bad.address(), good.address());
        proxy.start(group, r -> { });

        assertEquals(502, proxy.get("/x").status());

        assertEquals("502", proxy.exchange().upstreamStatus());
        assertEquals(0, good.requestCount());
        assertEquals(1, peer(group, bad.address()).fails());
        assertTrue(peer(group, bad.address()).unavailableFor().compareTo(Duration.ZERO) > 0);
    }

    @Test
    void anInvalidHeaderIsRetriedWhenListed() throws Exception {
        ScriptedUpstream bad = upstreams.scripted()
                .defaultResponse(Response.builder().rawResponse("HTTP/1.1 200 OK\r\nno colon here\r\n\r\n").build());
        ScriptedUpstream good = upstreams.scripted().identity();
        UpstreamGroup group = group(bad.address(), good.address());
        proxy.start(group, r -> r.nextUpstream(NextUpstream.on(Condition.ERROR, Condition.INVALID_HEADER)));

        assertEquals(200, proxy.get("/x").status());

        assertEquals("502, 200", proxy.exchange().upstreamStatus());
        assertEquals(1, peer(group, bad.address()).fails());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"POST", "PATCH", "LOCK"})
    void aNonIdempotentRequestIsNotRetriedAfterItReachedAPeer(String method) throws Exception {
        ScriptedUpstream reset = resetting();
        ScriptedUpstream good = upstreams.scripted().identity();
        UpstreamGroup group = group(reset.address(), good.address());
        proxy.start(group, r -> { });

        assertEquals(502, proxy.send(method, "/x", "hello").status());

        assertEquals(reset.address(), proxy.exchange().upstreamAddr());
        assertEquals(1, reset.requestCount());
        assertEquals(0, good.requestCount());
        assertEquals(1, peer(group, reset.address()).fails());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"POST", "PATCH", "LOCK"})
    void aNonIdempotentRequestIsRetriedWhenNonIdempotentIsListed(String method) throws Exception {
        ScriptedUpstream reset = resetting();
        ScriptedUpstream good = upstreams.scripted().echo();
        UpstreamGroup group = group(reset.address(), good.address());
        proxy.start(group, r -> r.nextUpstream(NextUpstream.on(Condition.ERROR, Condition.NON_IDEMPOTENT)));

        RawClient.Reply reply = proxy.send(method, "/x", "hello");

        assertEquals(200, reply.status());
        assertEquals("502, 200", proxy.exchange().upstreamStatus());
        assertEquals(method, good.requests().get(0).method());
        assertEquals("hello", good.requests().get(0).bodyUtf8());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"PUT", "DELETE", "OPTIONS"})
    void anIdempotentRequestWithABodyIsRetriedAfterItReachedAPeer(String method) throws Exception {
        ScriptedUpstream reset = resetting();
        ScriptedUpstream good = upstreams.scripted().echo();
        UpstreamGroup group = group(reset.address(), good.address());
        proxy.start(group, r -> { });

        assertEquals(200, proxy.send(method, "/x", "hello").status());

        assertEquals("502, 200", proxy.exchange().upstreamStatus());
        assertEquals("hello", good.requests().get(0).bodyUtf8());
    }

    @Test
    void aPostWithAnIdempotencyKeyIsRetriedAfterItReachedAPeer() throws Exception {
        ScriptedUpstream reset = resetting();
        ScriptedUpstream good = upstreams.scripted().echo();
        UpstreamGroup group = group(reset.address(), good.address());
        proxy.start(group, r -> { });

        RawClient.Reply reply = proxy.send("POST /x HTTP/1.1\r\nHost: localhost\r\nIdempotency-Key: 42\r\n"
                + "Content-Length: 5\r\n\r\nhello");

        assertEquals(200, reply.status());
        assertEquals("502, 200", proxy.exchange().upstreamStatus());
    }

    @Test
    void aPostThatGotAListedStatusIsPassedOnOnlyWithNonIdempotent() throws Exception {
        ScriptedUpstream busy = answering(503, "busy");
        ScriptedUpstream good = upstreams.scripted().identity();
        proxy.start(group(busy.address(), good.address()), r -> r.nextUpstream(NextUpstream.on(Condition.HTTP_503)));

        RawClient.Reply reply = proxy.send("POST", "/x", "hello");

        assertEquals(503, reply.status());
        assertEquals("busy", reply.bodyString());
        assertEquals(0, good.requestCount());

        UpstreamHarness other = new UpstreamHarness(upstreams);
        ScriptedUpstream busyToo = answering(503, "busy");
        other.start(group(busyToo.address(), good.address()),
                r -> r.nextUpstream(NextUpstream.on(Condition.HTTP_503, Condition.NON_IDEMPOTENT)));

        assertEquals(200, other.send("POST", "/x", "hello").status());
        assertEquals("503, 200", other.exchange().upstreamStatus());
    }

    @Test
    void aListed404SpendsATry() throws Exception {
        ScriptedUpstream a = answering(404, "a");
        ScriptedUpstream b = answering(404, "b");
        ScriptedUpstream good = upstreams.scripted().identity();
        UpstreamGroup group = group(a.address(), b.address(), good.address());
        proxy.start(group, r -> r.nextUpstream(NextUpstream.on(Condition.HTTP_404).tries(2)));

        RawClient.Reply reply = proxy.get("/x");

        assertEquals(404, reply.status());
        assertEquals("b", reply.bodyString());
        assertEquals("404, 404", proxy.exchange().upstreamStatus());
        assertEquals(0, good.requestCount());
        assertEquals(0, peer(group, a.address()).fails());
    }

    @Test
    void aPostWhoseConnectWasRefusedIsRetried() throws Exception {
        String dead = deadAddress();
        ScriptedUpstream good = upstreams.scripted().echo();
        UpstreamGroup group = group(dead, good.address());
        proxy.start(group, r -> { });

        assertEquals(200, proxy.send("POST", "/x", "hello").status());

        assertEquals("502, 200", proxy.exchange().upstreamStatus());
        assertEquals("POST", good.requests().get(0).method());
        assertEquals("hello", good.requests().get(0).bodyUtf8());
    }

    @Test
    void triesCapsTheAttempts() throws Exception {
        ScriptedUpstream reset1 = resetting();
        ScriptedUpstream reset2 = resetting();
        ScriptedUpstream good = upstreams.scripted().identity();
        UpstreamGroup group = group(reset1.address(), reset2.address(), good.address());
        proxy.start(group, r -> r.nextUpstream(NextUpstream.defaults().tries(2)));

        assertEquals(502, proxy.get("/x").status());

        ExchangeRecord record = proxy.exchange();
        assertEquals(reset1.address() + ", " + reset2.address(), record.upstreamAddr());
        assertEquals("502, 502", record.upstreamStatus());
        assertEquals(0, good.requestCount());
    }

    @Test
    void refusedConnectsSpendNoTryAndAPostMovesOnToo() throws Exception {
        String dead1 = deadAddress();
        String dead2 = deadAddress();
        ScriptedUpstream good = upstreams.scripted().echo();
        UpstreamGroup group = group(dead1, dead2, good.address());
        proxy.start(group, r -> r.nextUpstream(NextUpstream.defaults().tries(2)));

        assertEquals(200, proxy.send("POST", "/x", "hello").status());

        ExchangeRecord record = proxy.exchange();
        assertEquals(dead1 + ", " + dead2 + ", " + good.address(), record.upstreamAddr());
        assertEquals("502, 502, 200", record.upstreamStatus());
        assertEquals(1, peer(group, dead1).fails(), "a refused connect still counts against its peer");
    }

    @Test
    void whenEveryPeerRefusesTheClientGets502() throws Exception {
        String dead1 = deadAddress();
        String dead2 = deadAddress();
        UpstreamGroup group = group(dead1, dead2);
        proxy.start(group, r -> r.nextUpstream(NextUpstream.defaults().tries(1)));

        assertEquals(502, proxy.get("/x").status());

        assertEquals("502, 502", proxy.exchange().upstreamStatus(), "each peer once, then no more");
    }

    @Test
    void theNextUpstreamTimeoutStopsNewAttempts() throws Exception {
        ScriptedUpstream silent = upstreams.scripted().defaultResponse(Response.builder().stallForever().build());
        ScriptedUpstream good = upstreams.scripted().identity();
        UpstreamGroup group = group(silent.address(), good.address());
        proxy.start(group, r -> r.readTimeout(SHORT).nextUpstream(NextUpstream.defaults().timeout(Duration.ofMillis(200))));

        assertEquals(504, proxy.get("/x").status());

        assertEquals("504", proxy.exchange().upstreamStatus());
        assertEquals(0, good.requestCount());
        assertEquals(1, peer(group, silent.address()).fails());
    }

    @Test
    void whenEveryTryFailsWithAListedStatusTheClientGetsTheLastResponse() throws Exception {
        ScriptedUpstream a = answering(500, "a failed");
        ScriptedUpstream b = answering(503, "b is busy");
        UpstreamGroup group = group(a.address(), b.address());
        proxy.start(group, r -> r.nextUpstream(NextUpstream.on(Condition.HTTP_500, Condition.HTTP_503)));

        RawClient.Reply reply = proxy.get("/x");

        assertEquals(503, reply.status());
        assertEquals("b is busy", reply.bodyString());
        assertEquals("500, 503", proxy.exchange().upstreamStatus());
    }

    @Test
    void whenEveryTryFailsTheClientGetsTheLastFailuresStatus() throws Exception {
        String dead = deadAddress();
        ScriptedUpstream silent = upstreams.scripted().defaultResponse(Response.builder().stallForever().build());
        proxy.start(group(dead, silent.address()), r -> r.readTimeout(SHORT));

        assertEquals(504, proxy.get("/x").status());
        assertEquals("502, 504", proxy.exchange().upstreamStatus());
    }

    @Test
    void whenEveryTryFailsTheClientGets502IfTheLastWasAnError() throws Exception {
        String dead = deadAddress();
        ScriptedUpstream silent = upstreams.scripted().defaultResponse(Response.builder().stallForever().build());
        proxy.start(group(silent.address(), dead), r -> r.readTimeout(SHORT));

        assertEquals(502, proxy.get("/x").status());
        assertEquals("504, 502", proxy.exchange().upstreamStatus());
    }

    @Test
    void noLiveUpstreamsAnswers502WithTheGroupNameAsUpstreamAddr() throws Exception {
        String dead1 = deadAddress();
        String dead2 = deadAddress();
        proxy.start(group(dead1, dead2), r -> { });

        assertEquals(502, proxy.get("/x").status());
        assertEquals(dead1 + ", " + dead2, proxy.exchange().upstreamAddr());

        assertEquals(502, proxy.get("/x").status());
        ExchangeRecord record = proxy.exchange();
        assertEquals("backend", record.upstreamAddr());
        assertEquals("502", record.upstreamStatus());
        assertEquals("-", record.upstreamConnectTime());
    }

    @Test
    void aSinglePeerIsNeverMarkedDown() throws Exception {
        ScriptedUpstream only = upstreams.scripted().identity();
        only.enqueue(Response.builder().resetOnRequest());
        UpstreamGroup group = group(only.address());
        proxy.start(group, r -> { });

        assertEquals(502, proxy.get("/x").status());
        assertEquals(only.address(), proxy.exchange().upstreamAddr());
        PeerState peer = peer(group, only.address());
        assertEquals(0, peer.fails());
        assertEquals(1, peer.failures());
        assertEquals(Duration.ZERO, peer.unavailableFor());

        // two peers would leave this one resting for fail_timeout; a single peer is tried again at once
        assertEquals(200, proxy.get("/x").status());
        assertEquals(only.address(), proxy.exchange().upstreamAddr());
    }

    @Test
    void aSingleDeadPeerIsConnectedToForEveryRequestAndNeverRetried() throws Exception {
        String dead = deadAddress();
        UpstreamGroup group = group(dead);
        proxy.start(group, r -> { });

        for (int i = 0; i < 3; i++) {
            assertEquals(502, proxy.get("/x").status());
            ExchangeRecord record = proxy.exchange();
            assertEquals(dead, record.upstreamAddr(), "request " + i);
            assertEquals("502", record.upstreamStatus(), "request " + i);
        }
        assertEquals(3, peer(group, dead).failures());
        assertEquals(0, peer(group, dead).fails());
    }

    @Test
    void aSinglePeerWithABackupIsNotSingleAnyMore() throws Exception {
        ScriptedUpstream primary = resetting();
        ScriptedUpstream backup = upstreams.scripted().identity();
        UpstreamGroup group = UpstreamGroup.builder("backend")
                .server(primary.address())
                .server(backup.address(), s -> s.backup())
                .build();
        proxy.start(group, r -> { });

        RawClient.Reply reply = proxy.get("/x");

        assertEquals(200, reply.status());
        assertEquals(String.valueOf(backup.port()), reply.bodyString());
        assertEquals(primary.address() + ", " + backup.address(), proxy.exchange().upstreamAddr());
        assertEquals(1, peer(group, primary.address()).fails());
        assertTrue(peer(group, primary.address()).unavailableFor().compareTo(Duration.ZERO) > 0);
    }

    @Test
    void aSinglePeerMarkedDownLeavesNoLiveUpstreams() throws Exception {
        ScriptedUpstream only = upstreams.scripted().identity();
        UpstreamGroup group = group(only.address());
        proxy.start(group, r -> { });
        peer(group, only.address()).setDown(true);

        assertEquals(502, proxy.get("/x").status());

        assertEquals("backend", proxy.exchange().upstreamAddr());
        assertEquals(0, only.connectionsAccepted());
    }
}
