package dev.sluice.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.upstream.Outcome;
import dev.sluice.upstream.PeerState;
import dev.sluice.upstream.Selection;
import dev.sluice.upstream.UpstreamGroup;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ManualTickerTest {

    @Test
    void standsStillUntilAdvancedAndThenMovesByExactlyThatMuch() {
        ManualTicker ticker = new ManualTicker();
        long start = ticker.nanos();
        assertEquals(start, ticker.nanos());
        assertSame(ticker, ticker.advance(Duration.ofMillis(1500)));
        assertEquals(1_500_000_000L, ticker.nanos() - start);
        assertEquals(Duration.ofMillis(1500), ticker.elapsed());
    }

    @Test
    void startsAwayFromZeroSoThatNoReadingLooksLikeNever() {
        assertTrue(new ManualTicker().nanos() > 0);
    }

    @Test
    void refusesToGoBackNamingTheOptionAndTheValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ManualTicker().advance(Duration.ofSeconds(-1)));
        assertEquals("advance must not be negative: PT-1S", e.getMessage());
    }

    @Test
    void drivesFailTimeoutOfAnUpstreamGroupWithoutSleeping() {
        ManualTicker ticker = new ManualTicker();
        UpstreamGroup group = UpstreamGroup.builder("g").ticker(ticker)
                .server("127.0.0.1:19001").server("127.0.0.1:19002").build();
        Selection selection = group.newSelection();
        PeerState failed = selection.select();
        selection.report(Outcome.FAILURE);
        Duration unavailable = failed.unavailableFor();
        assertTrue(unavailable.compareTo(Duration.ofSeconds(10)) >= 0, "fail_timeout 10s, was " + unavailable);

        ticker.advance(Duration.ofSeconds(4));
        assertEquals(unavailable.minusSeconds(4), failed.unavailableFor());

        ticker.advance(Duration.ofSeconds(11));
        assertEquals(Duration.ZERO, failed.unavailableFor());
    }
}
