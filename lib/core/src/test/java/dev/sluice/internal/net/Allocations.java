package dev.sluice.internal.net;

import java.lang.management.ManagementFactory;

/** Measures what the current thread allocates, through HotSpot's per-thread allocation counter. */
public final class Allocations {

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private Allocations() {
    }

    /** Bytes allocated so far by the calling thread. */
    public static long allocatedBytes() {
        return THREADS.getCurrentThreadAllocatedBytes();
    }

    /** Bytes {@code r} allocates on the calling thread, after running it once to warm up. */
    public static long measure(Runnable r) {
        r.run();
        long before = allocatedBytes();
        r.run();
        return allocatedBytes() - before;
    }
}
