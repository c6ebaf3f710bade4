package dev.sluice.internal.proxy;

import dev.sluice.NextUpstream;

/**
 * Decides whether a failed attempt moves on to the next peer, as nginx's {@code ngx_http_upstream_next} and
 * {@code ngx_http_upstream_test_next}, one question per line. Pure logic: the exchange supplies the facts.
 */
final class RetryPolicy {

    private RetryPolicy() {
    }

    /**
     * Whether to try the next peer after {@code failure}.
     *
     * @param policy the route's {@code proxy_next_upstream}
     * @param triesLeft attempts still allowed after this one ({@code pc->tries} after the free)
     * @param requestSent whether any byte of the request reached the failed peer's socket
     * @param idempotent whether the method may be repeated (not POST, LOCK or PATCH), or an Idempotency-Key says so
     * @param bodyStreamed whether the request body is streamed unbuffered ({@code proxy_request_buffering off})
     * @param responseStarted whether any byte of the response went to the client
     * @param elapsedNanos time since the first attempt began
     */
    static boolean shouldRetry(Failure failure, NextUpstream policy, int triesLeft, boolean requestSent,
            boolean idempotent, boolean bodyStreamed, boolean responseStarted, long elapsedNanos) {
        if (failure == Failure.NO_LIVE || responseStarted) {
            return false;
        }
        if (triesLeft == 0) {
            return false;
        }
        if (!policy.has(failure.condition)) {
            return false;
        }
        if (requestSent && !idempotent && !policy.has(NextUpstream.Condition.NON_IDEMPOTENT)) {
            return false;
        }
        if (requestSent && bodyStreamed) {
            return false;
        }
        long limit = policy.timeout().toNanos();
        return limit == 0 || elapsedNanos < limit;
    }

    /** Whether a method is idempotent in nginx's sense: everything but POST, LOCK and PATCH. */
    static boolean isIdempotent(String method) {
        return !method.equals("POST") && !method.equals("LOCK") && !method.equals("PATCH");
    }
}
