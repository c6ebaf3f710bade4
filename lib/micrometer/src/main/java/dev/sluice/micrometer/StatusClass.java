package dev.sluice.micrometer;

import io.micrometer.core.instrument.Meter;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.IntFunction;

/**
 * One meter per status class ({@code 1xx} to {@code 5xx}, and {@code other} for a status outside them), each made
 * the first time its class is seen. Two threads that make the same one at once get the same meter from the
 * registry, so the race is harmless.
 */
final class StatusClass<M extends Meter> {

    private static final String[] TAGS = {"other", "1xx", "2xx", "3xx", "4xx", "5xx"};

    private final AtomicReferenceArray<M> meters = new AtomicReferenceArray<>(TAGS.length);
    private final IntFunction<M> create;

    /** {@code create} makes the meter of a class from the index of its tag value. */
    StatusClass(IntFunction<M> create) {
        this.create = create;
    }

    /** The tag value of the class at {@code index}. */
    static String tag(int index) {
        return TAGS[index];
    }

    M of(int status) {
        int index = status >= 100 && status < 600 ? status / 100 : 0;
        M meter = meters.get(index);
        if (meter == null) {
            meter = create.apply(index);
            meters.set(index, meter);
        }
        return meter;
    }
}
