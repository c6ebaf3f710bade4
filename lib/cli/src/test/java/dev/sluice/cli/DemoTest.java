package dev.sluice.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.NextUpstream;
import dev.sluice.NextUpstream.Condition;
import dev.sluice.ProxyServer;
import dev.sluice.Route;
import dev.sluice.upstream.UpstreamGroup;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class DemoTest {

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private static Route build(String prefix, Map<String, Consumer<Route.Builder>> routes) {
        Route.Builder route = Route.builder(prefix);
        routes.get(prefix).accept(route);
        return route.build();
    }

    @Test
    void theUpstreamsAnswerAsTheNginxExampleDoes() throws Exception {
        try (DemoUpstream ok = DemoUpstream.start(200); DemoUpstream failing = DemoUpstream.start(500)) {
            HttpResponse<String> r200 = get("http://" + ok.address() + "/anything");
            assertEquals(200, r200.statusCode());
            assertEquals("Response 200, this is upstream server on port " + ok.address() + "\n", r200.body());
            assertEquals("text/plain", r200.headers().firstValue("Content-Type").orElse(""));
            HttpResponse<String> r500 = get("http://" + failing.address() + "/");
            assertEquals(500, r500.statusCode());
            assertEquals("Response 500, this is upstream server on port " + failing.address() + "\n", r500.body());
            assertTrue(ok.address().startsWith("127.0.0.1:"), ok.address());
        }
    }

    @Test
    void theRoutesMirrorTheNginxLocations() {
        UpstreamGroup backend = Demo.group("127.0.0.1:1", "127.0.0.1:2");
        assertEquals(10, backend.keepalive().idle());
        assertEquals(Duration.ofSeconds(60), backend.keepalive().idleTimeout());
        assertEquals(2, backend.peers().size());
        Map<String, Consumer<Route.Builder>> routes = Demo.routes(backend);
        assertEquals(List.of("/", "/error", "/intercept"), new ArrayList<>(routes.keySet()));

        Route root = build("/", routes);
        assertFalse(root.nextUpstream().has(Condition.ERROR));
        assertFalse(root.interceptErrors());

        Route error = build("/error", routes);
        assertEquals(Duration.ofSeconds(1), error.connectTimeout());
        NextUpstream next = error.nextUpstream();
        for (Condition c : List.of(Condition.ERROR, Condition.TIMEOUT, Condition.INVALID_HEADER, Condition.HTTP_500)) {
            assertTrue(next.has(c), c.name());
        }

        Route intercept = build("/intercept", routes);
        assertTrue(intercept.interceptErrors());
        assertFalse(intercept.nextUpstream().has(Condition.ERROR));
        assertArrayEquals("error_page HTTP 500 Internal Server Error\n".getBytes(StandardCharsets.UTF_8),
                intercept.errorPages().get(500).body());
        for (Route r : List.of(root, error, intercept)) {
            assertEquals("$remote_addr", r.setHeaders().stream().filter(h -> h.getKey().equals("X-Real-IP"))
                    .findFirst().orElseThrow().getValue().toString());
        }
    }

    /** End to end through the proxy; skipped until the proxy engine is in the library. */
    @Test
    void theDemoBehavesAsTheNginxExample() throws Exception {
        Demo demo;
        try {
            demo = Demo.start(ProxyServer.builder().listen("127.0.0.1:0"));
        } catch (UnsupportedOperationException e) {
            Assumptions.abort("the proxy engine is not in the library yet: " + e.getMessage());
            return;
        }
        try (demo) {
            String base = "http://127.0.0.1:" + demo.proxy().port();
            String[] upstreams = demo.upstreams();
            assertTrue(demo.instructions().contains("curl -i " + base + "/error"), demo.instructions());

            List<Integer> root = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                root.add(get(base + "/").statusCode());
            }
            assertEquals(List.of(200, 500, 200, 500), root);

            for (int i = 0; i < 4; i++) {
                HttpResponse<String> r = get(base + "/error");
                assertEquals(200, r.statusCode());
                assertEquals("Response 200, this is upstream server on port " + upstreams[0] + "\n", r.body());
            }
        }
        // A fresh demo, since /error has made the 500 upstream rest for fail_timeout.
        try (Demo fresh = Demo.start(ProxyServer.builder().listen("127.0.0.1:0"))) {
            String base = "http://127.0.0.1:" + fresh.proxy().port();
            HttpResponse<String> first = get(base + "/intercept");
            HttpResponse<String> second = get(base + "/intercept");
            assertEquals(200, first.statusCode());
            assertEquals(500, second.statusCode());
            assertEquals(Demo.ERROR_PAGE, second.body());
        }
    }
}
