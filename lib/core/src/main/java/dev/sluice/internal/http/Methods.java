package dev.sluice.internal.http;

/**
 * Request methods nginx knows by name, so that parsing one returns a shared constant instead of a new String, and
 * nginx's rule for which methods may be retried on another upstream.
 */
final class Methods {

    static final String GET = "GET";
    static final String HEAD = "HEAD";
    static final String POST = "POST";
    static final String CONNECT = "CONNECT";
    static final String OPTIONS = "OPTIONS";
    static final String PATCH = "PATCH";
    static final String LOCK = "LOCK";
    static final String TRACE = "TRACE";

    private static final String[] KNOWN = {
        GET, HEAD, POST, "PUT", "DELETE", OPTIONS, TRACE, CONNECT, PATCH,
        "PROPFIND", "PROPPATCH", "MKCOL", "COPY", "MOVE", LOCK, "UNLOCK",
    };

    private Methods() {
    }

    /** The shared constant for the method in {@code buf[start, end)} (case-sensitive), or null if unknown. */
    static String known(byte[] buf, int start, int end) {
        for (String method : KNOWN) {
            if (Ascii.equals(buf, start, end, method)) {
                return method;
            }
        }
        return null;
    }

    /**
     * nginx's {@code ngx_http_upstream_non_idempotent()}: only POST, LOCK and PATCH are non-idempotent; every other
     * method, unknown ones included, may be retried.
     */
    static boolean isIdempotent(String knownMethod) {
        return knownMethod != POST && knownMethod != LOCK && knownMethod != PATCH;
    }
}
