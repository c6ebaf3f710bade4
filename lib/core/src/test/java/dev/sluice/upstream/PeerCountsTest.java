package dev.sluice.upstream;

import static dev.sluice.upstream.Picks.server;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

/** What a peer counts for NGINX Plus's status document: responses by class, and turns to unavailable. */
class PeerCountsTest {

    @Test
    void responsesAreCountedByClassAndAnAttemptWithoutOneCountsNone() {
        UpstreamGroup group = UpstreamGroup.builder("c").server(server(0), s -> s.maxFails(0)).server(server(1))
                .build();
        PeerState peer = group.peers().get(0);
        int[] statuses = {200, 204, 301, 404, 503, 0, 101};
        for (int status : statuses) {
            Selection selection = group.newSelection().prefer(peer);
            selection.select();
            selection.report(status >= 500 || status == 0 ? Outcome.FAILURE : Outcome.SUCCESS, status, 1, 2);
        }
        assertArrayEquals(new long[] {1, 2, 1, 1, 1}, peer.responses());
        assertEquals(7, peer.requests());
    }

    @Test
    void selectedIsWhenTheLastAttemptThatEndedStarted() {
        ManualTicker ticker = new ManualTicker();
        UpstreamGroup group = UpstreamGroup.builder("c").ticker(ticker).server(server(0)).build();
        PeerState peer = group.peers().get(0);
        assertTrue(peer.lastSelected().isEmpty());
        Selection selection = group.newSelection();
        selection.select();
        ticker.advance(Duration.ofSeconds(3));
        selection.report(Outcome.SUCCESS, 200, Duration.ofSeconds(1).toNanos(), Duration.ofSeconds(2).toNanos());

        Duration ago = Duration.between(peer.lastSelected().orElseThrow(), Instant.now());

        assertTrue(ago.compareTo(Duration.ofMillis(1500)) > 0 && ago.compareTo(Duration.ofMillis(2500)) < 0,
                "the attempt took 2 s to its last byte and ended 0 s ago: " + ago);
    }

    @Test
    void aPeerTurnsUnavailableOnceEachTimeItReachesMaxFails() {
        UpstreamGroup group = UpstreamGroup.builder("c").server(server(0), s -> s.maxFails(2)).server(server(1))
                .build();
        PeerState peer = group.peers().get(0);
        for (int i = 0; i < 3; i++) {
            Selection selection = group.newSelection().prefer(peer);
            selection.select();
            selection.report(Outcome.FAILURE);
        }
        assertEquals(1, peer.unavailableTimes(), "the third request went elsewhere while it rested");
        assertEquals(1, group.peers().get(1).unavailableTimes());
    }

    @Test
    void downtimeRunsFromTheFailureThatMadeThePeerUnavailableToTheEndOfItsWindow() {
        ManualTicker ticker = new ManualTicker();
        UpstreamGroup group = UpstreamGroup.builder("c").ticker(ticker).server(server(0)).server(server(1)).build();
        PeerState peer = group.peers().get(0);
        ticker.advance(Duration.ofMillis(300));
        fail(group, peer);
        assertTrue(peer.downStart().isPresent());

        ticker.advance(Duration.ofSeconds(4));
        assertEquals(Duration.ofSeconds(4), peer.downtime());
        ticker.advance(Duration.ofSeconds(60));

        assertEquals(Duration.ofMillis(10_700), peer.downtime(), "fail_timeout 10 s, to the next whole second");
        assertTrue(peer.downStart().isEmpty());
    }

    @Test
    void downtimeAddsEachPeriodAndAnUnhealthyPeerIsDownUntilItsChecksPassWhateverItsFailureWindow() {
        ManualTicker ticker = new ManualTicker();
        UpstreamGroup group = UpstreamGroup.builder("c").ticker(ticker).server(server(0)).server(server(1)).build();
        PeerState peer = group.peers().get(0);
        fail(group, peer);
        ticker.advance(Duration.ofSeconds(5));
        peer.setHealthy(false); // inside the failure window: the same period goes on
        ticker.advance(Duration.ofSeconds(20));
        peer.setHealthy(true);
        ticker.advance(Duration.ofSeconds(7));
        peer.setHealthy(false);
        ticker.advance(Duration.ofSeconds(2));

        assertEquals(Duration.ofSeconds(27), peer.downtime(), "25 s unavailable then unhealthy, and 2 s unhealthy now");
        assertTrue(peer.downStart().isPresent());
        peer.setHealthy(true);
        ticker.advance(Duration.ofSeconds(30));
        assertEquals(Duration.ofSeconds(27), peer.downtime());
    }

    @Test
    void aPeerMarkedDownIsNotCountedAsDownTime() {
        ManualTicker ticker = new ManualTicker();
        UpstreamGroup group = UpstreamGroup.builder("c").ticker(ticker).server(server(0), s -> s.down())
                .server(server(1)).build();
        ticker.advance(Duration.ofSeconds(30));
        assertEquals(Duration.ZERO, group.peers().get(0).downtime());
        assertTrue(group.peers().get(0).downStart().isEmpty());
    }

    private static void fail(UpstreamGroup group, PeerState peer) {
        Selection selection = group.newSelection().prefer(peer);
        assertEquals(peer, selection.select());
        selection.report(Outcome.FAILURE);
    }
}
