package dev.sluice.micrometer;

import dev.sluice.observe.ExchangeListener;
import dev.sluice.observe.ExchangeRecord;

/**
 * Counts each finished exchange on meters found by the names in its record. Every meter is made the first time its
 * tags are seen and found again through maps keyed by those names, so a request allocates nothing here.
 */
final class MetricsListener implements ExchangeListener {

    /** The {@code server} tag of the routes given to the proxy directly, whose server name is empty. */
    static final String DEFAULT_SERVER = "default";

    private final ByName<ByName<ByName<RouteMeters>>> routes;
    private final ByName<UpstreamMeters> upstreams;

    MetricsListener(Meters meters) {
        this.routes = new ByName<>(server -> new ByName<>(route -> new ByName<>(upstream -> new RouteMeters(
                meters, server.isEmpty() ? DEFAULT_SERVER : server, route, upstream))));
        this.upstreams = new ByName<>(group -> new UpstreamMeters(meters, group));
    }

    @Override
    public void exchangeEnded(ExchangeRecord exchange) {
        routes.get(exchange.serverName()).get(exchange.location()).get(exchange.upstream())
                .record(exchange.status(), exchange.requestNanos());
        if (!exchange.attempts().isEmpty()) {
            upstreams.get(exchange.upstream()).record(exchange.attempts());
        }
    }
}
