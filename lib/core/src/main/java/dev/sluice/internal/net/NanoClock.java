package dev.sluice.internal.net;

/**
 * A monotonic time source in nanoseconds, with the meaning of {@link System#nanoTime()}: only differences between
 * two readings mean anything.
 *
 * <p>Every event loop of a group reads one of these once per iteration and serves the cached value to handlers and
 * timers, as nginx caches {@code ngx_current_msec} per event cycle. Tests inject a clock that can jump forward so
 * that a 60 s idle timeout is tested without sleeping.
 */
@FunctionalInterface
public interface NanoClock {

    /** The current reading, in nanoseconds. */
    long nanoTime();

    /** The system's monotonic clock, {@link System#nanoTime()}. */
    static NanoClock system() {
        return System::nanoTime;
    }
}
