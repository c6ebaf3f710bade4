package dev.sluice.cli;

import dev.sluice.NextUpstream;
import dev.sluice.NextUpstream.Condition;
import dev.sluice.ProxyServer;
import dev.sluice.Route;
import dev.sluice.upstream.UpstreamGroup;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The {@code --demo} setup: two loopback upstreams, one answering 200 and one 500, in a round-robin group, behind
 * a proxy with three routes that mirror a well-known nginx walk-through of {@code proxy_next_upstream} and
 * {@code proxy_intercept_errors}:
 *
 * <pre>
 * upstream backend_server { server ...:8010; server ...:8011; keepalive 10; keepalive_timeout 60s; }
 * location /          { proxy_next_upstream off; }                                        # 200, 500, 200, ...
 * location /error     { proxy_connect_timeout 1s;
 *                       proxy_next_upstream error timeout invalid_header http_500; }      # always 200
 * location /intercept { proxy_intercept_errors on; proxy_next_upstream off; }             # 200, or the 500 page
 * error_page 500 /error_500.txt;   # "error_page HTTP 500 Internal Server Error"
 * </pre>
 *
 * Each route also sets {@code Host}, {@code X-Real-IP} and {@code X-Forwarded-For} as the example does. The
 * group is shared, as in nginx: once {@code /error} has counted the 500 as a failure, that upstream rests for
 * {@code fail_timeout} (10s) and {@code /} answers 200 meanwhile.
 */
final class Demo implements AutoCloseable {

    /** The body of the 500 error page, as the example's {@code error_500.txt}. */
    static final String ERROR_PAGE = "error_page HTTP 500 Internal Server Error\n";

    private final DemoUpstream ok;
    private final DemoUpstream failing;
    private final ProxyServer proxy;

    private Demo(DemoUpstream ok, DemoUpstream failing, ProxyServer proxy) {
        this.ok = ok;
        this.failing = failing;
        this.proxy = proxy;
    }

    /**
     * Starts the two upstreams, then the proxy from {@code proxy} (its listen addresses, workers and access log
     * already set; port 0 picks a free one) with the demo's routes. Nothing is left running if a step fails.
     */
    static Demo start(ProxyServer.Builder proxy) throws IOException {
        DemoUpstream ok = DemoUpstream.start(200);
        DemoUpstream failing = null;
        try {
            failing = DemoUpstream.start(500);
            UpstreamGroup backend = group(ok.address(), failing.address());
            routes(backend).forEach(proxy::route);
            return new Demo(ok, failing, proxy.start());
        } catch (IOException | RuntimeException | Error e) {
            ok.close();
            if (failing != null) {
                failing.close();
            }
            throw e;
        }
    }

    /** The group: the 200 upstream first, then the 500 one, round robin, {@code keepalive 10}, {@code 60s}. */
    static UpstreamGroup group(String ok, String failing) {
        return UpstreamGroup.builder(Settings.GROUP)
                .server(ok)
                .server(failing)
                .keepalive(k -> k.idle(10).idleTimeout(Duration.ofSeconds(60)))
                .build();
    }

    /** The three routes, by prefix, each to {@code backend}. */
    static Map<String, Consumer<Route.Builder>> routes(UpstreamGroup backend) {
        Map<String, Consumer<Route.Builder>> routes = new LinkedHashMap<>();
        routes.put("/", r -> headers(r, backend)
                .setHeader("Connection", "")
                .httpVersion("1.1")
                .nextUpstream(NextUpstream.off()));
        routes.put("/error", r -> headers(r, backend)
                .connectTimeout(Duration.ofSeconds(1))
                .nextUpstream(NextUpstream.on(Condition.ERROR, Condition.TIMEOUT, Condition.INVALID_HEADER, Condition.HTTP_500)));
        routes.put("/intercept", r -> headers(r, backend)
                .interceptErrors(true)
                .nextUpstream(NextUpstream.off())
                .errorPage(500, ERROR_PAGE));
        return routes;
    }

    /** The running proxy. */
    ProxyServer proxy() {
        return proxy;
    }

    /** The addresses of the 200 and the 500 upstream. */
    String[] upstreams() {
        return new String[] {ok.address(), failing.address()};
    }

    /** What to try, a line each, to print after the {@code listening on} line. */
    String instructions() {
        String base = "http://" + curlable(proxy.addresses().get(0));
        return "demo upstreams: " + ok.address() + " answers 200, " + failing.address() + " answers 500 (round robin)\n"
                + "try:\n"
                + "  curl -i " + base + "/           # proxy_next_upstream off: 200 and 500 in turn\n"
                + "  curl -i " + base + "/error      # next_upstream error timeout invalid_header http_500: always 200\n"
                + "  curl -i " + base + "/intercept  # proxy_intercept_errors on: the 500 is answered with the error page\n"
                + "after /error has counted a 500 as a failure, that upstream rests for fail_timeout (10s): / answers 200 meanwhile\n";
    }

    /** Stops the proxy (gracefully, up to 10 seconds), then the upstreams. */
    @Override
    public void close() {
        try {
            proxy.shutdown(Duration.ofSeconds(10));
        } finally {
            ok.close();
            failing.close();
        }
    }

    /** A wildcard address is not one to curl: use loopback instead. */
    private static String curlable(InetSocketAddress address) {
        if (address.getAddress() != null && address.getAddress().isAnyLocalAddress()) {
            return "127.0.0.1:" + address.getPort();
        }
        return Main.hostPort(address);
    }

    private static Route.Builder headers(Route.Builder route, UpstreamGroup backend) {
        return route.upstream(backend)
                .setHeader("Host", "$host")
                .setHeader("X-Real-IP", "$remote_addr")
                .setHeader("X-Forwarded-For", "$proxy_add_x_forwarded_for");
    }
}
