package dev.sluice.internal.proxy;

import dev.sluice.ProxyServer;
import dev.sluice.Route;
import dev.sluice.testing.RawClient;
import dev.sluice.testing.ScriptedUpstream;
import dev.sluice.testing.Upstreams;
import dev.sluice.upstream.UpstreamGroup;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * A proxy with one worker in front of scripted upstreams, for the client-side tests: each test states only the
 * options it is about. The proxy and the upstreams are stopped by {@link Upstreams} after the test.
 */
final class FrontProxy {

    /** The upstream group every route goes to; {@code Host: $proxy_host} carries this name. */
    static final String GROUP = "backend";

    private FrontProxy() {
    }

    /** A proxy with nginx's defaults routing "/" to {@code upstream}. */
    static ProxyServer start(Upstreams upstreams, ScriptedUpstream upstream) throws IOException {
        return start(upstreams, upstream, server -> { }, route -> { });
    }

    /** A proxy routing "/" to {@code upstream}, with server-level and route-level options. */
    static ProxyServer start(Upstreams upstreams, ScriptedUpstream upstream, Consumer<ProxyServer.Builder> server,
            Consumer<Route.Builder> route) throws IOException {
        UpstreamGroup group = UpstreamGroup.builder(GROUP).server(upstream.address()).build();
        return upstreams.proxy(builder -> server.accept(builder.route("/", r -> route.accept(r.upstream(group)))));
    }

    /** A raw client of {@code proxy}, closed after the test, with a read timeout that keeps a failing test short. */
    static RawClient client(Upstreams upstreams, ProxyServer proxy) throws IOException {
        return upstreams.rawClient(proxy.port()).timeout(Duration.ofSeconds(3));
    }

    /** The request head the upstream receives for {@code GET target} with nothing but a Host field. */
    static String forwardedGet(String target) {
        return "GET " + target + " HTTP/1.1\r\nHost: " + GROUP + "\r\n\r\n";
    }

    static String ascii(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }
}
