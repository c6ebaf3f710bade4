package dev.sluice.micrometer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;

/** Registers this binding's meters: every one with the common tags, every timer with the same histogram choice. */
final class Meters {

    final MeterRegistry registry;
    final Tags common;
    private final boolean histograms;

    Meters(MeterRegistry registry, Tags common, boolean histograms) {
        this.registry = registry;
        this.common = common;
        this.histograms = histograms;
    }

    Timer timer(String name, String description, Tags tags) {
        return Timer.builder(name).description(description).tags(common).tags(tags)
                .publishPercentileHistogram(histograms).register(registry);
    }

    Counter counter(String name, String description, Tags tags) {
        return Counter.builder(name).description(description).tags(common).tags(tags).register(registry);
    }
}
