package dev.sluice.upstream;

/**
 * What became of one attempt on a peer, as the proxy reports it to {@link Selection#report(Outcome)}.
 *
 * <p>These are the states nginx passes to its balancers' {@code free} function.
 */
public enum Outcome {

    /** The peer answered and its response is the one used: nginx's state 0. Clears the peer's failures after a
     * successful probe. */
    SUCCESS,

    /**
     * The attempt failed in a way that counts against the peer ({@code NGX_PEER_FAILED}): a connect, send or
     * read error, a timeout, an invalid header, or a status listed in {@code proxy_next_upstream}. Counts toward
     * {@code max_fails} and lowers the peer's effective weight.
     */
    FAILURE,

    /**
     * The attempt is over without a verdict on the peer ({@code NGX_PEER_NEXT}): a 403 or 404 passed on to the
     * next peer, or a reused keepalive connection that the peer had already closed. Uses up the try but is not
     * counted as a failure.
     */
    NEUTRAL
}
