package dev.sluice.internal.proxy;

import static dev.sluice.internal.proxy.UpstreamHarness.deadAddress;
import static dev.sluice.internal.proxy.UpstreamHarness.group;
import static dev.sluice.internal.proxy.UpstreamHarness.peer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.NextUpstream;
import dev.sluice.NextUpstream.Condition;
import dev.sluice.Route;
import dev.sluice.observe.ExchangeRecord;
import dev.sluice.testing.RawClient;
import dev.sluice.testing.ScriptedUpstream;
import dev.sluice.testing.ScriptedUpstream.Response;
import dev.sluice.testing.Upstreams;
import dev.sluice.upstream.UpstreamGroup;
import java.time.Duration;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The three examples of reference/000 (nginx proxy docs, "示例1"), with the upstream pair of the article: one
 * peer answering 200, one answering 500, round robin between them.
 *
 * <ul>
 *   <li>{@code location /}: {@code proxy_next_upstream off} — the answers alternate and the 500 passes; with the
 *       500 peer gone, its turn is a 502.</li>
 *   <li>{@code location /error}: {@code proxy_connect_timeout 1s; proxy_next_upstream error timeout invalid_header
 *       http_500} — every request ends with the 200 peer, whether the other is gone or answers 500.</li>
 *   <li>{@code location /intercept}: {@code proxy_intercept_errors on; proxy_next_upstream off; error_page 500
 *       /error_500.txt} — the 500 keeps its status and gets the custom page.</li>
 * </ul>
 */
class ReferenceExamplesTest {

    private static final String ERROR_PAGE = "error_page HTTP 500 Internal Server Error\n";
    private static final NextUpstream ERROR_LOCATION = NextUpstream.on(Condition.ERROR, Condition.TIMEOUT,
            Condition.INVALID_HEADER, Condition.HTTP_500);

    @RegisterExtension
    final Upstreams upstreams = new Upstreams();

    private final UpstreamHarness proxy = new UpstreamHarness(upstreams);

    /** nginx's {@code return 200 "Response 200, this is upstream server on port $server_addr:$server_port\n"}. */
    private ScriptedUpstream answering(int status) {
        ScriptedUpstream up = upstreams.scripted();
        return up.defaultResponse(Response.builder().status(status)
                .header("Content-Type", "text/plain")
                .body("Response " + status + ", this is upstream server on port " + up.address() + "\n").build());
    }

    private static String body(int status, ScriptedUpstream up) {
        return "Response " + status + ", this is upstream server on port " + up.address() + "\n";
    }

    private static final Consumer<Route.Builder> ROOT_LOCATION = r -> r
            .setHeader("Host", "$host")
            .setHeader("X-Real-IP", "$remote_addr")
            .setHeader("X-Forwarded-For", "$proxy_add_x_forwarded_for")
            .setHeader("Connection", "")
            .nextUpstream(NextUpstream.off());

    @Test
    void withNextUpstreamOffThe200And500PeersAlternateAndThe500PassesVerbatim() throws Exception {
        ScriptedUpstream ok = answering(200);
        ScriptedUpstream failing = answering(500);
        UpstreamGroup group = group(ok.address(), failing.address());
        proxy.start(group, ROOT_LOCATION);

        for (int i = 0; i < 4; i++) {
            RawClient.Reply reply = proxy.get("/");
            boolean even = i % 2 == 0;
            assertEquals(even ? 200 : 500, reply.status(), "request " + i);
            assertEquals(even ? body(200, ok) : body(500, failing), reply.bodyString());
            assertEquals("text/plain", reply.header("Content-Type"));
            assertEquals(even ? ok.address() : failing.address(), proxy.exchange().upstreamAddr());
        }
        assertEquals(0, peer(group, failing.address()).fails());
    }

    @Test
    void withNextUpstreamOffAGonePeerAnswers502OnItsTurnAndThenRests() throws Exception {
        ScriptedUpstream ok = answering(200);
        String gone = deadAddress();
        UpstreamGroup group = group(ok.address(), gone);
        proxy.start(group, ROOT_LOCATION);

        assertEquals(200, proxy.get("/").status());
        proxy.exchange();
        RawClient.Reply bad = proxy.get("/");
        assertEquals(502, bad.status());
        assertTrue(bad.bodyString().contains("<title>502 Bad Gateway</title>"), bad.bodyString());
        assertEquals(gone, proxy.exchange().upstreamAddr());

        // the refusal counted (error always does, even with off): the gone peer rests for fail_timeout
        assertTrue(peer(group, gone).unavailableFor().compareTo(Duration.ZERO) > 0);
        for (int i = 0; i < 2; i++) {
            assertEquals(200, proxy.get("/").status());
            assertEquals(ok.address(), proxy.exchange().upstreamAddr());
        }
    }

