package dev.sluice.upstream;

/**
 * A peer's run-time flags, {@code down} and healthy, turned in one group's state: the peer is re-filed in its tier's
 * rotation, a peer that comes back healthy starts its slow start and ends its downtime, and a peer that comes back
 * admits a queued request. A loop's twin follows its original's flags the same way. Lock held.
 */
final class PeerFlags {

    private PeerFlags() {
    }

    /** {@link PeerState#setDown} in {@code peer}'s group alone; returns the queued request it admits, if any. */
    static Selection markDown(PeerState peer, boolean down) {
        if (peer.down == down) {
            return null;
        }
        peer.down = down;
        if (peer.tier == null) {
            return null;
        }
        peer.tier.notDown += down ? -1 : 1;
        peer.group.now.forget();
        peer.tier.rotation.changed(peer);
        peer.group.saveState();
        return down ? null : peer.group.admitFromQueue();
    }

    /** {@link PeerState#setHealthy} in {@code peer}'s group alone; returns the queued request it admits, if any. */
    static Selection markHealthy(PeerState peer, boolean healthy) {
        UpstreamGroup group = peer.group;
        group.now.forget();
        boolean recovered = healthy && !peer.healthy;
        if (recovered && peer.slowStartNanos > 0) {
            peer.slowStartSince = group.now.nanos();
        }
        if (recovered) {
            peer.downtime.recovered(group.now.nanos());
        } else if (!healthy) {
            peer.downtime.unhealthy(group.now.nanos(), peer.healthy);
        }
        peer.healthy = healthy;
        if (peer.tier != null) {
            peer.tier.rotation.changed(peer);
        }
        return recovered ? group.admitFromQueue() : null;
    }

    /** {@code twin} takes its original's flags without a rebuild, re-filed as the original was. Both locks held. */
    static void follow(PeerState twin) {
        PeerState original = twin.original;
        twin.endpoint = original.endpoint;
        markDown(twin, original.down);
        if (twin.healthy != original.healthy) {
            markHealthy(twin, original.healthy);
        }
        if (twin.draining != original.draining) {
            twin.draining = original.draining;
            if (twin.tier != null) {
                twin.tier.rotation.changed(twin);
            }
        }
    }
}
