package dev.sluice.micrometer;

import dev.sluice.observe.AttemptRecord;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;

/** The attempts of one upstream group's requests: by outcome, their time per peer, and the retries between them. */
final class UpstreamMeters {

    /** Retry reasons by index: a response's status below this, then one per outcome without a response. */
    private static final int STATUSES = 1000;

    private final Meters meters;
    private final String group;
    private final Tags tags;
    private final List<StatusClass<Counter>> attempts = new ArrayList<>();
    private final ByName<Timer> responseTimes;
    private final AtomicReferenceArray<Counter> retries = new AtomicReferenceArray<>(STATUSES + 4);
    private final Counter retried;

    UpstreamMeters(Meters meters, String group) {
        this.meters = meters;
        this.group = group;
        this.tags = Tags.of("upstream", group);
        for (AttemptOutcome outcome : AttemptOutcome.values()) {
            Tags outcomeTags = tags.and("outcome", outcome.tag);
            attempts.add(new StatusClass<>(index -> meters.counter("sluice.upstream.attempts",
                    "Attempts on the group's peers, by how they ended and the status they gave",
                    outcomeTags.and("status", StatusClass.tag(index)))));
        }
        this.responseTimes = new ByName<>(peer -> meters.timer("sluice.upstream.response.time",
                "Time of each attempt on a peer, from its start to its end ($upstream_response_time)",
                tags.and("peer", peer)));
        this.retried = meters.counter("sluice.requests.retried", "Client requests that took more than one attempt",
                tags);
    }

    /** Counts what the attempts of one request did, in order. */
    void record(List<AttemptRecord> exchangeAttempts) {
        int previous = -1;
        for (int i = 0; i < exchangeAttempts.size(); i++) {
            AttemptRecord attempt = exchangeAttempts.get(i);
            AttemptOutcome outcome = AttemptOutcome.of(attempt, group);
            attempts.get(outcome.ordinal()).of(attempt.status()).increment();
            if (outcome != AttemptOutcome.NO_PEER) {
                responseTimes.get(attempt.upstreamAddress()).record(attempt.responseNanos(), TimeUnit.NANOSECONDS);
            }
            if (previous >= 0) {
                retry(previous).increment();
            }
            previous = outcome == AttemptOutcome.RESPONSE
                    ? Math.floorMod(attempt.status(), STATUSES) : STATUSES + outcome.ordinal();
        }
        if (exchangeAttempts.size() > 1) {
            retried.increment();
        }
    }

    /** The retry counter of a reason: nginx's {@code proxy_next_upstream} name of what the last attempt did. */
    private Counter retry(int reason) {
        Counter counter = retries.get(reason);
        if (counter == null) {
            String tag = reason < STATUSES ? "http_" + reason : AttemptOutcome.values()[reason - STATUSES].tag;
            counter = meters.counter("sluice.upstream.retries",
                    "Attempts after the first, by how the one before ended (proxy_next_upstream's condition)",
                    tags.and("reason", tag));
            retries.set(reason, counter);
        }
        return counter;
    }
}
