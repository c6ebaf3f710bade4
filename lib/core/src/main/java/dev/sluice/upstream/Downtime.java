package dev.sluice.upstream;

import static dev.sluice.upstream.PeerState.LONG_AGO;

/**
 * NGINX Plus's {@code downtime} of one peer: the time it spent unavailable after {@code max_fails}, unhealthy, or
 * not yet checked under a mandatory health check, in ticker nanoseconds. A period ends when both its reasons have:
 * the failure window of the last failure that left the peer unavailable, and ill health. Used under the group's lock.
 */
final class Downtime {

    /** The periods that ended. */
    private long total;
    /** The start of the current period, or {@link PeerState#LONG_AGO} while the peer is up. */
    private long since = LONG_AGO;
    /** When the failure window of the last failure that left the peer unavailable ends. */
    private long unavailableUntil = LONG_AGO;
    /** When health checks last found the peer healthy again. */
    private long healthySince = LONG_AGO;

    /** A failure at {@code now} left the peer unavailable until {@code untilNanos}; {@code healthy}: as it is now. */
    void unavailable(long now, long untilNanos, boolean healthy) {
        wentDown(now, healthy);
        unavailableUntil = Math.max(unavailableUntil, untilNanos);
    }

    /** Health checks found the peer unhealthy at {@code now}; {@code wasHealthy}: its health until then. */
    void unhealthy(long now, boolean wasHealthy) {
        wentDown(now, wasHealthy);
    }

    /** Forgets the down time up to {@code now}; a period still going on counts from now. */
    void reset(long now, boolean healthy) {
        settle(now, healthy);
        total = 0;
        if (since != LONG_AGO) {
            since = now;
        }
    }

    /** Health checks found the peer healthy again at {@code now}. */
    void recovered(long now) {
        healthySince = now;
        settle(now, true);
    }

    /** The whole down time up to {@code now}, the current period included. */
    long total(long now, boolean healthy) {
        settle(now, healthy);
        return total + (since == LONG_AGO ? 0 : now - since);
    }

    /** When the current period began, or {@link PeerState#LONG_AGO} while the peer is up. */
    long since(long now, boolean healthy) {
        settle(now, healthy);
        return since;
    }

    private void wentDown(long now, boolean healthy) {
        settle(now, healthy);
        if (since == LONG_AGO) {
            since = now;
        }
    }

    /** Closes the current period once every reason for it ended by {@code now}. */
    private void settle(long now, boolean healthy) {
        if (since != LONG_AGO && healthy && unavailableUntil <= now) {
            total += Math.max(unavailableUntil, healthySince) - since;
            since = LONG_AGO;
        }
    }
}
