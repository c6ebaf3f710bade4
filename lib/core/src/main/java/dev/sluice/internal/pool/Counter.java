package dev.sluice.internal.pool;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A statistic written by one thread (the pool's loop) and read by any: opaque stores cost a plain store on the hot
 * path, yet a reader never sees a torn or indefinitely stale value.
 */
final class Counter {

    private static final VarHandle VALUE;

    static {
        try {
            VALUE = MethodHandles.lookup().findVarHandle(Counter.class, "value", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused") // accessed through VALUE
    private long value;

    /** Only from the owning thread. */
    void increment() {
        VALUE.setOpaque(this, (long) VALUE.getOpaque(this) + 1);
    }

    /** From any thread. */
    long get() {
        return (long) VALUE.getOpaque(this);
    }
}
