package dev.sluice;

/**
 * The request head the peers get, as a {@link ProxyHandler#upstreamRequest} edits it. Edits apply after the route's
 * {@code proxy_set_header}; a field's hop-by-hop rules and framing stay the proxy's.
 */
public interface UpstreamRequest {

    /** Sends {@code method} instead of the client's. */
    UpstreamRequest method(String method);

    /** Sends {@code target} (origin form: a path and an optional query) instead of the client's. */
    UpstreamRequest target(String target);

    /** Sends {@code name: value} in place of every field of that name. */
    UpstreamRequest setHeader(String name, String value);

    /** Sends {@code name: value} besides the fields of that name. */
    UpstreamRequest addHeader(String name, String value);

    /** Sends no field of that name. */
    UpstreamRequest removeHeader(String name);

    /**
     * Chooses the peer by {@code key} when the group balances by a hash ({@code hash KEY [consistent]}), in place
     * of the route's {@link Route.Builder#hashKey hashKey}: a tenant, a user or a session the handler worked out.
     * Other balancers ignore it.
     */
    UpstreamRequest hashKey(String key);
}
