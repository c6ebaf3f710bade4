package dev.sluice.internal.proxy;

import dev.sluice.NextUpstream;

/**
 * What an exchange does after an attempt failed, or after a peer answered with a status that {@code
 * proxy_next_upstream} lists: the one place where a retry is decided, read top to bottom, one question per line.
 * nginx's {@code ngx_http_upstream_next} and {@code ngx_http_upstream_test_next}, with Sluice's stale-connection rule
 * before them, and its rule for a request the peer provably never processed: refused, or reset before it had the
 * whole request (nothing written yet, or a reused connection that broke while it was written), which goes to another
 * peer whatever its method, without spending a try. Pure logic: the exchange supplies the facts.
 */
final class RetryDecision {

    /** The answer. */
    enum Action {
        /** Send the request again to the same peer on a new connection: the pooled one had been closed under it. */
        FRESH_CONNECTION,
        /** Pass the request to the next peer the balancer picks. */
        NEXT_PEER,
        /** Pass it to the next peer without spending a try: the failed one provably never processed it. */
        NEXT_PEER_UNSPENT,
        /** Stop here: answer the client with the failure's status, or relay the status the peer sent. */
        ANSWER
    }

    private RetryDecision() {
    }

    /**
     * Decides after {@code failure}.
     *
     * @param staleConnection whether the attempt met a pooled connection the peer had closed while it was idle
     * @param freshConnectionTried whether this request already had its fresh connection after a stale one
     * @param requestSent whether any byte of the request reached the failed peer's socket
     * @param neverProcessed whether the peer provably never had the whole request, and no response byte came
     * @param idempotent whether the method may be repeated (not POST, LOCK or PATCH), or an Idempotency-Key says so
     * @param bodyStreamed whether the request body streams unbuffered ({@code proxy_request_buffering off})
     * @param bodyPartSent whether some of a streamed body already went out, so it cannot be sent again
     * @param responseStarted whether any byte of the response went to the client
     * @param policy the route's {@code proxy_next_upstream}
     * @param triesLeft attempts still allowed after this one ({@code pc->tries} after the free)
     * @param elapsedNanos time since the first attempt began
     */
    static Action decide(Failure failure, boolean staleConnection, boolean freshConnectionTried, boolean requestSent,
            boolean neverProcessed, boolean idempotent, boolean bodyStreamed, boolean bodyPartSent,
            boolean responseStarted, NextUpstream policy, int triesLeft, long elapsedNanos) {
        if (responseStarted) {
            return Action.ANSWER; // the client has part of a response: nothing can replace it
        }
        if (failure == Failure.NO_LIVE) {
            return Action.ANSWER; // no peer left to pick
        }
        if (staleConnection && idempotent && !freshConnectionTried && !bodyPartSent) {
            return Action.FRESH_CONNECTION; // the peer never saw it: once, and no try is spent
        }
        if (!policy.has(failure.condition)) {
            return Action.ANSWER; // proxy_next_upstream does not list this failure
        }
        long limit = policy.timeout().toNanos();
        if (limit != 0 && elapsedNanos >= limit) {
            return Action.ANSWER; // proxy_next_upstream_timeout
        }
        if (neverProcessed && !bodyPartSent) {
            return Action.NEXT_PEER_UNSPENT; // nothing happened there: any method, and the try is not spent
        }
        if (triesLeft == 0) {
            return Action.ANSWER; // proxy_next_upstream_tries, or every peer tried
        }
        if (requestSent && !idempotent && !policy.has(NextUpstream.Condition.NON_IDEMPOTENT)) {
            return Action.ANSWER; // a POST the peer may have applied goes nowhere else unless told to
        }
        if (requestSent && bodyStreamed) {
            return Action.ANSWER; // a streamed body cannot be sent again
        }
        return Action.NEXT_PEER;
    }
}
