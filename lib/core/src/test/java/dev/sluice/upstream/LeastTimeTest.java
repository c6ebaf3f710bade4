package dev.sluice.upstream;

import static dev.sluice.upstream.Picks.letters;
import static dev.sluice.upstream.Picks.sequence;
import static dev.sluice.upstream.Picks.server;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.function.ToLongFunction;
import org.junit.jupiter.api.Test;

class LeastTimeTest {

    private static final long MS = 1_000_000L;

    private final ManualTicker ticker = new ManualTicker();

    private UpstreamGroup group(Balancer balancer, int... weights) {
        UpstreamGroup.Builder b = UpstreamGroup.builder("lt").balancer(balancer).ticker(ticker);
        for (int i = 0; i < weights.length; i++) {
            int weight = weights[i];
            b.server(server(i), s -> s.weight(weight));
        }
        return b.build();
    }

    /** One request on the peer the group picks, answered after {@code millis}; returns the peer's letter. */
    private char timed(UpstreamGroup group, long millis) {
        Selection selection = group.newSelection();
        PeerState peer = selection.select();
        ticker.advance(Duration.ofMillis(millis));
        selection.report(Outcome.SUCCESS, 200, millis * MS, millis * MS);
        return letters(List.of(peer.server())).charAt(0);
    }

    @Test
    void peersNotMeasuredYetShareByWeightedRoundRobin() {
        UpstreamGroup group = group(Balancer.leastTimeHeader(), 5, 1, 1);
        assertEquals("aabacaa", letters(sequence(group, 7)));
    }

    @Test
    void picksThePeerWithTheLeastAverageTime() {
        UpstreamGroup group = group(Balancer.leastTimeHeader(), 1, 1, 1);
        report(group, 0, 10);
        report(group, 1, 2);
        report(group, 2, 5);
        assertEquals("bbbbb", letters(sequence(group, 5)));
    }

    @Test
    void headerAndLastByteMeasureDifferentTimes() {
        UpstreamGroup byHeader = group(Balancer.leastTimeHeader(), 1, 1);
        UpstreamGroup byLastByte = group(Balancer.leastTimeLastByte(), 1, 1);
        for (UpstreamGroup group : List.of(byHeader, byLastByte)) {
            // a answers its head at once but streams a long body; b thinks before a short answer
            reportTimes(group, 0, 1, 90);
            reportTimes(group, 1, 20, 21);
        }
        assertEquals("aaa", letters(sequence(byHeader, 3)));
        assertEquals("bbb", letters(sequence(byLastByte, 3)));
        assertEquals(Optional.of(Duration.ofMillis(1)), byHeader.peers().get(0).averageHeaderTime());
        assertEquals(Optional.of(Duration.ofMillis(90)), byHeader.peers().get(0).averageResponseTime());
    }

    @Test
    void activeRequestsCountAgainstAPeerRelativeToItsWeight() {
        UpstreamGroup group = group(Balancer.leastTimeHeader(), 1, 1);
        report(group, 0, 10);
        report(group, 1, 10);
        Selection held = group.newSelection();
        PeerState busy = held.select();
        // 10 ms × (1 + 1) for the busy peer against 10 ms × 1 for the other
        Selection next = group.newSelection();
        assertTrue(next.select() != busy);
        next.report(Outcome.SUCCESS);
        held.report(Outcome.SUCCESS);
    }

    @Test
    void aPeerNotMeasuredYetCountsAsTheFastestMeasuredPeerNotAsZero() {
        UpstreamGroup group = group(Balancer.leastTimeHeader(), 1, 1);
        report(group, 0, 10);
        List<Selection> open = new ArrayList<>();
        StringBuilder picks = new StringBuilder();
        for (int i = 0; i < 6; i++) {
            Selection selection = group.newSelection();
            picks.append(letters(List.of(selection.select().server())));
            open.add(selection);
        }
        // b, new, is not taken for instantly fast: with requests in flight the two peers share them
        assertEquals(3, picks.chars().filter(c -> c == 'b').count(), picks.toString());
        open.forEach(s -> s.report(Outcome.SUCCESS));
    }

    @Test
    void aSlowPeerGetsAtMostOneInTenRequestsOnceTwentyPassedSinceItSlowedDown() {
        for (Balancer balancer : List.of(Balancer.leastTimeHeader(), Balancer.leastTimeHeader().inflight())) {
            UpstreamGroup group = group(balancer, 1, 1, 1);
            Load load = new Load(group, 8, peer -> 1);
            load.run(300);
            load.latency = peer -> peer == group.peers().get(1) ? 201 : 1;
            load.picksOfB = 0;
            load.run(20);
            int within = load.picksOfB;
            load.picksOfB = 0;
            load.run(200);
            assertTrue(load.picksOfB <= 20, balancer + ": " + load.picksOfB + " of the 200 after the first 20");
            assertTrue(within <= 3, balancer + ": " + within + " of the first 20, sent before its first slow answer");
            load.finish();
        }
    }

