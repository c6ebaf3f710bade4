package dev.sluice.internal.proxy;

/**
 * Where a client connection is in its lifecycle. {@link #allows} is the lifecycle: a move it does not list is a
 * defect and fails loudly ({@link IllegalStateException}) rather than leaving the connection in a state no event
 * expects.
 */
enum ClientState {
    /** A client of a TLS address: its handshake, before its first request. */
    HANDSHAKE,
    /** Waiting for, or reading, a request head (keepalive and pipelining included). */
    READ_HEAD,
    /** Admitted with a delay by {@code limit_req}: nothing is read meanwhile. */
    LIMITED,
    /** Waiting for a handler's answer that comes later ({@code Answer.after}): nothing is read meanwhile. */
    HOOK,
    /** Buffering the request body before going upstream. */
    READ_BODY,
    /**
     * The exchange is upstream: attempts, then the relayed response. A request an {@code error_page} reroutes from
     * here to a named route is admitted again: a delay of its limits, its handler, or another upstream (staying
     * here).
     */
    UPSTREAM,
    /** Writing a response of the proxy's own. */
    RESPOND,
    /**
     * After a response of the proxy's own to a request whose body it never read: the body is read and dropped by
     * its framing, and the connection then serves the next request.
     */
    DISCARD_BODY,
    /** Relaying an upgraded connection both ways. */
    TUNNEL,
    /** Lingering close: output shut, the client's last bytes read and dropped. */
    LINGER,
    CLOSED;

    /** Whether a connection in this state may move to {@code next}. */
    boolean allows(ClientState next) {
        switch (this) {
            case HANDSHAKE:
                return next == READ_HEAD || next == CLOSED;
            case READ_HEAD:
                return next != READ_HEAD && next != TUNNEL && next != HANDSHAKE && next != DISCARD_BODY;
            case LIMITED:
                return next == HOOK || next == READ_BODY || next == UPSTREAM || next == RESPOND || next == CLOSED;
            case HOOK:
                return next == READ_BODY || next == UPSTREAM || next == RESPOND || next == CLOSED;
            case READ_BODY:
                return next == HOOK || next == UPSTREAM || next == RESPOND || next == CLOSED;
            case UPSTREAM:
                return next != READ_BODY && next != UPSTREAM && next != HANDSHAKE && next != DISCARD_BODY;
            case RESPOND:
                return next == READ_HEAD || next == DISCARD_BODY || next == LINGER || next == CLOSED;
            case DISCARD_BODY:
                return next == READ_HEAD || next == CLOSED;
            case TUNNEL:
            case LINGER:
                return next == CLOSED;
            default:
                return false;
        }
    }
}
