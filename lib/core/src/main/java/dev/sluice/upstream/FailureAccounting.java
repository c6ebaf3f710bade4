package dev.sluice.upstream;

/**
 * nginx's failure accounting for a peer of a tier of several ({@code ngx_http_upstream_free_round_robin_peer}): a
 * failure counts toward {@code max_fails}, lowers the effective weight and, at {@code max_fails}, rests the peer
 * for {@code fail_timeout}; a success after the failure window clears the failures (and ramps the peer up again
 * with {@code slow_start} after a rest). A tier of one peer keeps no such account.
 */
final class FailureAccounting {

    private FailureAccounting() {
    }

    /** Records how an attempt on {@code peer} ended, at {@code now}. Lock of the peer's group held. */
    static void record(PeerState peer, Outcome outcome, Now now) {
        if (outcome == Outcome.FAILURE) {
            peer.fails++;
            if (peer.fails == peer.maxFails) {
                peer.unavailTurns++;
            }
            peer.accessed = now.seconds();
            peer.checked = now.seconds();
            if (peer.maxFails != 0 && peer.fails >= peer.maxFails) {
                peer.unavailable(now.nanos(), peer.checked + peer.failTimeoutSeconds + 1);
            }
            if (peer.maxFails != 0) {
                peer.effectiveWeight = Math.max(0, peer.effectiveWeight - peer.weight / peer.maxFails);
            }
        } else if (peer.accessed < peer.checked) {
            if (peer.slowStartNanos > 0 && peer.maxFails != 0 && peer.fails >= peer.maxFails) {
                peer.slowStartSince = now.nanos();
            }
            peer.fails = 0;
        }
        peer.tier.rotation.changed(peer);
    }
}
