package dev.sluice.examples;

import dev.sluice.Answer;
import dev.sluice.ProxyHandler;
import dev.sluice.ProxyRequest;
import dev.sluice.UpstreamRequest;
import dev.sluice.upstream.UpstreamGroup;

/**
 * The handler of a small API gateway, each phase doing what would take an nginx module or a second process: a
 * health answer on the proxy's own port, a bearer token required (401 without one), a canary group for requests
 * that ask for it, and the public {@code /api/...} paths rewritten to the services' own.
 */
public final class GatewayHandler implements ProxyHandler {

    private final UpstreamGroup canary;

    /** Requests with {@code X-Canary: 1} go to {@code canary}; the others to the route's group. */
    public GatewayHandler(UpstreamGroup canary) {
        this.canary = canary;
    }

    @Override
    public Answer onRequest(ProxyRequest request) {
        if (request.path().equals("/health")) {
            return Answer.of(200, "ok");
        }
        String authorization = request.header("Authorization");
        if (authorization == null || !authorization.startsWith("Bearer ")) {
            return Answer.builder(401).header("WWW-Authenticate", "Bearer").build();
        }
        return null;
    }

    @Override
    public UpstreamGroup chooseUpstream(ProxyRequest request, UpstreamGroup configured) {
        return "1".equals(request.header("X-Canary")) ? canary : configured;
    }

    @Override
    public void upstreamRequest(ProxyRequest request, UpstreamRequest upstream) {
        String target = request.target();
        if (target.startsWith("/api/")) {
            upstream.target(target.substring("/api".length()));
        }
        upstream.removeHeader("Authorization").setHeader("X-Authenticated", "bearer");
    }
}
