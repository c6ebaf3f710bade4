package dev.sluice.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
}