    @Test
    void theErrorLocationPassesOverAGonePeerBehindItsConnectTimeout() throws Exception {
        ScriptedUpstream ok = answering(200);
        String gone = deadAddress();
        UpstreamGroup group = group(ok.address(), gone);
        proxy.start(group, r -> r.connectTimeout(Duration.ofSeconds(1)).nextUpstream(ERROR_LOCATION));

        assertEveryAnswerComesFrom(ok, 4);
        proxy.exchange();
        assertEquals(gone + ", " + ok.address(), proxy.exchange().upstreamAddr());
        assertEquals(ok.address(), proxy.exchange().upstreamAddr());
        assertEquals(1, peer(group, gone).fails());
    }

    @Test
    void theErrorLocationPassesOverThe500Peer() throws Exception {
        ScriptedUpstream ok = answering(200);
        ScriptedUpstream failing = answering(500);
        UpstreamGroup group = group(ok.address(), failing.address());
        proxy.start(group, r -> r.connectTimeout(Duration.ofSeconds(1)).nextUpstream(ERROR_LOCATION));

        assertEveryAnswerComesFrom(ok, 4);
        proxy.exchange();
        ExchangeRecord second = proxy.exchange();
        assertEquals(failing.address() + ", " + ok.address(), second.upstreamAddr());
        assertEquals("500, 200", second.upstreamStatus());
        assertEquals(1, failing.requestCount(), "the 500 peer rests after its counted failure");
    }

    @Test
    void aConnectTimeoutIs504AndTheErrorLocationPassesOverIt() throws Exception {
        // the article says 502 for a connect timeout; nginx's code maps every timeout to 504 and a refusal to 502
        String silent = proxy.saturatedListener();
        ScriptedUpstream ok = answering(200);
        UpstreamGroup alone = group(silent);
        proxy.start(alone, r -> r.connectTimeout(Duration.ofMillis(200)).nextUpstream(NextUpstream.off()));

        assertEquals(504, proxy.get("/error").status());
        assertEquals("504", proxy.exchange().upstreamStatus());

        UpstreamHarness second = new UpstreamHarness(upstreams);
        second.start(group(silent, ok.address()), r -> r.connectTimeout(Duration.ofMillis(200)).nextUpstream(ERROR_LOCATION));

        RawClient.Reply reply = second.get("/error");

        assertEquals(200, reply.status());
        assertEquals(body(200, ok), reply.bodyString());
        assertEquals("504, 200", second.exchange().upstreamStatus());
    }

    @Test
    void theInterceptLocationReplacesThe500WithTheCustomPageAndKeepsTheStatus() throws Exception {
        ScriptedUpstream ok = answering(200);
        ScriptedUpstream failing = answering(500);
        UpstreamGroup group = group(ok.address(), failing.address());
        proxy.start(group, r -> r.interceptErrors(true).nextUpstream(NextUpstream.off()).errorPage(500, ERROR_PAGE));

        RawClient.Reply first = proxy.get("/intercept");
        RawClient.Reply second = proxy.get("/intercept");

        assertEquals(200, first.status());
        assertEquals(body(200, ok), first.bodyString());
        assertEquals(500, second.status());
        assertEquals(ERROR_PAGE, second.bodyString());
        proxy.exchange();
        ExchangeRecord intercepted = proxy.exchange();
        assertEquals(500, intercepted.status());
        assertEquals("500", intercepted.upstreamStatus());
        assertEquals(0, peer(group, failing.address()).fails());
    }

    /** Sends {@code requests} requests to /error; each must be the 200 peer's answer. */
    private void assertEveryAnswerComesFrom(ScriptedUpstream ok, int requests) throws Exception {
        for (int i = 0; i < requests; i++) {
            RawClient.Reply reply = proxy.get("/error");
            assertEquals(200, reply.status(), "request " + i);
            assertEquals(body(200, ok), reply.bodyString());
        }
    }
}
