package dev.sluice.micrometer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.Answer;
import dev.sluice.NextUpstream;
import dev.sluice.NextUpstream.Condition;
import dev.sluice.ProxyServer;
import dev.sluice.Route;
import dev.sluice.observe.ExchangeListener;
import dev.sluice.observe.ExchangeRecord;
import dev.sluice.testing.MemoryNetwork;
import dev.sluice.testing.RawClient;
import dev.sluice.testing.ScriptedUpstream;
import dev.sluice.testing.ScriptedUpstream.Response;
import dev.sluice.testing.Upstreams;
import dev.sluice.upstream.UpstreamGroup;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Real requests through a proxy on the kit's in-memory network, and the meters they leave in a registry. */
class SluiceMetricsTest {

    private static final String DEAD = "10.0.0.9:80";

    @RegisterExtension
    final Upstreams upstreams = Upstreams.inMemory();
    private final MemoryNetwork network = upstreams.network();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final EndedExchanges ended = new EndedExchanges();
    private RawClient client;

    @Test
    void aProxiedRequestIsTimedByServerRouteUpstreamAndStatusClass() throws Exception {
        ScriptedUpstream peer = upstreams.scripted().enqueue(Response.ok("hello"));
        UpstreamGroup group = group(peer.address());
        start(group, route -> { }, SluiceMetrics.bindTo(registry, group));

        assertEquals(200, get("/a?id=1"));

        Timer requests = registry.get("sluice.requests")
                .tags("server", "default", "route", "/", "upstream", "backend", "status", "2xx").timer();
        assertEquals(1, requests.count());
        assertEquals(1, registry.find("sluice.requests").timers().size());
        assertEquals(1, attempts("response", "2xx"));
        assertEquals(1, registry.get("sluice.upstream.response.time")
                .tags("upstream", "backend", "peer", peer.address()).timer().count());
        assertEquals(0, count("sluice.requests.retried", "upstream", "backend"));
        assertNull(registry.find("sluice.upstream.retries").meter());
        assertEquals(1, registry.get("sluice.upstream.peer.requests").tag("peer", peer.address()).functionCounter()
                .count());
        assertEquals(0, gauge("sluice.upstream.peer.active", peer.address()));
    }

    @Test
    void aDeadPeerIsAnErrorAttemptAndTheClientsA502() throws Exception {
        UpstreamGroup group = group(DEAD);
        start(group, route -> { }, SluiceMetrics.bindTo(registry, group));

        assertEquals(502, get("/"));

        assertEquals(1, registry.get("sluice.requests").tag("status", "5xx").timer().count());
        assertEquals(1, attempts("error", "5xx"));
        assertEquals(1, registry.get("sluice.upstream.response.time").tag("peer", DEAD).timer().count());
        assertEquals(1, registry.get("sluice.upstream.peer.failures").tag("peer", DEAD).functionCounter().count());
    }

    @Test
    void aRetriedRequestCountsItsRetryByReasonAndTheFailedPeerShowsUnavailable() throws Exception {
        ScriptedUpstream broken = upstreams.scripted().enqueue(Response.builder().resetOnRequest());
        ScriptedUpstream healthy = upstreams.scripted();
        UpstreamGroup group = group(broken.address(), healthy.address());
        start(group, route -> { }, SluiceMetrics.bindTo(registry, group));

        assertEquals(200, get("/"));

        assertEquals(1, attempts("error", "5xx"));
        assertEquals(1, attempts("response", "2xx"));
        assertEquals(1, count("sluice.upstream.retries", "upstream", "backend", "reason", "error"));
        assertEquals(1, count("sluice.requests.retried", "upstream", "backend"));
        assertEquals(1, registry.get("sluice.requests").tag("status", "2xx").timer().count());
        assertEquals(1, gauge("sluice.upstream.peer.unavailable", broken.address()));
        assertEquals(1, gauge("sluice.upstream.peer.fails", broken.address()));
        assertEquals(0, gauge("sluice.upstream.peer.unavailable", healthy.address()));

        network.advance(Duration.ofSeconds(11)); // fail_timeout passes
        assertEquals(0, gauge("sluice.upstream.peer.unavailable", broken.address()));
    }

