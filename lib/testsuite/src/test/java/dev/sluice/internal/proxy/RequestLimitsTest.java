package dev.sluice.internal.proxy;

import static dev.sluice.internal.proxy.UpstreamHarness.group;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.ConnectionLimit;
import dev.sluice.RequestLimit;
import dev.sluice.testing.RawClient;
import dev.sluice.testing.ScriptedUpstream;
import dev.sluice.testing.ScriptedUpstream.Response;
import dev.sluice.testing.Upstreams;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code limit_req} and {@code limit_conn} on a route: a request beyond the rate or the burst is refused with the
 * zone's status and never reaches the peer; one within the burst waits; a client's requests in progress are counted
 * from the head to the end of the exchange, however it ends.
 */
class RequestLimitsTest {

    private static final String GET = "GET /x HTTP/1.1\r\nHost: h\r\n\r\n";

    @RegisterExtension
    final Upstreams upstreams = new Upstreams();

    private final UpstreamHarness proxy = new UpstreamHarness(upstreams);

    @Test
    void aRequestBeyondTheRateIsRefusedAndNeverReachesThePeer() throws Exception {
        ScriptedUpstream peer = upstreams.scripted().identity();
        RequestLimit limit = RequestLimit.builder("perip").rate("1r/m").build();
        proxy.start(group(peer.address()), r -> r.limitRequests(limit));

        assertEquals(200, proxy.get("/x").status());
        assertEquals(503, proxy.get("/x").status());
        assertEquals(1, peer.requestCount());
    }

    @Test
    void aRefusedRequestGetsTheZonesStatusAndTheConnectionStaysUsable() throws Exception {
        ScriptedUpstream peer = upstreams.scripted().identity();
        RequestLimit limit = RequestLimit.builder("perip").rate("1r/m").status(429).build();
        proxy.start(group(peer.address()), r -> r.limitRequests(limit));

        try (RawClient client = proxy.client()) {
            assertEquals(200, client.send(GET).readResponse().status());
            assertEquals(429, client.send(GET).readResponse().status());
            assertEquals(429, client.send(GET).readResponse().status());
        }
    }

    @Test
    void aRequestWithinTheBurstWaitsForTheBucketToDrain() throws Exception {
        ScriptedUpstream peer = upstreams.scripted().identity();
        RequestLimit limit = RequestLimit.builder("perip").rate("5r/s").burst(1).build();
        proxy.start(group(peer.address()), r -> r.limitRequests(limit));

        assertEquals(200, proxy.get("/x").status());
        long start = System.nanoTime();
        assertEquals(200, proxy.get("/x").status());
        long waitedMillis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(waitedMillis >= 150, "at 5r/s the second request waits about 200 ms, waited " + waitedMillis);
        assertEquals(2, peer.requestCount());
    }

    @Test
    void aClientBeyondItsRequestsInProgressIsRefusedUntilOneEnds() throws Exception {
        ScriptedUpstream slow = upstreams.scripted()
                .defaultResponse(Response.builder().status(200).body("late").delayHead(Duration.ofMillis(400)).build());
        ConnectionLimit limit = ConnectionLimit.perClient("perip", 1);
        proxy.start(group(slow.address()), r -> r.limitConnections(limit));

        try (RawClient first = proxy.client(); RawClient second = proxy.client()) {
            first.send(GET);
            awaitInProgress(limit, 1);
            assertEquals(503, second.send(GET).readResponse().status());
            assertEquals(200, first.readResponse().status());
            awaitInProgress(limit, 0);
            assertEquals(200, second.send(GET).readResponse().status());
        }
        assertEquals(2, slow.requestCount());
    }

    @Test
    void aClientThatGoesAwayMidExchangeGivesBackItsPlace() throws Exception {
        ScriptedUpstream slow = upstreams.scripted()
                .defaultResponse(Response.builder().status(200).body("late").delayHead(Duration.ofSeconds(2)).build());
        ConnectionLimit limit = ConnectionLimit.perClient("perip", 1);
        proxy.start(group(slow.address()), r -> r.limitConnections(limit));

        try (RawClient leaving = proxy.client()) {
            leaving.send(GET);
            awaitInProgress(limit, 1);
        }
        awaitInProgress(limit, 0);
    }

    @Test
    void aClientThatGoesAwayDuringTheDelayEndsItsRequestThereAndNeverReachesThePeer() throws Exception {
        ScriptedUpstream peer = upstreams.scripted().identity();
        RequestLimit rate = RequestLimit.builder("perip").rate("20r/m").burst(1).build(); // the second waits 3 s
        ConnectionLimit inProgress = ConnectionLimit.perClient("conns", 10);
        proxy.start(group(peer.address()), r -> r.limitRequests(rate).limitConnections(inProgress));
        assertEquals(200, proxy.get("/x").status());

        try (RawClient leaving = proxy.client()) {
            leaving.send(GET);
            awaitInProgress(inProgress, 1, Duration.ofSeconds(2));
        }

        awaitInProgress(inProgress, 0, Duration.ofSeconds(1)); // well before the delay would have ended
        assertEquals(1, peer.requestCount());
    }

    private static void awaitInProgress(ConnectionLimit limit, int expected) throws InterruptedException {
        awaitInProgress(limit, expected, Duration.ofSeconds(5));
    }

    private static void awaitInProgress(ConnectionLimit limit, int expected, Duration patience)
            throws InterruptedException {
        long deadline = System.nanoTime() + patience.toNanos();
        while (limit.inProgress("127.0.0.1") != expected && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(expected, limit.inProgress("127.0.0.1"));
    }
}
