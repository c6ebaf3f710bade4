package dev.sluice.upstream;

/**
 * A group's clock as one hold of its lock sees it: read at most once, and only when something needs the time,
 * as nginx reads its cached {@code ngx_time()}. Most picks never need it (no peer is in a failure window or slow
 * start), and reading a system clock costs more than the pick itself.
 *
 * <p>A hold reads the group's ticker, or a reading of that same ticker its holder already took: an event loop reads
 * the clock once per turn, as nginx's {@code ngx_current_msec}, and its picks take that reading. Readings taken by
 * different threads at different moments never make the group's time go back: it is the latest seen.
 *
 * <p>Used under the group's lock only; {@link #forget} on taking the lock.
 */
final class Now {

    private final Ticker ticker;
    private Ticker source;
    private boolean known;
    private long nanos = Long.MIN_VALUE;

    Now(Ticker ticker) {
        this.ticker = ticker;
        this.source = ticker;
    }

    /** Starts a new hold of the lock: the next question reads the ticker again. */
    void forget() {
        forget(ticker);
    }

    /** Starts a new hold of the lock whose holder reads {@code clock}, the group's ticker or a reading of it. */
    void forget(Ticker clock) {
        source = clock;
        known = false;
    }

    long nanos() {
        if (!known) {
            nanos = Math.max(nanos, source.nanos());
            known = true;
        }
        return nanos;
    }

    /** Whole seconds, as nginx keeps {@code checked}, {@code accessed} and {@code fail_timeout}. */
    long seconds() {
        return Math.floorDiv(nanos(), 1_000_000_000L);
    }
}