    @Test
    void aRetryAfterAPeers502NamesItAsProxyNextUpstreamDoes() throws Exception {
        ScriptedUpstream failing = upstreams.scripted().enqueue(Response.builder().status(502));
        ScriptedUpstream healthy = upstreams.scripted();
        UpstreamGroup group = group(failing.address(), healthy.address());
        start(group, route -> route.nextUpstream(NextUpstream.on(Condition.ERROR, Condition.HTTP_502)),
                SluiceMetrics.bindTo(registry, group));

        assertEquals(200, get("/"));

        assertEquals(1, attempts("response", "5xx"));
        assertEquals(1, count("sluice.upstream.retries", "upstream", "backend", "reason", "http_502"));
    }

    @Test
    void aGroupWithNoLivePeerLeftCountsANoPeerAttemptAndTimesNoPeer() throws Exception {
        UpstreamGroup group = group(DEAD, "10.0.0.10:80");
        start(group, route -> { }, SluiceMetrics.bindTo(registry, group));

        assertEquals(502, get("/")); // both peers refuse: both rest for fail_timeout
        assertEquals(502, get("/"));

        assertEquals(2, attempts("error", "5xx"));
        assertEquals(1, attempts("no_peer", "5xx"));
        assertEquals(1, count("sluice.upstream.retries", "upstream", "backend", "reason", "error"));
        assertNull(registry.find("sluice.upstream.response.time").tag("peer", "backend").timer());
        assertEquals(2, registry.get("sluice.requests").tag("status", "5xx").timer().count());
    }

    @Test
    void aPeerSilentPastProxyReadTimeoutIsATimeoutAttempt() throws Exception {
        ScriptedUpstream silent = upstreams.scripted().enqueue(Response.builder().stallForever());
        UpstreamGroup group = group(silent.address());
        start(group, route -> route.readTimeout(Duration.ofSeconds(60)), SluiceMetrics.bindTo(registry, group));

        client.send(RawClient.get("/"));
        assertNotNull(silent.takeRequest(Duration.ofSeconds(5)));
        network.advance(Duration.ofSeconds(61));

        assertEquals(504, client.readResponse().status());
        ended.next();
        assertEquals(1, attempts("timeout", "5xx"));
        Timer responseTime = registry.get("sluice.upstream.response.time").tag("peer", silent.address()).timer();
        assertTrue(responseTime.totalTime(TimeUnit.SECONDS) >= 60, responseTime.totalTime(TimeUnit.SECONDS) + " s");
    }

    @Test
    void aClientLeavingBeforeThePeerAnsweredIsAnAbortedAttempt() throws Exception {
        ScriptedUpstream silent = upstreams.scripted().enqueue(Response.builder().stallForever());
        UpstreamGroup group = group(silent.address());
        start(group, route -> { }, SluiceMetrics.bindTo(registry, group));

        client.send(RawClient.get("/"));
        assertNotNull(silent.takeRequest(Duration.ofSeconds(5)));
        client.close();

        assertEquals(499, ended.next().status());
        assertEquals(1, attempts("aborted", "other"));
        assertEquals(1, registry.get("sluice.requests").tag("status", "4xx").timer().count());
        assertEquals(0, registry.get("sluice.upstream.peer.failures").tag("peer", silent.address()).functionCounter()
                .count(), "a client leaving is not the peer's failure");
    }

