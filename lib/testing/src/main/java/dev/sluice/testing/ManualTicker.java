package dev.sluice.testing;

import dev.sluice.upstream.Ticker;
import java.time.Duration;
import java.util.Objects;

/**
 * A {@link Ticker} that moves only when the test says so, for testing {@code fail_timeout}, {@code slow_start}
 * and anything else timed without sleeping:
 *
 * <pre>{@code
 * ManualTicker ticker = new ManualTicker();
 * UpstreamGroup group = UpstreamGroup.builder("g").ticker(ticker).server("10.0.0.1:80").server("10.0.0.2:80").build();
 * Selection s = group.newSelection();
 * s.select();                                 // 10.0.0.1
 * s.report(Outcome.FAILURE);                  // 10.0.0.1 is unavailable for fail_timeout (10s)
 * ticker.advance(Duration.ofSeconds(11));     // and available again
 * }</pre>
 *
 * <p>It starts at one hour rather than zero, so that a time a test computes by subtraction is never mistaken for
 * "never"; only differences between readings mean anything, as with {@link System#nanoTime()}. Safe to read from
 * the proxy's event loops while a test thread advances it.
 */
public final class ManualTicker implements Ticker {

    private static final long START = Duration.ofHours(1).toNanos();

    private volatile long nanos = START;

    /** A ticker at its starting point, one hour. */
    public ManualTicker() {
    }

    @Override
    public long nanos() {
        return nanos;
    }

    /**
     * Moves time forward by {@code by}; returns this ticker.
     *
     * @throws IllegalArgumentException if {@code by} is negative: a monotonic clock never goes back
     */
    public synchronized ManualTicker advance(Duration by) {
        Objects.requireNonNull(by, "advance");
        if (by.isNegative()) {
            throw new IllegalArgumentException("advance must not be negative: " + by);
        }
        nanos += by.toNanos();
        return this;
    }

    /** How far this ticker has moved since it was created. */
    public Duration elapsed() {
        return Duration.ofNanos(nanos - START);
    }
}
