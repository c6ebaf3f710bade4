package dev.sluice.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** How a peer's health checks in a row turn it unhealthy and healthy again ({@code fails=}, {@code passes=}). */
class HealthVerdictsTest {

    private final UpstreamGroup group = UpstreamGroup.builder("g").resolver(Resolver.none())
            .server("a:80").server("b:80").build();
    private final PeerState a = group.peers().get(0);

    @Test
    void aPeerTurnsUnhealthyOnlyAfterFailsChecksInARow() {
        assertFalse(a.recordCheck(false, 3, 1));
        assertFalse(a.recordCheck(false, 3, 1));
        assertFalse(a.recordCheck(true, 3, 1), "a pass starts the count again");
        assertFalse(a.recordCheck(false, 3, 1));
        assertFalse(a.recordCheck(false, 3, 1));
        assertTrue(a.isHealthy());

        assertTrue(a.recordCheck(false, 3, 1));
        assertFalse(a.isHealthy());
        assertFalse(a.recordCheck(false, 3, 1), "already unhealthy: no change");
    }

    @Test
    void anUnhealthyPeerComesBackAfterPassesChecksInARow() {
        a.recordCheck(false, 1, 2);
        assertFalse(a.recordCheck(true, 1, 2));
        assertFalse(a.recordCheck(false, 1, 2), "a failure starts the count again");
        assertFalse(a.recordCheck(true, 1, 2));
        assertFalse(a.isHealthy());

        assertTrue(a.recordCheck(true, 1, 2));
        assertTrue(a.isHealthy());
    }

    @Test
    void anUnhealthyPeerGetsNoRequests() {
        a.recordCheck(false, 1, 1);
        Selection selection = group.newSelection();
        for (int i = 0; i < 6; i++) {
            assertEquals("b:80", selection.reset().select().name());
            selection.report(Outcome.SUCCESS);
        }
    }

    @Test
    void theCountsAreNginxPlusHealthChecks() {
        assertNull(a.healthChecks().lastPassed(), "no check yet");
        a.recordCheck(false, 2, 1);
        a.recordCheck(false, 2, 1);
        a.recordCheck(true, 2, 1);

        assertEquals(new PeerState.HealthChecks(3, 2, 1, true), a.healthChecks());
    }
}
