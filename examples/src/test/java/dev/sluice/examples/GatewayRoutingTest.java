package dev.sluice.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.ProxyServer;
import dev.sluice.testing.RoutingProbe;
import dev.sluice.upstream.UpstreamGroup;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The gateway's routing asked of the whole configuration with the test kit's {@link RoutingProbe}: which group and
 * peer each request reaches, or whether the handler answered it, with no socket and no real upstream.
 */
class GatewayRoutingTest {

    private final UpstreamGroup stable = UpstreamGroup.builder("stable").server("10.0.0.1:8080")
            .server("10.0.0.2:8080").build();
    private final UpstreamGroup canary = UpstreamGroup.builder("canary").server("10.0.1.1:8080").build();

    /** The gateway as the service wires it. */
    private ProxyServer.Builder gateway() {
        return ProxyServer.builder().route("/", r -> r.upstream(stable).handler(new GatewayHandler(canary)));
    }

    @Test
    void signedInRequestsReachTheStableGroupAndCanaryOnesTheCanary() throws Exception {
        Map<String, String> token = Map.of("Authorization", "Bearer t");
        try (RoutingProbe probe = RoutingProbe.start(gateway(), stable, canary)) {
            RoutingProbe.Decision first = probe.send("GET", "gw", "/api/items", token);
            RoutingProbe.Decision second = probe.send("GET", "gw", "/api/items", token);
            RoutingProbe.Decision canaried = probe.send("GET", "gw", "/api/items",
                    Map.of("Authorization", "Bearer t", "X-Canary", "1"));

            assertEquals("stable", first.group());
            assertEquals("10.0.0.1:8080", first.peer());
            assertEquals("10.0.0.2:8080", second.peer(), "round robin");
            assertEquals("canary", canaried.group());
            assertEquals("10.0.1.1:8080", canaried.peer());
        }
    }

    @Test
    void healthIsAnsweredByTheGatewayAndAnonymousRequestsAreRefused() throws Exception {
        try (RoutingProbe probe = RoutingProbe.start(gateway(), stable, canary)) {
            RoutingProbe.Decision health = probe.get("gw", "/health");
            RoutingProbe.Decision anonymous = probe.get("gw", "/api/items");

            assertTrue(health.answeredLocally());
            assertEquals(200, health.status());
            assertTrue(anonymous.answeredLocally());
            assertEquals(401, anonymous.status());
        }
    }
}
