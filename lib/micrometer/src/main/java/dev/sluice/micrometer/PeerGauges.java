package dev.sluice.micrometer;

import dev.sluice.upstream.PeerState;
import dev.sluice.upstream.UpstreamGroup;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import java.util.function.ToDoubleFunction;

/**
 * The live state of each peer of a group, read from its {@link PeerState} when the registry is scraped: nothing
 * is counted on the request path.
 */
final class PeerGauges {

    private PeerGauges() {
    }

    static void register(Meters meters, UpstreamGroup group) {
        for (PeerState peer : group.peers()) {
            Tags tags = meters.common.and("upstream", group.name(), "peer", peer.name());
            gauge(meters, "sluice.upstream.peer.active", "Requests in flight to the peer", tags, peer,
                    PeerState::activeConnections);
            gauge(meters, "sluice.upstream.peer.fails", "Failures counted against max_fails now (nginx's fails)",
                    tags, peer, PeerState::fails);
            gauge(meters, "sluice.upstream.peer.unavailable", "1 while the peer rests after max_fails failures",
                    tags, peer, p -> p.unavailableFor().isZero() ? 0 : 1);
            gauge(meters, "sluice.upstream.peer.down", "1 while the peer is marked down", tags, peer,
                    p -> p.isDown() ? 1 : 0);
            gauge(meters, "sluice.upstream.peer.healthy", "1 while health checks pass the peer (always without them)",
                    tags, peer, p -> p.isHealthy() ? 1 : 0);
            FunctionCounter.builder("sluice.upstream.peer.requests", peer, PeerState::requests).tags(tags)
                    .description("Requests sent to the peer, failed attempts included").register(meters.registry);
            FunctionCounter.builder("sluice.upstream.peer.failures", peer, PeerState::failures).tags(tags)
                    .description("Attempts on the peer that failed").register(meters.registry);
        }
    }

    private static void gauge(Meters meters, String name, String description, Tags tags, PeerState peer,
            ToDoubleFunction<PeerState> value) {
        Gauge.builder(name, peer, value).description(description).tags(tags).register(meters.registry);
    }
}
