package dev.sluice;

import dev.sluice.observe.ExchangeRecord;
import dev.sluice.upstream.UpstreamGroup;

/**
 * The user's hooks into each exchange of a route: answer a request locally, choose its upstream group from any
 * logic, edit what goes upstream and what comes back, and see the exchange when it ends. What a service would need
 * an nginx module (or {@code auth_request}, {@code map}, {@code split_clients}, {@code return}) for, in plain Java,
 * after Pingora's {@code ProxyHttp}: every method has a default that does what nginx does without it, so a handler
 * implements only the phases it cares about.
 *
 * <p>The phases, in order: {@link #onRequest} (after the route's {@code limit_req} and {@code limit_conn}, before the
 * body is read), {@link #chooseUpstream} and {@link #upstreamRequest} (once, before the first attempt), {@link
 * #upstreamResponse} (for the response the client gets, after the retry rules chose it), {@link #done}. Hooks run on
 * the connection's event loop and must not block. A hook that throws costs the client one answer of the proxy's
 * own, 500 before the request went upstream and 502 after, logged with the route and the phase; it counts nothing
 * against a peer.
 *
 * <pre>{@code
 * ProxyHandler canary = new ProxyHandler() {
 *     public Answer onRequest(ProxyRequest request) {
 *         return request.header("Authorization") == null ? Answer.of(401) : null;
 *     }
 *     public UpstreamGroup chooseUpstream(ProxyRequest request, UpstreamGroup configured) {
 *         return "1".equals(request.header("X-Canary")) ? canaryGroup : configured;
 *     }
 * };
 * ProxyServer.builder().route("/", r -> r.upstream(stable).handler(canary));
 * }</pre>
 *
 * <p>Default: none; a route without a handler runs no hook and allocates nothing for one.
 */
public interface ProxyHandler {

    /**
     * The request as parsed: answer it here ({@code return} in nginx, an auth check's 401, a health answer), or
     * return null to proxy it. Default: null.
     */
    default Answer onRequest(ProxyRequest request) {
        return null;
    }

    /**
     * The group the request goes to; {@code configured} is the route's. Default: {@code configured}. The group's
     * keepalive pool, balancer and {@code Host: $proxy_host} follow the choice.
     */
    default UpstreamGroup chooseUpstream(ProxyRequest request, UpstreamGroup configured) {
        return configured;
    }

    /**
     * Edits the request head the peers get (after the route's {@code proxy_set_header}): its method, its target,
     * its fields. Default: no edit.
     */
    default void upstreamRequest(ProxyRequest request, UpstreamRequest upstream) {
    }

    /**
     * Edits the response head the client gets (not a 101, nor an answer of the proxy's own): its fields, as nginx's
     * {@code proxy_hide_header} and {@code add_header}, or replaces the response with an answer. Default: no edit.
     */
    default Answer upstreamResponse(ProxyRequest request, UpstreamResponse response) {
        return null;
    }

    /**
     * The exchange ended: what it did, as the access log sees it. Default: nothing; the proxy builds the record
     * only for a handler that overrides this method (or for an {@link dev.sluice.observe.ExchangeListener}).
     */
    default void done(ProxyRequest request, ExchangeRecord record) {
    }
}
