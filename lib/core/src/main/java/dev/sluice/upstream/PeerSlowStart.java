package dev.sluice.upstream;

/**
 * The ramp of a peer's slow start: from when it comes back or joins, the weight smooth round robin lets its effective
 * weight climb to grows from zero to the configured weight over the line's {@code slow_start} time. Lock held.
 */
final class PeerSlowStart {

    private PeerSlowStart() {
    }

    /** The weight {@code peer} climbs back to at {@code nanos}: its weight, or less until its slow start ends. */
    static int weight(PeerState peer, long nanos) {
        if (peer.slowStartSince == PeerState.LONG_AGO) {
            return peer.weight;
        }
        long elapsed = nanos - peer.slowStartSince;
        if (elapsed >= peer.slowStartNanos) {
            peer.slowStartSince = PeerState.LONG_AGO;
            return peer.weight;
        }
        return (int) (peer.weight * (elapsed / (double) peer.slowStartNanos));
    }
}
