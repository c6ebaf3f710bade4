package dev.sluice.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.ConnectionLimit;
import dev.sluice.RequestLimit;
import org.junit.jupiter.api.Test;

class LimitLineTest {

    @Test
    void aRequestLimitTakesNginxsParameters() {
        RequestLimit limit = LimitLine.requests("rate=10r/s burst=2 delay=1 status=429");
        assertEquals(429, limit.status());
        assertEquals(0, limit.admit("a", 0));
        assertEquals(0, limit.admit("a", 0), "delay=1 lets one request of the burst pass at once");
        assertEquals(100, limit.admit("a", 0));
        assertEquals(RequestLimit.REJECT, limit.admit("a", 0));
    }

    @Test
    void nodelayPassesTheBurstAtOnce() {
        RequestLimit limit = LimitLine.requests("rate=1r/s burst=1 nodelay");
        assertEquals(0, limit.admit("a", 0));
        assertEquals(0, limit.admit("a", 0));
        assertEquals(503, limit.status());
    }

    @Test
    void aRequestLimitNeedsARateAndKnownParameters() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LimitLine.requests("burst=5"))
                .getMessage().contains("rate=R is required"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LimitLine.requests("rate=1r/s brust=5"))
                .getMessage().contains("\"brust=5\""));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LimitLine.requests("rate=fast"))
                .getMessage().contains("\"fast\""));
    }

    @Test
    void aConnectionLimitTakesACountAndAStatus() {
        ConnectionLimit limit = LimitLine.connections("2 status=429");
        assertEquals(429, limit.status());
        assertTrue(limit.acquire("a"));
        assertTrue(limit.acquire("a"));
        assertEquals(false, limit.acquire("a"));
        assertEquals(503, LimitLine.connections("1").status());
    }

    @Test
    void aConnectionLimitRefusesOtherForms() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LimitLine.connections(""))
                .getMessage().contains("expected 'N [status=CODE]'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LimitLine.connections("2 burst=3"))
                .getMessage().contains("\"burst=3\""));
        assertThrows(IllegalArgumentException.class, () -> LimitLine.connections("0"));
    }
}
