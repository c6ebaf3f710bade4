package dev.sluice;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;

/**
 * A request as a {@link ProxyHandler} sees it: read-only, valid only during the hook it is given to (it is reused
 * for the connection's next request).
 */
public interface ProxyRequest {

    /** The method, e.g. {@code GET}. */
    String method();

    /**
     * The request target as the client sent it, e.g. {@code /api/items?page=2}, or as the last {@link
     * Answer#reroute} set it ({@code $request_uri} stays the client's).
     */
    String target();

    /** The target's path, normalised as nginx's {@code $uri} ({@code /a/../b} is {@code /b}), without the query. */
    String path();

    /** The query after {@code ?}, or empty: nginx's {@code $args}. */
    String query();

    /** The first value of a field, or null. Names are case-insensitive. */
    String header(String name);

    /** Every value of a field, in order; empty when there is none. */
    List<String> headers(String name);

    /** The client's address, {@code $remote_addr}. */
    String clientAddress();

    /** The prefix of the route that matched, e.g. {@code /api/}. */
    String routePrefix();

    /**
     * The value of {@code template} for this request: nginx's variables ({@code $host}, {@code $request_uri},
     * {@code $1}, ...) as {@code proxy_set_header} would send them, so that a handler can build text the way
     * nginx's configuration does. One char per byte, as a field value goes out: what the client sent as it sent
     * it, and the template's own text beyond ASCII as its UTF-8 bytes ({@code é} is the two chars {@code Ã©}).
     */
    String value(ValueTemplate template);

    /**
     * What the TLS handshake of the client's connection settled (protocol, cipher, SNI name, client certificate),
     * or empty when the client speaks plain HTTP.
     */
    default Optional<ClientTls> tls() {
        return Optional.empty();
    }

    /**
     * The request body, read-only, when the route reads it for its handler ({@link Route.Builder#handlerReadsBody}):
     * empty when the request has none. Null on other routes, whose handler runs before the body is read.
     */
    default ByteBuffer body() {
        return null;
    }
}
