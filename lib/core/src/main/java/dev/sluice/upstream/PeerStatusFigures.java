package dev.sluice.upstream;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The figures of a peer's status document that take more than one field to read: the responses by class added up
 * over its family, the times of day its ticker readings stand for, its averages and how long it still rests. Each
 * member is read under its own group's lock.
 */
final class PeerStatusFigures {

    private PeerStatusFigures() {
    }

    /** {@link PeerState#responses()}: the responses by status class of every member of the family, added up. */
    static long[] responses(PeerState peer) {
        long[] all = new long[peer.responses.length];
        for (PeerState member : peer.family.members()) {
            synchronized (member.group.lock) {
                for (int i = 0; i < all.length; i++) {
                    all[i] += member.responses[i];
                }
            }
        }
        return all;
    }

    /** {@link PeerState#lastSelected()}: the latest reported start of an attempt over the family, as an instant. */
    static Optional<Instant> lastSelected(PeerState peer) {
        long last = peer.family.most(p -> p.selectedAt);
        if (last == PeerState.LONG_AGO) {
            return Optional.empty();
        }
        return Optional.of(Instant.now().minusNanos(peer.group.ticker.nanos() - last));
    }

    /** {@link PeerState#downStart()}: the earliest start of a current down time over the family, as an instant. */
    static Optional<Instant> downStart(PeerState peer) {
        long now = peer.group.ticker.nanos();
        long earliest = Long.MAX_VALUE;
        for (PeerState member : peer.family.members()) {
            synchronized (member.group.lock) {
                long since = member.downtime.since(now, member.healthy);
                earliest = since == PeerState.LONG_AGO ? earliest : Math.min(earliest, since);
            }
        }
        return earliest == Long.MAX_VALUE ? Optional.empty() : Optional.of(Instant.now().minusNanos(now - earliest));
    }

    /** A moving average in nanoseconds as a duration; empty for -1, before the first time measured. */
    static Optional<Duration> average(long nanos) {
        return nanos < 0 ? Optional.empty() : Optional.of(Duration.ofNanos(nanos));
    }

    /** {@link PeerState#unavailableFor()} in {@code peer}'s own group or loop, in nanoseconds. Lock held. */
    static long unavailableNanos(PeerState peer) {
        if (peer.maxFails == 0 || peer.fails < peer.maxFails) {
            return 0;
        }
        long untilSecond = peer.checked + peer.failTimeoutSeconds + 1;
        return Math.max(0, untilSecond * 1_000_000_000L - peer.group.ticker.nanos());
    }
}
