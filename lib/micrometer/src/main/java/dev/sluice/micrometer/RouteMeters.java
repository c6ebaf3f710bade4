package dev.sluice.micrometer;

import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;

/** {@code sluice.requests} of one route (virtual server, location, group), one timer per status class. */
final class RouteMeters {

    private final StatusClass<Timer> timers;

    RouteMeters(Meters meters, String server, String route, String upstream) {
        Tags tags = Tags.of("server", server, "route", route, "upstream", upstream);
        this.timers = new StatusClass<>(index -> meters.timer("sluice.requests",
                "Client requests, from the first request byte to the last response byte",
                tags.and("status", StatusClass.tag(index))));
    }

    void record(int status, long nanos) {
        timers.of(status).record(nanos, TimeUnit.NANOSECONDS);
    }
}
