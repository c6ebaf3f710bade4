package dev.sluice.internal.proxy;

import static dev.sluice.internal.proxy.ClientState.CLOSED;
import static dev.sluice.internal.proxy.ClientState.DISCARD_BODY;
import static dev.sluice.internal.proxy.ClientState.HOOK;
import static dev.sluice.internal.proxy.ClientState.LIMITED;
import static dev.sluice.internal.proxy.ClientState.LINGER;
import static dev.sluice.internal.proxy.ClientState.READ_BODY;
import static dev.sluice.internal.proxy.ClientState.READ_HEAD;
import static dev.sluice.internal.proxy.ClientState.RESPOND;
import static dev.sluice.internal.proxy.ClientState.TUNNEL;
import static dev.sluice.internal.proxy.ClientState.UPSTREAM;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The client connection's lifecycle: the moves it has, and that every other move is refused. */
class ClientStateTest {

    @Test
    void aRequestGoesFromItsHeadThroughItsBodyUpstreamAndBackToTheNextHead() {
        assertTrue(READ_HEAD.allows(READ_BODY));
        assertTrue(READ_BODY.allows(UPSTREAM));
        assertTrue(UPSTREAM.allows(READ_HEAD));
    }

    @Test
    void aRateLimitedRequestResumesWithItsHandlerItsBodyUpstreamOrWithAnAnswer() {
        assertEquals(EnumSet.of(HOOK, READ_BODY, UPSTREAM, RESPOND, CLOSED), allowedFrom(LIMITED));
    }

    @Test
    void aRequestWaitingForALaterAnswerGoesOnWithItsBodyUpstreamOrWithTheAnswer() {
        assertEquals(EnumSet.of(READ_BODY, UPSTREAM, RESPOND, CLOSED), allowedFrom(HOOK));
    }

    @Test
    void aBodyReadWholeGoesUpstreamOrToTheHandlerThatReadsIt() {
        assertEquals(EnumSet.of(HOOK, UPSTREAM, RESPOND, CLOSED), allowedFrom(READ_BODY));
    }

    @Test
    void aRequestAnErrorPageReroutesFromUpstreamIsAdmittedAgainByItsNewRoute() {
        assertEquals(EnumSet.of(READ_HEAD, LIMITED, HOOK, RESPOND, TUNNEL, LINGER, CLOSED), allowedFrom(UPSTREAM));
    }

    @Test
    void aLocalAnswerEndsInTheNextRequestADiscardedBodyALingeringCloseOrAClose() {
        assertEquals(EnumSet.of(READ_HEAD, DISCARD_BODY, LINGER, CLOSED), allowedFrom(RESPOND));
    }

    @Test
    void onlyALocalAnswerLeavesABodyToDiscardAndItsDiscardEndsInTheNextRequestOrAClose() {
        for (ClientState from : ClientState.values()) {
            assertEquals(from == RESPOND, from.allows(DISCARD_BODY), from.toString());
        }
        assertEquals(EnumSet.of(READ_HEAD, CLOSED), allowedFrom(DISCARD_BODY));
    }

    @Test
    void onlyAnExchangeUpstreamBecomesATunnel() {
        for (ClientState from : ClientState.values()) {
            assertEquals(from == UPSTREAM, from.allows(TUNNEL), from.toString());
        }
    }

    @Test
    void aTunnelAndALingeringCloseCanOnlyClose() {
        assertEquals(EnumSet.of(CLOSED), allowedFrom(TUNNEL));
        assertEquals(EnumSet.of(CLOSED), allowedFrom(LINGER));
    }

    @Test
    void aClosedConnectionGoesNowhere() {
        assertEquals(EnumSet.noneOf(ClientState.class), allowedFrom(CLOSED));
    }

    @Test
    void noStateMovesToItself() {
        for (ClientState state : ClientState.values()) {
            assertFalse(state.allows(state), state.toString());
        }
    }

    @Test
    void everyLiveStateCanClose() {
        for (ClientState state : EnumSet.complementOf(EnumSet.of(CLOSED))) {
            assertTrue(state.allows(CLOSED), state.toString());
        }
    }

    private static Set<ClientState> allowedFrom(ClientState from) {
        Set<ClientState> allowed = EnumSet.noneOf(ClientState.class);
        for (ClientState next : ClientState.values()) {
            if (from.allows(next)) {
                allowed.add(next);
            }
        }
        return allowed;
    }
}
