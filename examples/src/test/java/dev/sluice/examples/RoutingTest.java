package dev.sluice.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.ProxyServer;
import dev.sluice.testing.ManualTicker;
import dev.sluice.testing.RawClient;
import dev.sluice.testing.ScriptedUpstream;
import dev.sluice.testing.ScriptedUpstream.Response;
import dev.sluice.testing.Upstreams;
import dev.sluice.upstream.Outcome;
import dev.sluice.upstream.Selection;
import dev.sluice.upstream.UpstreamGroup;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * How a service tests its routing with the test kit ({@code dev.sluice:sluice-testing}, test scope): the
 * balancing with a {@link ManualTicker} and no socket, and the proxy in front of scripted upstreams that the
 * {@link Upstreams} extension starts and stops.
 */
class RoutingTest {

    @RegisterExtension
    final Upstreams upstreams = new Upstreams();

    @Test
    void failedServerIsSkippedForFailTimeoutAndThenPickedAgain() {
        ManualTicker ticker = new ManualTicker();
        UpstreamGroup backend = UpstreamGroup.builder("backend").ticker(ticker)
                .server("10.0.0.1:8080", s -> s.weight(5))
                .server("10.0.0.2:8080")
                .build();
        Selection failing = backend.newSelection();
        assertEquals("10.0.0.1:8080", failing.select().name());
        failing.report(Outcome.FAILURE);

        assertFalse(picks(backend, 6).contains("10.0.0.1:8080"), "unavailable for fail_timeout, 10s");

        ticker.advance(Duration.ofSeconds(11));
        assertTrue(picks(backend, 6).contains("10.0.0.1:8080"), "back once fail_timeout has passed");
    }

    @Test
    void proxyMovesOnToTheNextServerWhenOneResetsTheConnection() throws Exception {
        ScriptedUpstream broken = upstreams.scripted().enqueue(Response.builder().resetOnRequest());
        ScriptedUpstream healthy = upstreams.scripted().enqueue(Response.ok("from the healthy one"));
        UpstreamGroup backend = UpstreamGroup.builder("backend")
                .server(broken.address())
                .server(healthy.address())
                .build();
        ProxyServer proxy = upstreams.proxy(p -> p.route("/", r -> r.upstream(backend)));

        RawClient.Reply reply = upstreams.rawClient(proxy.port()).timeout(Duration.ofSeconds(5))
                .send(RawClient.get("/orders")).readResponse();

        assertEquals(200, reply.status());
        assertEquals("from the healthy one", reply.bodyString());
        assertEquals(1, broken.requestCount());
        assertEquals(1, healthy.requestCount());
    }

    private static List<String> picks(UpstreamGroup group, int count) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Selection selection = group.newSelection();
            names.add(selection.select().name());
            selection.report(Outcome.SUCCESS);
        }
        return names;
    }
}
