package dev.sluice.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class PeerLimitsTest {

    private static final long S = 1_000_000_000L;
    private static final long MS = 1_000_000L;

    private final PeerLimits limits = new PeerLimits("peer", KeepaliveSettings.builder()
            .idleTimeout(Duration.ofSeconds(60)).maxRequests(1000).build());

    @Test
    void nothingIsKnownAtFirst() {
        assertEquals(PeerLimits.UNKNOWN_IDLE, limits.idleLimitNanos());
        assertEquals(PeerLimits.UNKNOWN_IDLE, limits.retireIdleNanos(0));
        assertEquals(PeerLimits.UNKNOWN_REQUESTS, limits.requestLimit(0));
    }

    @Test
    void connectionsRetireAQuarterOrAtLeast250MillisecondsBeforeTheIdleLimit() {
        limits.announce(5 * S, -1);
        assertEquals(3750 * MS, limits.retireIdleNanos());
        limits.announce(2 * S, -1); // Gunicorn's default
        assertEquals(1500 * MS, limits.retireIdleNanos());
        limits.announce(800 * MS, -1);
        assertEquals(550 * MS, limits.retireIdleNanos());
        limits.announce(200 * MS, -1);
        assertEquals(0, limits.retireIdleNanos());
    }

    @Test
    void eachKeepAliveHeaderReplacesThePreviousAnnouncementAndAbsentFieldsKeepTheirs() {
        limits.announce(5 * S, 100);
        limits.announce(15 * S, -1);

        assertEquals(15 * S, limits.idleLimitNanos());
        assertEquals(100, limits.requestLimit());
    }

    @Test
    void aSlowCloseIsAnIdleLimitAndAQuickOneARequestLimitAndTheMinimumIsKept() {
        limits.observeClose(0, 12 * S, 40);
        limits.observeClose(1 * S, 9 * S, 7);
        limits.observeClose(2 * S, 11 * S, 3);
        limits.observeClose(3 * S, 5 * MS, 57);
        limits.observeClose(4 * S, 20 * MS, 80);

        assertEquals(9 * S, limits.idleLimitNanos());
        assertEquals(57, limits.requestLimit());
    }

    @Test
    void aCloseJustUnderOneSecondOfIdlenessIsAnIdleLimit() {
        // a peer with a 1 s idle timeout, whose response end we read and relayed 100 ms after it was written
        limits.observeClose(0, 900 * MS, 4);

        assertEquals(900 * MS, limits.idleLimitNanos());
        assertEquals(PeerLimits.UNKNOWN_REQUESTS, limits.requestLimit());
    }

    @Test
    void theLowerOfAnnouncedAndObservedLimitsWins() {
        limits.announce(10 * S, 500);
        limits.observeClose(0, 4 * S, 1);
        limits.observeClose(0, 1 * MS, 800);

        assertEquals(4 * S, limits.idleLimitNanos());
        assertEquals(500, limits.requestLimit());
    }

    @Test
    void observationsAtOrBeyondTheGroupsOwnLimitsTeachNothing() {
        limits.observeClose(0, 61 * S, 3);
        limits.observeClose(0, 1 * MS, 1000);

        assertEquals(PeerLimits.UNKNOWN_IDLE, limits.idleLimitNanos());
        assertEquals(PeerLimits.UNKNOWN_REQUESTS, limits.requestLimit());
    }

    @Test
    void observedLimitsRelaxByAQuarterEachPeriodAndAreForgottenPastTheGroupsOwn() {
        limits.observeClose(0, 8 * S, 2);
        limits.observeClose(0, 1 * MS, 100);
        long period = PeerLimits.RELAX_PERIOD_NANOS;

        assertEquals(6 * S, limits.retireIdleNanos(period - 1));
        assertEquals(100, limits.requestLimit(period - 1));
        limits.retireIdleNanos(period);
        assertEquals(10 * S, limits.idleLimitNanos());
        assertEquals(125, limits.requestLimit(period));
        limits.retireIdleNanos(3 * period);
        assertEquals(15_625 * MS, limits.idleLimitNanos());
        assertEquals(195, limits.requestLimit());

        limits.retireIdleNanos(20 * period);

        assertEquals(PeerLimits.UNKNOWN_IDLE, limits.idleLimitNanos());
        assertEquals(PeerLimits.UNKNOWN_REQUESTS, limits.requestLimit());
    }

    @Test
    void aNewObservationPullsARelaxedLimitBackDownAndRestartsThePeriod() {
        limits.observeClose(0, 8 * S, 2);
        long period = PeerLimits.RELAX_PERIOD_NANOS;
        limits.retireIdleNanos(period); // relaxed to 10 s

        limits.observeClose(period + 1, 8 * S, 2); // the peer still closes at 8 s

        assertEquals(8 * S, limits.idleLimitNanos());
        assertEquals(6 * S, limits.retireIdleNanos(2 * period));
        assertEquals(7500 * MS, limits.retireIdleNanos(2 * period + 1));
    }

    @Test
    void announcedLimitsDoNotRelax() {
        limits.announce(5 * S, 100);
        limits.observeClose(0, 8 * S, 2);

        limits.retireIdleNanos(100 * PeerLimits.RELAX_PERIOD_NANOS);

        assertEquals(5 * S, limits.idleLimitNanos());
        assertEquals(100, limits.requestLimit());
    }
}