    @Test
    void aRequestTheProxyAnswersItselfHasNoUpstreamAndAVirtualServerIsTaggedByItsName() throws Exception {
        UpstreamGroup group = group(upstreams.scripted().address());
        ProxyServer proxy = upstreams.proxy(p -> p
                .route("= /health", r -> r.answer(Answer.of(200, "ok")))
                .server("api.example.com", s -> s.route("/", r -> r.upstream(group)))
                .listener(SluiceMetrics.bindTo(registry)).listener(ended));
        client = upstreams.rawClient(proxy.port());

        assertEquals(200, get("/health"));
        client.send("GET /x HTTP/1.1\r\nHost: api.example.com\r\n\r\n");
        assertEquals(200, client.readResponse().status());
        ended.next();

        assertEquals(1, registry.get("sluice.requests")
                .tags("server", "default", "route", "= /health", "upstream", "none", "status", "2xx").timer().count());
        assertEquals(1, registry.get("sluice.requests").tags("server", "api.example.com", "route", "/",
                "upstream", "backend", "status", "2xx").timer().count());
        assertEquals(1, registry.find("sluice.upstream.attempts").counters().size());
        assertTrue(registry.find("sluice.upstream.peer.active").gauges().isEmpty());
    }

    @Test
    void timersAskForNoPercentileHistogramUnlessTheBindingSaysSo() throws Exception {
        Set<String> histograms = histogramsAskedFor(registry);
        SimpleMeterRegistry optedIn = new SimpleMeterRegistry();
        Set<String> optedInHistograms = histogramsAskedFor(optedIn);
        ScriptedUpstream peer = upstreams.scripted();
        UpstreamGroup group = group(peer.address());
        start(group, route -> { }, SluiceMetrics.bindTo(registry),
                SluiceMetrics.builder().percentileHistograms(true).bindTo(optedIn));

        assertEquals(200, get("/"));

        assertEquals(Set.of(), histograms);
        assertEquals(Set.of("sluice.requests", "sluice.upstream.response.time"), optedInHistograms);
    }

    @Test
    void commonTagsGoOnEveryMeter() throws Exception {
        ScriptedUpstream peer = upstreams.scripted();
        UpstreamGroup group = group(peer.address());
        start(group, route -> { },
                SluiceMetrics.builder().upstreams(List.of(group)).tags(Tags.of("proxy", "edge")).bindTo(registry));

        assertEquals(200, get("/"));

        assertEquals(11, registry.getMeters().size());
        for (Meter meter : registry.getMeters()) {
            assertEquals("edge", meter.getId().getTag("proxy"), meter.getId().toString());
        }
    }

    /** The names of the meters registered on {@code registry} from now on that ask for a percentile histogram. */
    private static Set<String> histogramsAskedFor(SimpleMeterRegistry registry) {
        Set<String> names = ConcurrentHashMap.newKeySet();
        registry.config().meterFilter(new MeterFilter() {
            @Override
            public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
                if (Boolean.TRUE.equals(config.isPercentileHistogram())) {
                    names.add(id.getName());
                }
                return config;
            }
        });
        return names;
    }

    private UpstreamGroup group(String... addresses) {
        UpstreamGroup.Builder builder = UpstreamGroup.builder("backend").ticker(network.ticker());
        for (String address : addresses) {
            builder.server(address);
        }
        return builder.build();
    }

    /** Starts a proxy with one route to {@code group}, the given metrics listeners, then {@link #ended}. */
    private void start(UpstreamGroup group, Consumer<Route.Builder> route, ExchangeListener... metrics)
            throws IOException {
        ProxyServer proxy = upstreams.proxy(p -> {
            p.route("/", r -> route.accept(r.upstream(group)));
            for (ExchangeListener listener : metrics) {
                p.listener(listener);
            }
            p.listener(ended);
        });
        client = upstreams.rawClient(proxy.port());
    }

    /** Sends a GET, reads its response and waits until the listeners have seen the exchange end. */
    private int get(String target) throws Exception {
        client.send(RawClient.get(target));
        int status = client.readResponse().status();
        ended.next();
        return status;
    }

    private double count(String name, String... tags) {
        return registry.get(name).tags(tags).counter().count();
    }

    private double attempts(String outcome, String status) {
        return count("sluice.upstream.attempts", "upstream", "backend", "outcome", outcome, "status", status);
    }

    private double gauge(String name, String peer) {
        return registry.get(name).tag("peer", peer).gauge().value();
    }
}
