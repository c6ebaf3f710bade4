package dev.sluice.testing;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The requests a {@link ScriptedUpstream} received, added by its connection threads: all of them in arrival order,
 * and those the test has not taken yet.
 */
final class RequestLog {

    private final List<RecordedRequest> recorded = new CopyOnWriteArrayList<>();
    private final BlockingQueue<RecordedRequest> untaken = new LinkedBlockingQueue<>();

    void add(RecordedRequest request) {
        recorded.add(request);
        untaken.add(request);
    }

    /** Every request so far, a copy. */
    List<RecordedRequest> all() {
        return List.copyOf(recorded);
    }

    int count() {
        return recorded.size();
    }

    /** The oldest request not taken yet, waiting up to {@code timeout} for one; null if none came. */
    RecordedRequest take(Duration timeout) throws InterruptedException {
        return untaken.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }
}
