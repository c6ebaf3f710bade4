package dev.sluice.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.Answer;
import dev.sluice.ProxyHandler;
import dev.sluice.ProxyRequest;
import dev.sluice.ProxyServer;
import dev.sluice.upstream.UpstreamGroup;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RoutingProbeTest {

    private final UpstreamGroup stable = UpstreamGroup.builder("stable").server("10.0.0.1:8080")
            .server("10.0.0.2:8080").build();
    private final UpstreamGroup canary = UpstreamGroup.builder("canary").server("10.0.1.1:8080").build();
    private final UpstreamGroup images = UpstreamGroup.builder("images").server("10.0.2.1:80").build();

    /** A gateway as a service would wire it: the thing under test, not a fixture of the probe. */
    private ProxyServer.Builder gateway() {
        ProxyHandler canaryByHeader = new ProxyHandler() {
            @Override
            public UpstreamGroup chooseUpstream(ProxyRequest request, UpstreamGroup configured) {
                return "1".equals(request.header("X-Canary")) ? canary : configured;
            }
        };
        ProxyHandler bearerOnly = new ProxyHandler() {
            @Override
            public Answer onRequest(ProxyRequest request) {
                return request.header("Authorization") == null ? Answer.of(401) : null;
            }
        };
        return ProxyServer.builder()
                .route("/", r -> r.upstream(stable))
                .route("~* \\.(png|jpg)$", r -> r.upstream(images))
                .route("= /health", r -> r.answer(Answer.of(200, "up")))
                .server("api.example.com", s -> s.handler(bearerOnly)
                        .route("/v2/", r -> r.upstream(stable).handler(canaryByHeader))
                        .route("/admin/", r -> r.upstream(stable)));
    }

    @Test
    void tellsTheServerLocationGroupAndPeerOfEachRequest() throws Exception {
        try (RoutingProbe probe = RoutingProbe.start(gateway(), stable, canary, images)) {
            RoutingProbe.Decision page = probe.get("www.example.com", "/docs/a.html");
            RoutingProbe.Decision image = probe.get("www.example.com", "/docs/logo.PNG");
            RoutingProbe.Decision v2 = probe.get("api.example.com", "/v2/items");
            RoutingProbe.Decision canaried = probe.send("GET", "api.example.com", "/v2/items",
                    Map.of("X-Canary", "1"));

            assertEquals(new RoutingProbe.Decision(200, "", "/", "stable", List.of("10.0.0.1:8080")), page);
            assertEquals("~* \\.(png|jpg)$", image.location());
            assertEquals("10.0.2.1:80", image.peer());
            assertEquals("api.example.com", v2.server());
            assertEquals("/v2/", v2.location());
            assertEquals("stable", v2.group());
            assertEquals("10.0.0.2:8080", v2.peer(), "round robin moved on to the second peer");
            assertEquals("canary", canaried.group());
            assertEquals("10.0.1.1:8080", canaried.peer());
        }
    }

    @Test
    void tellsWhenAHandlerOrTheProxyAnsweredItself() throws Exception {
        try (RoutingProbe probe = RoutingProbe.start(gateway(), stable, canary, images)) {
            RoutingProbe.Decision health = probe.get("www.example.com", "/health");
            RoutingProbe.Decision refused = probe.get("api.example.com", "/admin/users");
            RoutingProbe.Decision allowed = probe.send("GET", "api.example.com", "/admin/users",
                    Map.of("Authorization", "Bearer t"));
            RoutingProbe.Decision unknown = probe.get("api.example.com", "/v1/items");

            assertTrue(health.answeredLocally());
            assertEquals(200, health.status());
            assertEquals("= /health", health.location());
            assertNull(health.group());
            assertEquals(401, refused.status(), "the server's handler wants a bearer");
            assertTrue(refused.answeredLocally());
            assertEquals("stable", allowed.group());
            assertEquals(404, unknown.status(), "api.example.com has no location for /v1/");
            assertNull(unknown.location());
        }
    }

    @Test
    void aPeerWithNoStandInRefusesAsAPeerThatIsDown() throws Exception {
        try (RoutingProbe probe = RoutingProbe.start(gateway(), stable, canary)) {
            RoutingProbe.Decision image = probe.get("www.example.com", "/a.jpg");

            assertEquals(502, image.status());
            assertFalse(image.answeredLocally());
            assertEquals(List.of("10.0.2.1:80"), image.peersTried());
        }
    }
}
