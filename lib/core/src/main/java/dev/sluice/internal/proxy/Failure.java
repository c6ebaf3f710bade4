package dev.sluice.internal.proxy;

import dev.sluice.NextUpstream;

/**
 * Why an attempt on a peer ended without a usable response: nginx's {@code NGX_HTTP_UPSTREAM_FT_*} types, each
 * with the status the client gets when no retry follows.
 */
enum Failure {
    ERROR(502, NextUpstream.Condition.ERROR),
    TIMEOUT(504, NextUpstream.Condition.TIMEOUT),
    INVALID_HEADER(502, NextUpstream.Condition.INVALID_HEADER),
    HTTP_500(500, NextUpstream.Condition.HTTP_500),
    HTTP_502(502, NextUpstream.Condition.HTTP_502),
    HTTP_503(503, NextUpstream.Condition.HTTP_503),
    HTTP_504(504, NextUpstream.Condition.HTTP_504),
    HTTP_403(403, NextUpstream.Condition.HTTP_403),
    HTTP_404(404, NextUpstream.Condition.HTTP_404),
    HTTP_429(429, NextUpstream.Condition.HTTP_429),
    /** No peer could be picked ("no live upstreams"); never retried. */
    NO_LIVE(502, null);

    final int status;
    final NextUpstream.Condition condition;

    Failure(int status, NextUpstream.Condition condition) {
        this.status = status;
        this.condition = condition;
    }

    /** The failure a response status stands for, if {@code proxy_next_upstream} can name it; else null. */
    static Failure ofStatus(int status) {
        switch (status) {
            case 500: return HTTP_500;
            case 502: return HTTP_502;
            case 503: return HTTP_503;
            case 504: return HTTP_504;
            case 403: return HTTP_403;
            case 404: return HTTP_404;
            case 429: return HTTP_429;
            default: return null;
        }
    }

    /** Whether the peer answered with a status (as opposed to failing at the transport or framing level). */
    boolean isStatus() {
        return this != ERROR && this != TIMEOUT && this != INVALID_HEADER && this != NO_LIVE;
    }

    /** Whether this failure counts against the peer when it leads to a retry, as nginx frees it with FAILED: all
     * but 403 and 404. */
    boolean countsAgainstPeer() {
        return this != HTTP_403 && this != HTTP_404;
    }
}
