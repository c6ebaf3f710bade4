package dev.sluice.micrometer;

import dev.sluice.observe.ExchangeListener;
import dev.sluice.upstream.UpstreamGroup;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Binds a proxy's meters to a Micrometer {@link MeterRegistry}: what it served, how its attempts on peers went, and
 * each peer's live state.
 *
 * <pre>{@code
 * ExchangeListener metrics = SluiceMetrics.bindTo(registry, backend);   // backend: an UpstreamGroup
 * ProxyServer proxy = ProxyServer.builder()
 *     .route("/", r -> r.upstream(backend))
 *     .listener(metrics)
 *     .start();
 * }</pre>
 *
 * <p>The meters, with their tags (all of them take their values from the configuration, never from a request's
 * URI or client, so their number stays bounded):
 * <table>
 *   <caption>Meters</caption>
 *   <tr><th>name</th><th>type</th><th>tags</th><th>what</th></tr>
 *   <tr><td>{@code sluice.requests}</td><td>timer</td><td>{@code server}, {@code route}, {@code upstream},
 *     {@code status}</td><td>client requests and {@code $request_time}</td></tr>
 *   <tr><td>{@code sluice.upstream.attempts}</td><td>counter</td><td>{@code upstream}, {@code outcome},
 *     {@code status}</td><td>attempts on peers</td></tr>
 *   <tr><td>{@code sluice.upstream.response.time}</td><td>timer</td><td>{@code upstream}, {@code peer}</td>
 *     <td>each attempt's {@code $upstream_response_time}</td></tr>
 *   <tr><td>{@code sluice.upstream.retries}</td><td>counter</td><td>{@code upstream}, {@code reason}</td>
 *     <td>attempts after a request's first</td></tr>
 *   <tr><td>{@code sluice.requests.retried}</td><td>counter</td><td>{@code upstream}</td>
 *     <td>requests that took more than one attempt</td></tr>
 *   <tr><td>{@code sluice.upstream.peer.active}, {@code .fails}</td><td>gauge</td><td>{@code upstream},
 *     {@code peer}</td><td>requests in flight; failures in the current {@code fail_timeout} window</td></tr>
 *   <tr><td>{@code sluice.upstream.peer.unavailable}, {@code .down}, {@code .healthy}</td><td>gauge</td>
 *     <td>{@code upstream}, {@code peer}</td><td>1 or 0: resting after {@code max_fails}, marked down, passing
 *     health checks</td></tr>
 *   <tr><td>{@code sluice.upstream.peer.requests}, {@code .failures}</td><td>function counter</td>
 *     <td>{@code upstream}, {@code peer}</td><td>attempts on the peer; those that failed</td></tr>
 * </table>
 *
 * <p>Tag values: {@code server} is the virtual server's first name, {@code default} for the routes given to the
 * proxy directly; {@code route} the location as written ({@code "^~ /static/"}); {@code upstream} the group's name;
 * {@code none} for any of them a request did not have (a request the proxy answered itself has no upstream).
 * {@code status} is the class, {@code 2xx} to {@code 5xx} ({@code 499}, a client that went away, is {@code 4xx}).
 * {@code outcome} is {@code response} (the peer sent a response head), {@code error} (it did not: a refused or
 * reset connection, a malformed head), {@code timeout}, {@code no_peer} (no live peer was left: nginx's "no live
 * upstreams"), or {@code aborted} (the client's side cut it short before the peer answered: status class
 * {@code other}). {@code reason} names, as {@code proxy_next_upstream} does, what ended the attempt before:
 * {@code error}, {@code timeout}, or {@code http_502} and the like. {@code peer} is the address as
 * {@code $upstream_addr} writes it.
 *
 * <p>Timers publish no percentiles or histogram unless {@link Builder#percentileHistograms(boolean)} says so (or a
 * registry's {@code MeterFilter} configures them). Meters are made the first time their tags are seen; after that,
 * counting a request allocates nothing beyond what the registry's own meters do.
 */
public final class SluiceMetrics {

    private SluiceMetrics() {
    }

    /**
     * Registers the gauges of {@code groups}' peers on {@code registry} and returns the listener that counts the
     * proxy's requests and attempts there; give it to {@code ProxyServer.Builder.listener}.
     */
    public static ExchangeListener bindTo(MeterRegistry registry, UpstreamGroup... groups) {
        return builder().upstreams(List.of(groups)).bindTo(registry);
    }

    /** Starts a binding with options: common tags, percentile histograms, the groups whose peers to watch. */
    public static Builder builder() {
        return new Builder();
    }

    /** The options of a binding; {@link #bindTo(MeterRegistry)} registers its meters. */
    public static final class Builder {

        private final List<UpstreamGroup> upstreams = new ArrayList<>();
        private Tags tags = Tags.empty();
        private boolean percentileHistograms;

        private Builder() {
        }

        /** Adds gauges for every peer of these groups. Default none: only requests and attempts are counted. */
        public Builder upstreams(List<UpstreamGroup> groups) {
            for (UpstreamGroup group : Objects.requireNonNull(groups, "groups")) {
                upstreams.add(Objects.requireNonNull(group, "group"));
            }
            return this;
        }

        /** Tags every meter of this binding also carries, e.g. the proxy's name when a service runs two. */
        public Builder tags(Iterable<Tag> tags) {
            this.tags = this.tags.and(Objects.requireNonNull(tags, "tags"));
            return this;
        }

        /**
         * Whether the timers publish a percentile histogram, for percentiles computed by the monitoring system
         * (Prometheus's {@code histogram_quantile}). Default false: a count, a total and a maximum.
         */
        public Builder percentileHistograms(boolean enabled) {
            this.percentileHistograms = enabled;
            return this;
        }

        /**
         * Registers the peers' gauges on {@code registry} and returns the listener that counts the proxy's
         * requests and attempts there.
         */
        public ExchangeListener bindTo(MeterRegistry registry) {
            Meters meters = new Meters(Objects.requireNonNull(registry, "registry"), tags, percentileHistograms);
            for (UpstreamGroup group : upstreams) {
                PeerGauges.register(meters, group);
            }
            return new MetricsListener(meters);
        }
    }
}
