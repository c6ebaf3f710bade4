package dev.sluice.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SelectionTriesTest {

    @Test
    void triesLeftAfterReportIsWhatTheReportLeaves() {
        Selection s = UpstreamGroup.builder("g").server("10.0.0.1:80").server("10.0.0.2:80").server("10.0.0.3:80")
                .build().newSelection();
        s.select();
        assertEquals(2, s.triesLeftAfterReport());
        s.report(Outcome.FAILURE);
        assertEquals(2, s.triesLeft());
    }

    @Test
    void aSinglePeerHasNoTryLeftAfterItsReportWhateverTheLimit() {
        Selection s = UpstreamGroup.builder("g").server("10.0.0.1:80").build().newSelection().maxTries(5);
        s.select();
        assertEquals(0, s.triesLeftAfterReport());
        s.report(Outcome.FAILURE);
        assertEquals(0, s.triesLeft());
    }

    @Test
    void aRefundedTryIsNotCountedAgainstTheCapButNoPeerIsTriedTwice() {
        Selection s = UpstreamGroup.builder("g").server("10.0.0.1:80").server("10.0.0.2:80").server("10.0.0.3:80")
                .build().newSelection().maxTries(1);
        List<String> tried = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            PeerState peer = s.select();
            if (peer == null) {
                break;
            }
            tried.add(peer.name());
            s.report(Outcome.FAILURE);
            if (!s.refundTry()) {
                break;
            }
        }
        assertEquals(List.of("10.0.0.1:80", "10.0.0.2:80", "10.0.0.3:80"), tried);
        assertEquals(0, s.triesLeft(), "every peer tried: no try left to give back");
    }

    @Test
    void aSinglePeerGetsNoTryBack() {
        Selection s = UpstreamGroup.builder("g").server("10.0.0.1:80").build().newSelection();
        s.select();
        s.report(Outcome.FAILURE);

        assertFalse(s.refundTry());
        assertEquals(0, s.triesLeft());
    }
}
