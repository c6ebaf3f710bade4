package dev.sluice.upstream;

/**
 * A monotonic time source, in nanoseconds from an arbitrary origin.
 *
 * <p>nginx reads its cached clock ({@code ngx_time()}, whole seconds) for {@code fail_timeout}; Sluice reads a
 * {@code Ticker} so that tests can move time by hand instead of sleeping.
 */
@FunctionalInterface
public interface Ticker {

    /** Returns the current time in nanoseconds; only differences between two readings mean anything. */
    long nanos();

    /** The system's monotonic clock, {@link System#nanoTime()}; always the same instance. */
    static Ticker system() {
        return SystemTicker.INSTANCE;
    }
}
