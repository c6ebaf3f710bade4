package dev.sluice.internal.pool;

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
        assertEquals(PeerLimits.UNKNOWN_REQUESTS, limits.retireRequests(0));
    }

    @Test
    void connectionsRetire250MillisecondsBeforeTheIdleLimitOnAPathWithoutMeasurableRoundTrip() {
        limits.announce(5 * S, -1); // Node's default announcement
        assertEquals(4750 * MS, limits.retireIdleNanos(0));
        limits.announce(60 * S, -1);
        assertEquals(59_750 * MS, limits.retireIdleNanos(0));
        limits.announce(2 * S, -1); // Gunicorn's default
        assertEquals(1750 * MS, limits.retireIdleNanos(0));
        limits.announce(250 * MS, -1);
        assertEquals(0, limits.retireIdleNanos(0), "never pooled");
    }

    @Test
    void theMarginGrowsByTwiceTheConnectTimeSmoothedOverConnectsAsTcpSmoothsItsRoundTrip() {
        limits.announce(5 * S, -1);
        limits.connected(40 * MS);
        assertEquals(5000 * MS - 250 * MS - 80 * MS, limits.retireIdleNanos(0));

        limits.connected(120 * MS); // weighs an eighth: 50 ms
        assertEquals(350 * MS, limits.marginNanos());
        assertEquals(5000 * MS - 350 * MS, limits.retireIdleNanos(0));
    }

    @Test
    void anAnnouncedRequestLimitRetiresConnectionsOneRequestEarlyAndALearnedOneExactly() {
        limits.announce(-1, 100);
        assertEquals(100, limits.requestLimit());
        assertEquals(99, limits.retireRequests(0), "an off-by-one reading of max must not cost a request");

        limits.observeClose(0, 1 * MS, 57);

        assertEquals(57, limits.requestLimit());
        assertEquals(57, limits.retireRequests(0), "the peer answered the 57th request before it closed");
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
    void aLearnedLimitIsForgottenThirtySecondsAfterTheCloseThatTaughtIt() {
        // a restart closes busy and idle connections alike: limits the peer does not have
        limits.observeClose(0, 8 * S, 2);
        limits.observeClose(0, 1 * MS, 300);
        long hold = 30 * S;

        assertEquals(8 * S - 250 * MS, limits.retireIdleNanos(hold - 1));
        assertEquals(300, limits.retireRequests(hold - 1));
        assertEquals(PeerLimits.UNKNOWN_IDLE, limits.retireIdleNanos(hold));
        assertEquals(PeerLimits.UNKNOWN_IDLE, limits.idleLimitNanos());
        assertEquals(PeerLimits.UNKNOWN_REQUESTS, limits.retireRequests(hold));
    }

    @Test
    void eachLearnedLimitIsHeldFromItsOwnLastClose() {
        limits.observeClose(0, 8 * S, 2);
        limits.observeClose(20 * S, 1 * MS, 300);

        assertEquals(PeerLimits.UNKNOWN_IDLE, limits.retireIdleNanos(30 * S));
        assertEquals(300, limits.retireRequests(30 * S));
        assertEquals(300, limits.retireRequests(50 * S - 1));
        assertEquals(PeerLimits.UNKNOWN_REQUESTS, limits.retireRequests(50 * S));
    }

    @Test
    void aCloseAtTheLearnedLimitHoldsItAnotherThirtySecondsAndOneAboveItTeachesNothing() {
        limits.observeClose(0, 1 * MS, 5);
        limits.observeClose(20 * S, 1 * MS, 5); // the peer still closes after five requests
        limits.observeClose(25 * S, 1 * MS, 9); // a connection taken before the limit was known: nothing new

        assertEquals(5, limits.retireRequests(50 * S - 1));
        assertEquals(PeerLimits.UNKNOWN_REQUESTS, limits.retireRequests(50 * S));
    }

    @Test
    void aLowerCloseReplacesTheLearnedLimit() {
        limits.observeClose(0, 10 * S, 3);
        limits.observeClose(10 * S, 4 * S, 3);

        assertEquals(4 * S, limits.idleLimitNanos());
        assertEquals(4 * S - 250 * MS, limits.retireIdleNanos(40 * S - 1), "held from the lower close");
        assertEquals(PeerLimits.UNKNOWN_IDLE, limits.retireIdleNanos(40 * S));
    }

    @Test
    void announcedLimitsDoNotExpire() {
        limits.announce(5 * S, 100);
        limits.observeClose(0, 8 * S, 2);

        limits.retireIdleNanos(100 * 30 * S);

        assertEquals(5 * S, limits.idleLimitNanos());
        assertEquals(100, limits.requestLimit());
    }

    @Test
    void aLearnedRequestLimitIsTestedOnePeerAtATimeAndAnAnnouncedOneNever() {
        limits.observeClose(0, 1 * MS, 3);

        assertEquals(false, limits.beginRequestProbe(2), "a connection below the limit tests nothing");
        assertEquals(true, limits.beginRequestProbe(3));
        assertEquals(false, limits.beginRequestProbe(3), "one test at a time");
        limits.probeEnded();
        limits.announce(-1, 4); // retires at 3 as well: the peer's word
        assertEquals(false, limits.beginRequestProbe(3));
    }

    @Test
    void aConnectionKeptOpenPastALearnedRequestLimitForgetsItAndBarsRelearningItForThirtySeconds() {
        limits.observeClose(0, 1 * MS, 3);
        limits.beginRequestProbe(3);

        limits.disproveRequests(1 * S, 3);

        assertEquals(PeerLimits.UNKNOWN_REQUESTS, limits.requestLimit());
        limits.observeClose(2 * S, 1 * MS, 3); // a random close at the old limit
        assertEquals(PeerLimits.UNKNOWN_REQUESTS, limits.requestLimit());
        limits.observeClose(32 * S, 1 * MS, 3);
        assertEquals(3, limits.requestLimit(), "thirty seconds on, a close teaches again");
        assertEquals(true, limits.beginRequestProbe(3), "the test that disproved it ended");
    }

    @Test
    void aConnectionKeptIdlePastALearnedIdleLimitForgetsIt() {
        limits.observeClose(0, 4 * S, 10);
        assertEquals(true, limits.beginIdleProbe());

        limits.disproveIdle(5 * S, 4400 * MS);

        assertEquals(PeerLimits.UNKNOWN_IDLE, limits.idleLimitNanos());
        limits.observeClose(6 * S, 4 * S, 10);
        assertEquals(PeerLimits.UNKNOWN_IDLE, limits.idleLimitNanos(), "it survived longer lately");
    }

    @Test
    void anAnnouncedIdleLimitIsNotTested() {
        limits.announce(5 * S, -1);
        limits.observeClose(0, 4 * S, 10);
        assertEquals(true, limits.beginIdleProbe(), "the learned 4 s retires before the announced 5 s");
        limits.probeEnded();
        limits.announce(3 * S, -1);
        assertEquals(false, limits.beginIdleProbe());
    }
}
