package dev.sluice.upstream;

import static dev.sluice.upstream.Picks.letters;
import static dev.sluice.upstream.Picks.sequence;
import static dev.sluice.upstream.Picks.server;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RoundRobinTest {

    private static UpstreamGroup weights(int... weights) {
        UpstreamGroup.Builder b = UpstreamGroup.builder("rr");
        for (int i = 0; i < weights.length; i++) {
            int w = weights[i];
            b.server(server(i), s -> s.weight(w));
        }
        return b.build();
    }

    @Test
    void weightsFiveOneOnePickTheSmoothSequence() {
        assertEquals("aabacaa".repeat(3), letters(sequence(weights(5, 1, 1), 21)));
    }

    @Test
    void weightsThreeTwoOnePickTheSmoothSequence() {
        assertEquals("abacba".repeat(3), letters(sequence(weights(3, 2, 1), 18)));
    }

    @Test
    void weightTenBesideOnePicksTheLightPeerAtTheSixthOfEveryEleven() {
        String picks = letters(sequence(weights(10, 1), 55));
        for (int i = 0; i < picks.length(); i++) {
            assertEquals(i % 11 == 5 ? 'b' : 'a', picks.charAt(i), "pick " + (i + 1));
        }
    }

    @Test
    void equalWeightsTakeTurnsInConfigurationOrder() {
        assertEquals("abcabc", letters(sequence(weights(1, 1, 1), 6)));
    }

    @Test
    void downPeerIsSkippedAndAddsNoWeight() {
        UpstreamGroup group = UpstreamGroup.builder("rr")
                .server(server(0), s -> s.weight(3))
                .server(server(1), s -> s.down())
                .server(server(2), s -> s.weight(2))
                .build();
        assertEquals("acaca".repeat(2), letters(sequence(group, 10)));
    }

    @Test
    void manyPicksFollowTheWeightsExactlyPerPeriod() {
        UpstreamGroup group = weights(7, 3, 1, 9);
        Map<String, Integer> counts = new HashMap<>();
        for (String s : sequence(group, 20 * 100)) {
            counts.merge(s, 1, Integer::sum);
        }
        assertEquals(700, counts.get(server(0)));
        assertEquals(300, counts.get(server(1)));
        assertEquals(100, counts.get(server(2)));
        assertEquals(900, counts.get(server(3)));
    }

    @Test
    void retryOfOneRequestNeverPicksAPeerTwice() {
        UpstreamGroup group = weights(1, 1, 1);
        Selection selection = group.newSelection();
        StringBuilder tried = new StringBuilder();
        PeerState peer;
        while ((peer = selection.select()) != null) {
            tried.append(peer.server().charAt(peer.server().length() - 1));
            selection.report(Outcome.FAILURE);
        }
        assertEquals("123", tried.toString());
        assertEquals(0, selection.triesLeft());
    }

    @Test
    void failedPeerLosesWeightByWeightOverMaxFailsAndRegainsOnePerPass() {
        ManualTicker ticker = new ManualTicker();
        UpstreamGroup group = UpstreamGroup.builder("rr").ticker(ticker)
                .server(server(0), s -> s.weight(10).maxFails(5))
                .server(server(1), s -> s.weight(10).maxFails(5))
                .build();
        PeerState a = group.peers().get(0);
        assertEquals("a", letters(java.util.List.of(Picks.once(group, Outcome.FAILURE))));
        assertEquals(8, a.effectiveWeight());
        Picks.once(group, Outcome.SUCCESS);
        assertEquals(9, a.effectiveWeight());
        Picks.once(group, Outcome.SUCCESS);
        assertEquals(10, a.effectiveWeight());
    }

    @Test
    void integerDivisionMeansWeightOneWithThreeMaxFailsDoesNotDrop() {
        UpstreamGroup group = UpstreamGroup.builder("rr")
                .server(server(0), s -> s.maxFails(3))
                .server(server(1), s -> s.maxFails(3))
                .build();
        Picks.once(group, Outcome.FAILURE);
        assertEquals(1, group.peers().get(0).effectiveWeight());
        assertEquals(1, group.peers().get(0).fails());
    }

    @Test
    void peerIsUnavailableThroughTheWholeSecondOfFailTimeoutThenProbedOnce() {
        ManualTicker ticker = new ManualTicker();
        UpstreamGroup group = UpstreamGroup.builder("rr").ticker(ticker)
                .server(server(0), s -> s.failTimeout(Duration.ofSeconds(10)))
                .server(server(1))
                .build();
        assertEquals(server(0), Picks.once(group, Outcome.FAILURE));
        ticker.advance(Duration.ofMillis(10_999));
        assertEquals("bbbb", letters(sequence(group, 4)));
        assertEquals(Duration.ofMillis(1), group.peers().get(0).unavailableFor());
        ticker.advance(Duration.ofMillis(1));
        assertEquals(Duration.ZERO, group.peers().get(0).unavailableFor());
        assertEquals("bbab", letters(sequence(group, 4)), "probed once its effective weight climbed back");
        assertEquals(0, group.peers().get(0).fails());
    }

    @Test
    void failedProbeDisablesThePeerAgainAtOnce() {
        ManualTicker ticker = new ManualTicker();
        UpstreamGroup group = UpstreamGroup.builder("rr").ticker(ticker)
                .server(server(0), s -> s.maxFails(2))
                .server(server(1))
                .build();
        PeerState a = group.peers().get(0);
        Selection selection = group.newSelection();
        while (a.fails() < 2) {
            PeerState peer = selection.reset().select();
            selection.report(peer == a ? Outcome.FAILURE : Outcome.SUCCESS);
        }
        assertEquals("bbb", letters(sequence(group, 3)));
        ticker.advance(Duration.ofSeconds(11));
        selection.reset();
        PeerState probe = selection.select();
        while (probe != a) {
            selection.report(Outcome.SUCCESS);
            probe = selection.reset().select();
        }
        selection.report(Outcome.FAILURE);
        assertEquals(3, a.fails());
        assertEquals("bbb", letters(sequence(group, 3)));
    }

    @Test
    void successWithinTheWindowDoesNotClearFailures() {
        ManualTicker ticker = new ManualTicker();
        UpstreamGroup group = UpstreamGroup.builder("rr").ticker(ticker)
                .server(server(0), s -> s.maxFails(3))
                .server(server(1), s -> s.maxFails(3))
                .build();
        PeerState a = group.peers().get(0);
        Selection selection = group.newSelection();
        assertEquals(a, selection.select());
        selection.report(Outcome.FAILURE);
        for (int i = 0; i < 4; i++) {
            selection.reset().select();
            selection.report(Outcome.SUCCESS);
        }
        assertEquals(1, a.fails());
    }

    @Test
    void maxFailsZeroNeverDisablesAPeer() {
        UpstreamGroup group = UpstreamGroup.builder("rr")
                .server(server(0), s -> s.maxFails(0))
                .server(server(1), s -> s.maxFails(0))
                .build();
        for (int i = 0; i < 10; i++) {
            Picks.once(group, Outcome.FAILURE);
        }
        assertEquals("abab", letters(sequence(group, 4)));
    }

    @Test
    void singlePeerIsNeverMarkedUnavailableAndNeverRetried() {
        UpstreamGroup group = UpstreamGroup.builder("one").server(server(0)).build();
        Selection selection = group.newSelection();
        for (int i = 0; i < 5; i++) {
            assertEquals(server(0), selection.reset().select().server());
            selection.report(Outcome.FAILURE);
            assertEquals(0, selection.triesLeft());
        }
        assertEquals(0, group.peers().get(0).fails());
        assertEquals(5, group.peers().get(0).failures());
    }

    @Test
    void singleDownPeerGivesNoLiveUpstream() {
        UpstreamGroup group = UpstreamGroup.builder("one").server(server(0), s -> s.down()).build();
        assertNull(group.newSelection().select());
    }

    @Test
    void twoFailedPeersGiveNoLiveUpstreamUntilTheirTimeoutEnds() {
        ManualTicker ticker = new ManualTicker();
        UpstreamGroup group = UpstreamGroup.builder("two").ticker(ticker).server(server(0)).server(server(1)).build();
        Selection selection = group.newSelection();
        selection.select();
        selection.report(Outcome.FAILURE);
        selection.select();
        selection.report(Outcome.FAILURE);
        assertNull(selection.reset().select());
        ticker.advance(Duration.ofSeconds(11));
        assertEquals("bba", letters(sequence(group, 3)), "frozen current weights, effective weights climbing from 0");
    }

    @Test
    void backupServesOnlyWhileEveryPrimaryIsUnavailable() {
        ManualTicker ticker = new ManualTicker();
        UpstreamGroup group = UpstreamGroup.builder("b").ticker(ticker)
                .server(server(0))
                .server(server(1))
                .server(server(2), s -> s.backup().weight(2))
                .server(server(3), s -> s.backup())
                .build();
        assertEquals("abab", letters(sequence(group, 4)));
        Selection selection = group.newSelection();
        selection.select();
        selection.report(Outcome.FAILURE);
        selection.select();
        selection.report(Outcome.FAILURE);
        PeerState backup = selection.select();
        assertEquals(server(2), backup.server());
        selection.report(Outcome.SUCCESS);
        assertEquals("dccdcc", letters(sequence(group, 6)));
        ticker.advance(Duration.ofSeconds(11));
        assertEquals("bbab", letters(sequence(group, 4)), "primaries back, effective weights climbing from 0");
    }

    @Test
    void triesCountPrimaryAndBackupPeersThatAreNotDown() {
        UpstreamGroup group = UpstreamGroup.builder("b")
                .server(server(0)).server(server(1), s -> s.down()).server(server(2))
                .server(server(3), s -> s.backup())
                .build();
        Selection selection = group.newSelection();
        selection.select();
        assertEquals(3, selection.triesLeft());
        selection.report(Outcome.FAILURE);
        assertEquals(2, selection.triesLeft());
        selection.reset().maxTries(2).select();
        assertEquals(2, selection.triesLeft());
    }

    @Test
    void peerAtMaxConnsIsSkippedUntilARequestEnds() {
        UpstreamGroup group = UpstreamGroup.builder("mc")
                .server(server(0), s -> s.maxConns(1))
                .server(server(1), s -> s.maxConns(1))
                .build();
        Selection first = group.newSelection();
        Selection second = group.newSelection();
        Selection third = group.newSelection();
        assertEquals(server(0), first.select().server());
        assertEquals(server(1), second.select().server());
        assertNull(third.select());
        first.report(Outcome.SUCCESS);
        assertEquals(server(0), third.reset().select().server());
    }

    @Test
    void neutralOutcomeUsesATryWithoutCountingAFailure() {
        UpstreamGroup group = UpstreamGroup.builder("n").server(server(0)).server(server(1)).build();
        Selection selection = group.newSelection();
        PeerState peer = selection.select();
        selection.report(Outcome.NEUTRAL);
        assertEquals(0, peer.fails());
        assertEquals(1, selection.triesLeft());
    }

    @Test
    void slowStartRampsARecoveredPeerFromZeroToFullWeight() {
        ManualTicker ticker = new ManualTicker();
        UpstreamGroup group = UpstreamGroup.builder("ss").ticker(ticker)
                .server(server(0), s -> s.weight(10).slowStart(Duration.ofSeconds(10)))
                .server(server(1), s -> s.weight(10))
                .build();
        PeerState a = group.peers().get(0);
        Selection selection = group.newSelection();
        assertEquals(a, selection.select());
        selection.report(Outcome.FAILURE);
        ticker.advance(Duration.ofSeconds(11));
        while (selection.reset().select() != a) {
            selection.report(Outcome.SUCCESS);
        }
        selection.report(Outcome.SUCCESS);
        assertEquals(0, a.fails());
        long early = sequence(group, 200).stream().filter(server(0)::equals).count();
        ticker.advance(Duration.ofSeconds(5));
        long half = sequence(group, 200).stream().filter(server(0)::equals).count();
        ticker.advance(Duration.ofSeconds(5));
        long full = sequence(group, 200).stream().filter(server(0)::equals).count();
        assertEquals(0, early);
        assertEquals(200 * 5 / 15, half, 2);
        assertEquals(100, full);
    }
}