    @Test
    void inflightAvoidsAPeerWhoseRequestsHangBeforeAnyOfThemEnds() {
        UpstreamGroup plain = group(Balancer.leastTimeHeader(), 10, 1);
        UpstreamGroup inflight = group(Balancer.leastTimeHeader().inflight(), 10, 1);
        for (UpstreamGroup group : List.of(plain, inflight)) {
            report(group, 1, 1);
            report(group, 0, 1);
        }
        Selection hungPlain = hold(plain, 0);
        Selection hungInflight = hold(inflight, 0);
        ticker.advance(Duration.ofMillis(50));
        // a weighs ten times b: 1 ms × 2 / 10 beats 1 ms × 1 / 1 unless the hung request's age counts
        assertEquals("a", letters(sequence(plain, 1)));
        assertEquals("b", letters(sequence(inflight, 1)));
        hungPlain.report(Outcome.SUCCESS);
        hungInflight.report(Outcome.SUCCESS);
        assertEquals("a", letters(sequence(inflight, 1)), "its age left with the request");
    }

    @Test
    void aSlowAverageFadesSoThatThePeerIsTriedAgain() {
        UpstreamGroup group = group(Balancer.leastTimeHeader(), 1, 1);
        report(group, 0, 1);
        report(group, 1, 200);
        Selection held = hold(group, 0);
        // a scores 1 ms × (1 + 1) with its request in flight; b's 199 ms excess must halve below 1 ms first
        assertEquals("aaa", letters(sequence(group, 3)));
        ticker.advance(Duration.ofSeconds(LeastTime.HALF_LIFE_SECONDS * 7L));
        assertEquals("a", letters(sequence(group, 1)), "1 + 199/128 ms is above 2 ms");
        ticker.advance(Duration.ofSeconds(LeastTime.HALF_LIFE_SECONDS));
        assertEquals("b", letters(sequence(group, 1)), "1 + 199/256 ms is below 2 ms");
        held.report(Outcome.SUCCESS);
    }

    @Test
    void aSlowAverageFadesAwayEvenWithOneRequestAtATime() {
        UpstreamGroup group = group(Balancer.leastTimeHeader(), 1, 1);
        report(group, 0, 1);
        report(group, 1, 200);
        ticker.advance(Duration.ofSeconds(LeastTime.HALF_LIFE_SECONDS * 27L));
        assertEquals("aaaa", letters(sequence(group, 4)), "199 ms >> 27 is still a nanosecond");
        ticker.advance(Duration.ofSeconds(LeastTime.HALF_LIFE_SECONDS));
        assertTrue(letters(sequence(group, 4)).contains("b"), "once the excess is gone the two tie");
    }

    @Test
    void theAverageWeighsEachNewTimeAQuarter() {
        UpstreamGroup group = group(Balancer.leastTimeLastByte(), 1);
        assertEquals(Optional.empty(), group.peers().get(0).averageResponseTime());
        assertEquals('a', timed(group, 100));
        assertEquals('a', timed(group, 20));
        assertEquals(Optional.of(Duration.ofMillis(80)), group.peers().get(0).averageResponseTime());
    }

    private static Selection hold(UpstreamGroup group, int peer) {
        Selection selection = group.newSelection();
        assertEquals(group.peers().get(peer), selection.select());
        return selection;
    }

    /** Reports one request of {@code millis} on the peer at {@code index}, which must be the one picked. */
    private void report(UpstreamGroup group, int index, long millis) {
        reportTimes(group, index, millis, millis);
    }

    private void reportTimes(UpstreamGroup group, int index, long headerMillis, long lastByteMillis) {
        PeerState peer = group.peers().get(index);
        for (int tries = 0; tries < 64; tries++) {
            Selection selection = group.newSelection();
            boolean hit = selection.select() == peer;
            selection.report(Outcome.SUCCESS, 200, hit ? headerMillis * MS : -1, hit ? lastByteMillis * MS : -1);
            if (hit) {
                return;
            }
        }
        throw new AssertionError("peer " + index + " was never picked");
    }

    /**
     * A closed-loop load on the manual clock: {@code concurrency} requests in flight, each answered after its peer's
     * latency; a request that ends is replaced by a new one at once.
     */
    private final class Load {

        private final UpstreamGroup group;
        private final PriorityQueue<InFlight> inFlight = new PriorityQueue<>((x, y) -> Long.compare(x.endsAt, y.endsAt));
        ToLongFunction<PeerState> latency;
        int picksOfB;

        Load(UpstreamGroup group, int concurrency, ToLongFunction<PeerState> latency) {
            this.group = group;
            this.latency = latency;
            for (int i = 0; i < concurrency; i++) {
                send();
            }
        }

        /** Ends the earliest requests and sends {@code n} new ones in their place. */
        void run(int n) {
            for (int i = 0; i < n; i++) {
                InFlight done = inFlight.poll();
                long wait = done.endsAt - ticker.nanos();
                if (wait > 0) {
                    ticker.advance(Duration.ofNanos(wait));
                }
                done.selection.report(Outcome.SUCCESS, 200, done.millis * MS, done.millis * MS);
                send();
            }
        }

        void finish() {
            while (!inFlight.isEmpty()) {
                inFlight.poll().selection.report(Outcome.SUCCESS);
            }
        }

        private void send() {
            Selection selection = group.newSelection();
            PeerState peer = selection.select();
            if (peer == group.peers().get(1)) {
                picksOfB++;
            }
            long millis = latency.applyAsLong(peer);
            inFlight.add(new InFlight(selection, millis, ticker.nanos() + millis * MS));
        }
    }

    private record InFlight(Selection selection, long millis, long endsAt) {
    }
}
