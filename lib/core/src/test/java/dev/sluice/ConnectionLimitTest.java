package dev.sluice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ConnectionLimitTest {

    @Test
    void aClientMayHaveUpToTheLimitInProgress() {
        ConnectionLimit limit = ConnectionLimit.perClient("perip", 2);
        assertTrue(limit.acquire("a"));
        assertTrue(limit.acquire("a"));
        assertFalse(limit.acquire("a"));
        assertEquals(2, limit.inProgress("a"), "a refused request is not counted");
    }

    @Test
    void anEndedRequestMakesRoomForTheNext() {
        ConnectionLimit limit = ConnectionLimit.perClient("perip", 1);
        assertTrue(limit.acquire("a"));
        limit.release("a");
        assertEquals(0, limit.inProgress("a"));
        assertTrue(limit.acquire("a"));
    }

    @Test
    void clientAddressesAreCountedApart() {
        ConnectionLimit limit = ConnectionLimit.perClient("perip", 1);
        assertTrue(limit.acquire("a"));
        assertTrue(limit.acquire("b"));
    }

    @Test
    void releasingWhatWasNotAcquiredFailsLoudly() {
        ConnectionLimit limit = ConnectionLimit.perClient("perip", 1);
        assertThrows(IllegalStateException.class, () -> limit.release("a"));
    }

    @Test
    void badValuesNameThemselves() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ConnectionLimit.perClient("perip", 0))
                .getMessage().contains("limit_conn perip must allow at least 1: 0"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ConnectionLimit.perClient("perip", 1, 302))
                .getMessage().contains("302"));
        assertEquals(503, ConnectionLimit.perClient("perip", 1).status());
    }
}
