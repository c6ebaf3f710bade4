package dev.sluice.internal.pool;

import java.util.concurrent.TimeUnit;

/**
 * The connections a pool has handed out and not yet got back, and the cap on idle connections that follows from
 * them: {@code keepalive N}, or with an adaptive pool ("keepalive auto") the most that were in use at once during the
 * current and the previous {@value #ADAPTIVE_WINDOW_SECONDS}-second window (at least N, at most {@value
 * #ADAPTIVE_MAX}). One per pool; used on its loop only.
 */
final class InUse {

    /** The length of the windows over which an adaptive pool measures the connections in use at once. */
    static final long ADAPTIVE_WINDOW_SECONDS = 10;
    /** The most idle connections an adaptive pool keeps per loop, whatever the load. */
    static final int ADAPTIVE_MAX = 4096;
    private static final long ADAPTIVE_WINDOW_NANOS = TimeUnit.SECONDS.toNanos(ADAPTIVE_WINDOW_SECONDS);

    private final KeepaliveSettings settings;
    private int count;
    /** The most in use at once in the current window, and in the one before. */
    private int peak;
    private int previousPeak;
    private long windowStart;

    InUse(KeepaliveSettings settings, long now) {
        this.settings = settings;
        this.windowStart = now;
    }

    /** A connection was handed out. */
    void taken() {
        if (++count > peak) {
            peak = count;
        }
    }

    /** A connection came back or closed while in use. */
    void returned() {
        count--;
    }

    int count() {
        return count;
    }

    /** How many idle connections may stay at {@code now}. */
    int idleCap(long now) {
        if (!settings.adaptive()) {
            return settings.idle();
        }
        if (now - windowStart >= ADAPTIVE_WINDOW_NANOS) {
            previousPeak = now - windowStart >= 2 * ADAPTIVE_WINDOW_NANOS ? count : peak;
            peak = count;
            windowStart = now;
        }
        return Math.min(ADAPTIVE_MAX, Math.max(settings.idle(), Math.max(peak, previousPeak)));
    }
}
