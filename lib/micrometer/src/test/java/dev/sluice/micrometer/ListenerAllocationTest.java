package dev.sluice.micrometer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sluice.observe.AttemptRecord;
import dev.sluice.observe.ExchangeListener;
import dev.sluice.observe.ExchangeRecord;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Counting a request allocates nothing beyond what the registry's meters allocate for the same updates: measured
 * with the JVM's per-thread allocation counter around the listener and around the bare meter calls.
 */
class ListenerAllocationTest {

    private static final int REQUESTS = 200_000;

    /** A request retried once: a refused connect on the first peer, a 200 from the second. */
    private static final ExchangeRecord RETRIED = new ExchangeRecord("10.1.1.1", "GET", "/a?id=7", "HTTP/1.1", 200,
            5, 3_000_000, List.of(new AttemptRecord("10.0.0.1:80", 502, -1, -1, 1_000_000, false,
                            "connect() failed (Connection refused) while connecting to upstream"),
                    new AttemptRecord("10.0.0.2:80", 200, 100_000, 1_500_000, 2_000_000, true, null)),
            0, null, null, "curl/8", "", "/", "backend", null, Map.of());

    private final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    @Test
    void countingARequestAllocatesNoMoreThanTheMeterUpdatesItMakes() {
        assumeTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled());
        MeterRegistry registry = new SimpleMeterRegistry();
        ExchangeListener listener = SluiceMetrics.bindTo(registry);
        listener.exchangeEnded(RETRIED); // makes the meters
        Runnable bare = bareUpdates(registry);

        long listenerBytes = allocatedBy(() -> listener.exchangeEnded(RETRIED));
        long counted = registry.get("sluice.requests").timer().count();
        long bareBytes = allocatedBy(bare);

        assertEquals(1 + 2 * REQUESTS, counted);
        assertEquals(0, Math.max(0, listenerBytes - bareBytes) / REQUESTS,
                "bytes per request: listener " + listenerBytes / (double) REQUESTS + ", meters alone "
                        + bareBytes / (double) REQUESTS);
    }

    /** The meter updates the listener makes for {@link #RETRIED}, made directly. */
    private static Runnable bareUpdates(MeterRegistry registry) {
        Timer request = registry.get("sluice.requests").timer();
        Counter error = registry.get("sluice.upstream.attempts").tag("outcome", "error").counter();
        Counter response = registry.get("sluice.upstream.attempts").tag("outcome", "response").counter();
        Timer first = registry.get("sluice.upstream.response.time").tag("peer", "10.0.0.1:80").timer();
        Timer second = registry.get("sluice.upstream.response.time").tag("peer", "10.0.0.2:80").timer();
        Counter retry = registry.get("sluice.upstream.retries").counter();
        Counter retried = registry.get("sluice.requests.retried").counter();
        return () -> {
            request.record(3_000_000, TimeUnit.NANOSECONDS);
            error.increment();
            first.record(1_000_000, TimeUnit.NANOSECONDS);
            response.increment();
            second.record(2_000_000, TimeUnit.NANOSECONDS);
            retry.increment();
            retried.increment();
        };
    }

    /** Bytes this thread allocates running {@code work} {@link #REQUESTS} times, after as many runs to warm up. */
    private long allocatedBy(Runnable work) {
        for (int i = 0; i < REQUESTS; i++) {
            work.run();
        }
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < REQUESTS; i++) {
            work.run();
        }
        return threads.getCurrentThreadAllocatedBytes() - before;
    }
}
