package dev.sluice.internal.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.ProxyServer;
import dev.sluice.testing.RawClient;
import dev.sluice.testing.ScriptedUpstream;
import dev.sluice.testing.ScriptedUpstream.Response;
import dev.sluice.testing.Upstreams;
import dev.sluice.upstream.Endpoint;
import dev.sluice.upstream.UpstreamGroup;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A discovered line's endpoints changing under a running proxy, on loopback sockets: a terminating endpoint
 * finishes what it has and keeps no pooled connection, and a rolling replacement of every endpoint fails no request.
 */
class EndpointChurnTest {

    private static final String LINE = "registry/web";
    private static final int CLIENTS = 4;

    @RegisterExtension
    final Upstreams upstreams = new Upstreams();

    private static UpstreamGroup group() {
        return UpstreamGroup.builder("web").discover(LINE, (group, line) -> () -> { }).build();
    }

    private static Endpoint ready(ScriptedUpstream upstream) {
        return Endpoint.ready(upstream.socketAddress());
    }

    private static Endpoint terminating(ScriptedUpstream upstream) {
        return ready(upstream).withCondition(Endpoint.Condition.TERMINATING);
    }

    @Test
    void aTerminatingEndpointFinishesItsRequestAndKeepsNoPooledConnection() throws Exception {
        ScriptedUpstream old = upstreams.scripted()
                .enqueue(Response.builder().body("slow").delayHead(Duration.ofMillis(300)));
        ScriptedUpstream fresh = upstreams.scripted().defaultResponse(Response.ok("fresh"));
        UpstreamGroup group = group();
        group.setEndpoints(LINE, List.of(ready(old)));
        ProxyServer proxy = upstreams.proxy(p -> p.route("/", r -> r.upstream(group)));
        RawClient first = upstreams.rawClient(proxy.port());
        first.send(RawClient.get("/slow"));
        assertTrue(await(() -> old.requestCount() == 1), "the request reached the old endpoint");

        group.setEndpoints(LINE, List.of(terminating(old), ready(fresh)));
        RawClient.Reply slow = first.readResponse();
        RawClient.Reply next = upstreams.rawClient(proxy.port()).send(RawClient.get("/next")).readResponse();

        assertEquals(200, slow.status(), "the request in flight finished");
        assertEquals("fresh", next.bodyString(), "a new request goes elsewhere");
        assertTrue(await(() -> old.openConnections() == 0), "its connection closed instead of being pooled");
        assertEquals(1, fresh.openConnections(), "a ready endpoint's connection is pooled");
        assertTrue(group.peers().stream().noneMatch(p -> p.address().equals(old.socketAddress())),
                "it left once idle");
    }

    @Test
    void replacingEveryEndpointOneByOneUnderLoadFailsNoRequest() throws Exception {
        List<ScriptedUpstream> live = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            live.add(upstreams.scripted().defaultResponse(Response.ok("v1")));
        }
        UpstreamGroup group = group();
        group.setEndpoints(LINE, live.stream().map(EndpointChurnTest::ready).toList());
        ProxyServer proxy = upstreams.proxy(p -> p.route("/", r -> r.upstream(group)));
        try (SteadyLoad load = new SteadyLoad(proxy.port(), CLIENTS)) {
            for (int i = 0; i < 3; i++) {
                load.awaitMore(150);
                ScriptedUpstream old = live.remove(0);
                live.add(upstreams.scripted().defaultResponse(Response.ok("v2")));
                List<Endpoint> rolling = new ArrayList<>(live.stream().map(EndpointChurnTest::ready).toList());
                rolling.add(terminating(old));
                group.setEndpoints(LINE, rolling); // the new one ready, the old one terminating
                load.awaitMore(150);
                group.setEndpoints(LINE, live.stream().map(EndpointChurnTest::ready).toList());
                assertTrue(await(() -> old.openConnections() == 0), "the old endpoint keeps no connection");
                old.close(); // the old instance exits
            }
            load.awaitMore(150);

            assertEquals(List.of(), load.stopAndFailures());
            assertTrue(live.stream().allMatch(u -> u.requestCount() > 0), "every new endpoint served");
        }
    }

    private static boolean await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            Thread.sleep(5);
        }
        return true;
    }
}
