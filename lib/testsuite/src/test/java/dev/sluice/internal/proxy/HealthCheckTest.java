package dev.sluice.internal.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.ProxyServer;
import dev.sluice.observe.ExchangeListener;
import dev.sluice.observe.UpstreamStatus;
import dev.sluice.testing.RawClient;
import dev.sluice.testing.RecordedRequest;
import dev.sluice.testing.ScriptedUpstream;
import dev.sluice.testing.ScriptedUpstream.Response;
import dev.sluice.testing.Upstreams;
import dev.sluice.upstream.HealthCheck;
import dev.sluice.upstream.PeerState;
import dev.sluice.upstream.ResponseMatch;
import dev.sluice.upstream.UpstreamGroup;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Active health checks ({@code health_check} + {@code match}), on an in-memory network with a clock moved by hand. */
class HealthCheckTest {

    private static final Duration SECOND = Duration.ofSeconds(1);

    @RegisterExtension
    final Upstreams upstreams = Upstreams.inMemory();

    private final AtomicBoolean sick = new AtomicBoolean();
    private final ScriptedUpstream a = upstreams.scripted().respondWith(this::answerA);
    private final ScriptedUpstream b = upstreams.scripted().identity();
    private final List<String> changes = new CopyOnWriteArrayList<>();

    private Response answerA(RecordedRequest request) {
        if (request.target().equals("/health")) {
            return sick.get() ? Response.builder().status(503).build() : Response.ok("status: ok");
        }
        return Response.ok(Integer.toString(a.port()));
    }

    @Test
    void aPeerFailingItsChecksGetsNoRequestsUntilItPassesAgain() throws Exception {
        UpstreamGroup group = group(check -> check.fails(2).passes(2));
        RawClient client = proxy(group);
        upstreams.network().settle(SECOND);

        sick.set(true);
        tick();
        assertTrue(group.peers().get(0).isHealthy(), "one failed check of fails=2");
        tick();
        assertFalse(group.peers().get(0).isHealthy());
        assertEquals(List.of(b.port() + "", b.port() + "", b.port() + ""), served(client, 3));

        sick.set(false);
        tick();
        assertFalse(group.peers().get(0).isHealthy(), "one passed check of passes=2");
        tick();
        assertTrue(group.peers().get(0).isHealthy());
        assertTrue(served(client, 4).contains(a.port() + ""), "back in the rotation");
        assertEquals(List.of("unhealthy " + a.address(), "healthy " + a.address()), changes);
    }

    @Test
    void aPeerBackFromUnhealthyRampsUpThroughItsSlowStart() throws Exception {
        UpstreamGroup group = UpstreamGroup.builder("checked").ticker(upstreams.network().ticker())
                .server(a.address(), p -> p.slowStart(Duration.ofSeconds(10))).server(b.address())
                .healthCheck(HealthCheck.builder().interval(SECOND).uri("/health").build()).build();
        RawClient client = proxy(group);
        upstreams.network().settle(SECOND);
        sick.set(true);
        tick();
        sick.set(false);
        tick();
        assertTrue(group.peers().get(0).isHealthy());

        long justBack = served(client, 20).stream().filter(body -> body.equals(a.port() + "")).count();
        for (int i = 0; i < 10; i++) {
            tick(); // the slow start runs out, the checks go on passing
        }
        long rampedUp = served(client, 20).stream().filter(body -> body.equals(a.port() + "")).count();

        assertTrue(justBack <= 2, "just back, it gets next to nothing: " + justBack);
        assertEquals(10, rampedUp, "after slow_start, its share by weight");
    }

    @Test
    void peersThatAllStartTheirSlowStartTogetherShareTheLoad() throws Exception {
        UpstreamGroup group = UpstreamGroup.builder("checked").ticker(upstreams.network().ticker())
                .server(a.address(), p -> p.slowStart(Duration.ofSeconds(10)))
                .server(b.address(), p -> p.slowStart(Duration.ofSeconds(10)))
                .healthCheck(HealthCheck.builder().interval(SECOND).uri("/health").mandatory(true).build()).build();
        RawClient client = proxy(group);
        upstreams.network().settle(SECOND);
        assertTrue(group.peers().get(0).isHealthy() && group.peers().get(1).isHealthy());

        long onA = served(client, 20).stream().filter(body -> body.equals(a.port() + "")).count();

        assertEquals(10, onA, "both ramp from zero together: neither takes it all");
    }

