package dev.sluice.upstream;

/**
 * A group's clock as one hold of its lock sees it: read at most once, and only when something needs the time,
 * as nginx reads its cached {@code ngx_time()}. Most picks never need it (no peer is in a failure window or slow
 * start), and reading a system clock costs more than the pick itself.
 *
 * <p>Used under the group's lock only; {@link #forget()} on taking the lock.
 */
final class Now {

    private final Ticker ticker;
    private boolean known;
    private long nanos;

    Now(Ticker ticker) {
        this.ticker = ticker;
    }

    /** Starts a new hold of the lock: the next question reads the ticker again. */
    void forget() {
        known = false;
    }

    long nanos() {
        if (!known) {
            nanos = ticker.nanos();
            known = true;
        }
        return nanos;
    }

    /** Whole seconds, as nginx keeps {@code checked}, {@code accessed} and {@code fail_timeout}. */
    long seconds() {
        return Math.floorDiv(nanos(), 1_000_000_000L);
    }
}
