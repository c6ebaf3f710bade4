package dev.sluice.internal.net;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The system clock plus an offset a test can push forward, so that minutes of idle time pass in a call. After
 * {@link #advance}, wake the loop (run anything on it) so that it reads the new time and fires its timers.
 */
public final class ManualClock implements NanoClock {

    private final AtomicLong offset = new AtomicLong();

    @Override
    public long nanoTime() {
        return System.nanoTime() + offset.get();
    }

    public void advance(Duration d) {
        offset.addAndGet(d.toNanos());
    }
}