    @Test
    void aCheckIsItsOwnGetOnItsOwnConnection() throws Exception {
        UpstreamGroup group = group(check -> { });
        RawClient client = proxy(group);
        upstreams.network().settle(SECOND);
        served(client, 2);
        tick();

        List<RecordedRequest> checks = new ArrayList<>();
        List<Integer> requestConnections = new ArrayList<>();
        for (RecordedRequest request : a.requests()) {
            if (request.target().equals("/health")) {
                checks.add(request);
            } else {
                requestConnections.add(request.connectionSequence());
            }
        }
        assertEquals(2, checks.size(), "one at the start, one after the interval");
        RecordedRequest first = checks.get(0);
        assertEquals("GET", first.method());
        assertEquals("checked", first.header("Host"), "the group's name, as nginx's $proxy_host");
        assertEquals("close", first.header("Connection"));
        for (RecordedRequest check : checks) {
            assertFalse(requestConnections.contains(check.connectionSequence()), "never a pooled connection");
        }
        assertNotEquals(checks.get(0).connectionSequence(), checks.get(1).connectionSequence());
    }

    @Test
    void withKeepaliveTimeChecksShareAConnectionUntilItIsThatOld() throws Exception {
        UpstreamGroup group = group(check -> check.keepaliveTime(Duration.ofMillis(2500)));
        proxy(group);
        awaitFirstCheck();
        tick();
        tick();
        tick();

        List<Integer> connections = checkConnections();
        assertEquals(4, connections.size(), connections + " " + group.peers().get(0).healthChecks());
        assertEquals(connections.get(0), connections.get(2), "the first three checks share one connection");
        assertNotEquals(connections.get(2), connections.get(3), "then it is 3 s old: a new one");
        assertEquals(null, healthRequest(0).header("Connection"), "no Connection: close");
    }

    @Test
    void aKeptCheckConnectionThePeerClosedIsReplacedWithoutAFailedCheck() throws Exception {
        a.closeAfterRequests(1); // closes each connection after one response, without saying so
        UpstreamGroup group = group(check -> check.keepaliveTime(Duration.ofMinutes(1)));
        proxy(group);
        awaitFirstCheck();
        tick();
        tick();

        assertEquals(3, checkConnections().size());
        assertEquals(3, checkConnections().stream().distinct().count());
        assertEquals(new PeerState.HealthChecks(3, 0, 0, true), group.peers().get(0).healthChecks());
    }

    @Test
    void aMandatoryCheckKeepsANewPeerOutUntilItsFirstPass() throws Exception {
        sick.set(true);
        UpstreamGroup group = group(check -> check.mandatory(true));
        RawClient client = proxy(group);
        upstreams.network().settle(SECOND);

        assertFalse(group.peers().get(0).isHealthy(), "it answers requests, but not its checks");
        assertEquals(List.of(b.port() + "", b.port() + ""), served(client, 2));
        awaitFirstCheck();
        assertEquals(new PeerState.HealthChecks(1, 1, 1, false), group.peers().get(0).healthChecks(),
                "from checking to unhealthy is a turn to unhealthy");
    }

    @Test
    void aServerAddedAtRunTimeUnderAMandatoryCheckWaitsForItsFirstCheckWhichAlonePutsItIn() throws Exception {
        UpstreamGroup group = UpstreamGroup.builder("checked").server(b.address()).healthCheck(HealthCheck.builder()
                .interval(SECOND).uri("/health").mandatory(true).passes(2).build()).build();
        RawClient client = proxy(group);
        upstreams.network().settle(SECOND);
        tick();
        assertTrue(group.peers().get(0).isHealthy(), "the first check passed");

        PeerState added = group.addServer(a.address(), peer -> { }).get(0);

        assertFalse(added.isHealthy(), "checking from the moment it joined");
        assertEquals(List.of(b.port() + "", b.port() + "", b.port() + ""), served(client, 3));
        tick();
        assertTrue(added.isHealthy(), "one passed check ends checking, passes=2 notwithstanding");
        assertEquals(new PeerState.HealthChecks(1, 0, 0, true), added.healthChecks());
        assertTrue(served(client, 4).contains(a.port() + ""));
    }

