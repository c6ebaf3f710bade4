package dev.sluice.internal.proxy;

import static dev.sluice.internal.proxy.RetryDecision.Action.ANSWER;
import static dev.sluice.internal.proxy.RetryDecision.Action.FRESH_CONNECTION;
import static dev.sluice.internal.proxy.RetryDecision.Action.NEXT_PEER;
import static dev.sluice.internal.proxy.RetryDecision.Action.NEXT_PEER_UNSPENT;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sluice.NextUpstream;
import dev.sluice.NextUpstream.Condition;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The one retry decision, question by question: each test changes one fact of an attempt that would move on. */
class RetryDecisionTest {

    /** The facts of one failed attempt; by default a GET that failed with a connect error and may move on. */
    private static final class Attempt {
        Failure failure = Failure.ERROR;
        boolean stale;
        boolean freshTried;
        boolean requestSent;
        boolean neverProcessed;
        boolean idempotent = true;
        boolean streamed;
        boolean bodyPartSent;
        boolean responseStarted;
        NextUpstream policy = NextUpstream.defaults();
        int triesLeft = 1;
        long elapsedNanos;

        RetryDecision.Action decide() {
            return RetryDecision.decide(failure, stale, freshTried, requestSent, neverProcessed, idempotent, streamed,
                    bodyPartSent, responseStarted, policy, triesLeft, elapsedNanos);
        }
    }

    @Test
    void aConnectErrorWithATryLeftMovesToTheNextPeer() {
        assertEquals(NEXT_PEER, new Attempt().decide());
    }

    @Test
    void noTryLeftAnswers() {
        Attempt a = new Attempt();
        a.triesLeft = 0;
        assertEquals(ANSWER, a.decide());
    }

    @Test
    void noLivePeerAnswersWhateverElseHolds() {
        Attempt a = new Attempt();
        a.failure = Failure.NO_LIVE;
        a.triesLeft = 5;
        assertEquals(ANSWER, a.decide());
    }

    @Test
    void aResponseTheClientHasBegunToReceiveIsNeverReplaced() {
        Attempt a = new Attempt();
        a.responseStarted = true;
        a.stale = true;
        assertEquals(ANSWER, a.decide());
    }

    @Test
    void aFailureTheRouteDoesNotListAnswers() {
        Attempt a = new Attempt();
        a.failure = Failure.TIMEOUT;
        a.policy = NextUpstream.on(Condition.ERROR);
        assertEquals(ANSWER, a.decide());
        a.policy = NextUpstream.off();
        a.failure = Failure.ERROR;
        assertEquals(ANSWER, a.decide());
    }

    @Test
    void aListedStatusMovesOnAndAnUnlistedOneIsRelayed() {
        Attempt a = new Attempt();
        a.failure = Failure.HTTP_503;
        a.requestSent = true;
        assertEquals(ANSWER, a.decide(), "nginx's default lists error and timeout only");
        a.policy = NextUpstream.on(Condition.ERROR, Condition.HTTP_503);
        assertEquals(NEXT_PEER, a.decide());
    }

    @Test
    void aPostThatReachedThePeerMovesOnOnlyWhenNonIdempotentIsListed() {
        Attempt a = new Attempt();
        a.idempotent = false;
        a.requestSent = true;
        assertEquals(ANSWER, a.decide());
        a.policy = NextUpstream.on(Condition.ERROR, Condition.NON_IDEMPOTENT);
        assertEquals(NEXT_PEER, a.decide());
    }

    @Test
    void aPostThatNeverReachedThePeerMovesOn() {
        Attempt a = new Attempt();
        a.idempotent = false;
        a.requestSent = false;
        assertEquals(NEXT_PEER, a.decide());
    }

    @Test
    void aStreamedBodyThatWentOutCannotBeSentAgain() {
        Attempt a = new Attempt();
        a.streamed = true;
        a.requestSent = true;
        assertEquals(ANSWER, a.decide());
        a.requestSent = false;
        assertEquals(NEXT_PEER, a.decide());
    }

    @Test
    void proxyNextUpstreamTimeoutStopsMovingOnOnceItHasPassed() {
        Attempt a = new Attempt();
        a.policy = NextUpstream.defaults().timeout(Duration.ofSeconds(2));
        a.elapsedNanos = Duration.ofMillis(1999).toNanos();
        assertEquals(NEXT_PEER, a.decide());
        a.elapsedNanos = Duration.ofSeconds(2).toNanos();
        assertEquals(ANSWER, a.decide());
    }

    @Test
    void aStaleConnectionGetsOneFreshConnectionWithoutSpendingATry() {
        Attempt a = new Attempt();
        a.stale = true;
        a.requestSent = true;
        a.triesLeft = 0;
        assertEquals(FRESH_CONNECTION, a.decide(), "even with no try left and a single peer");
        a.freshTried = true;
        assertEquals(ANSWER, a.decide(), "but only once");
    }

    @Test
    void aStalePostIsNeverResent() {
        Attempt a = new Attempt();
        a.stale = true;
        a.idempotent = false;
        a.requestSent = true;
        assertEquals(ANSWER, a.decide());
    }

    @Test
    void aStaleConnectionIsNotRetriedOnceAStreamedBodyWentOut() {
        Attempt a = new Attempt();
        a.stale = true;
        a.streamed = true;
        a.bodyPartSent = true;
        a.triesLeft = 0;
        assertEquals(ANSWER, a.decide());
    }

    @Test
    void aStaleConnectionFreshRetryComesBeforeTheRoutesList() {
        Attempt a = new Attempt();
        a.stale = true;
        a.policy = NextUpstream.off();
        assertEquals(FRESH_CONNECTION, a.decide(), "the peer never saw the request: resending it is not a retry");
    }

    @Test
    void aRequestThePeerNeverProcessedMovesOnWhateverItsMethodWithoutSpendingATry() {
        Attempt a = new Attempt();
        a.neverProcessed = true;
        a.requestSent = true; // a reused connection broke while the request was written
        a.idempotent = false;
        a.triesLeft = 0;
        assertEquals(NEXT_PEER_UNSPENT, a.decide());
    }

    @Test
    void aRequestNeverProcessedStillHonoursTheRoutesListItsTimeoutAndAStreamedBody() {
        Attempt unlisted = new Attempt();
        unlisted.neverProcessed = true;
        unlisted.policy = NextUpstream.off();
        Attempt late = new Attempt();
        late.neverProcessed = true;
        late.policy = NextUpstream.defaults().timeout(Duration.ofSeconds(1));
        late.elapsedNanos = Duration.ofSeconds(2).toNanos();
        Attempt streamedOut = new Attempt();
        streamedOut.neverProcessed = true;
        streamedOut.requestSent = true;
        streamedOut.streamed = true;
        streamedOut.bodyPartSent = true;

        assertEquals(ANSWER, unlisted.decide());
        assertEquals(ANSWER, late.decide());
        assertEquals(ANSWER, streamedOut.decide());
    }
}
