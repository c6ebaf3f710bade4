package dev.sluice.upstream;

import java.time.Duration;

/** A ticker that moves only when a test says so. Starts at one hour, so that second boundaries are clear. */
final class ManualTicker implements Ticker {

    private long nanos = Duration.ofHours(1).toNanos();

    @Override
    public long nanos() {
        return nanos;
    }

    void advance(Duration by) {
        nanos += by.toNanos();
    }
}