    @Test
    void aBodyConditionReadsTheStartOfTheBody() throws Exception {
        UpstreamGroup group = group(check -> check.match(ResponseMatch.builder().status("200")
                .body("~ \"status: (ok|up)\"").build()));
        proxy(group);
        upstreams.network().settle(SECOND);
        assertTrue(group.peers().get(0).isHealthy());

        a.respondWith(request -> Response.ok("status: degraded"));
        tick();

        assertFalse(group.peers().get(0).isHealthy(), "200, but the body says otherwise");
    }

    @Test
    void aCheckOfAnotherPortAndASilentPeerThatTimesOut() throws Exception {
        ScriptedUpstream monitor = upstreams.scripted();
        monitor.respondWith(request -> Response.builder().stallForever().build());
        UpstreamGroup group = group(check -> check.port(monitor.port()).timeout(Duration.ofMillis(500)));
        proxy(group);
        upstreams.network().settle(SECOND);
        upstreams.network().advance(Duration.ofMillis(600));
        upstreams.network().settle(SECOND);

        assertEquals("/health", monitor.takeRequest(SECOND).target());
        assertFalse(group.peers().get(0).isHealthy(), "no answer within the check's timeout");
        assertTrue(a.requests().isEmpty(), "the peer's own port is not checked");
    }

    @Test
    void theStatusDocumentCountsTheChecks() throws Exception {
        UpstreamGroup group = group(check -> { });
        proxy(group);
        upstreams.network().settle(SECOND);
        sick.set(true);
        tick();

        String json = UpstreamStatus.of(List.of(group)).json();
        assertTrue(json.contains("\"state\":\"unhealthy\""), json);
        assertTrue(json.contains("\"health_checks\":{\"checks\":2,\"fails\":1,\"unhealthy\":1,\"last_passed\":false}"),
                json);
    }

    // ---------------------------------------------------------------- fixture

    private UpstreamGroup group(Consumer<HealthCheck.Builder> options) {
        HealthCheck.Builder check = HealthCheck.builder().interval(SECOND).uri("/health");
        options.accept(check);
        return UpstreamGroup.builder("checked").server(a.address()).server(b.address()).healthCheck(check.build())
                .build();
    }

    private RawClient proxy(UpstreamGroup group) throws Exception {
        ProxyServer proxy = upstreams.proxy(p -> p.route("/", r -> r.upstream(group))
                .listener(new ExchangeListener() {
                    @Override
                    public void healthChanged(UpstreamGroup changed, PeerState peer) {
                        changes.add((peer.isHealthy() ? "healthy " : "unhealthy ") + peer.name());
                    }
                }));
        return upstreams.rawClient(proxy.port());
    }

    /**
     * Waits for the check made at start to reach the peer, then for the network to settle: a health checker's loop
     * that has not begun yet is not one the network can wait for.
     */
    private void awaitFirstCheck() throws InterruptedException {
        assertTrue(Exchanges.await(() -> !checkConnections().isEmpty(), 2000), "the check made at start");
        upstreams.network().settle(SECOND);
    }

    private List<Integer> checkConnections() {
        List<Integer> connections = new ArrayList<>();
        for (RecordedRequest request : a.requests()) {
            if (request.target().equals("/health")) {
                connections.add(request.connectionSequence());
            }
        }
        return connections;
    }

    private RecordedRequest healthRequest(int index) {
        return a.requests().stream().filter(r -> r.target().equals("/health")).toList().get(index);
    }

    /** Moves the clock one interval and lets every check that falls due run. */
    private void tick() {
        upstreams.network().advance(SECOND).settle(SECOND);
    }

    private static List<String> served(RawClient client, int requests) throws Exception {
        List<String> bodies = new ArrayList<>();
        for (int i = 0; i < requests; i++) {
            client.send(RawClient.get("/item"));
            bodies.add(client.readResponse().bodyString());
        }
        return bodies;
    }
}
