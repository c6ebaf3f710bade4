package dev.sluice.internal.proxy;

import static dev.sluice.internal.proxy.AttemptPhase.CONNECTING;
import static dev.sluice.internal.proxy.AttemptPhase.DONE;
import static dev.sluice.internal.proxy.AttemptPhase.HANDSHAKING;
import static dev.sluice.internal.proxy.AttemptPhase.HEAD_READ;
import static dev.sluice.internal.proxy.AttemptPhase.IDLE;
import static dev.sluice.internal.proxy.AttemptPhase.READING_HEAD;
import static dev.sluice.internal.proxy.AttemptPhase.RELAYING;
import static dev.sluice.internal.proxy.AttemptPhase.SENDING;
import static dev.sluice.internal.proxy.AttemptPhase.TUNNEL;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** An attempt's lifecycle: the moves it has, and that every other move is refused. */
class AttemptPhaseTest {

    @Test
    void anAttemptStartsOnAPooledConnectionOrByConnecting() {
        assertEquals(EnumSet.of(IDLE, CONNECTING, SENDING), allowedFrom(IDLE));
        assertEquals(EnumSet.of(IDLE, HANDSHAKING, SENDING), allowedFrom(CONNECTING));
    }

    @Test
    void aTlsHandshakeFollowsOnlyAConnectAndLeadsOnlyToSending() {
        assertEquals(EnumSet.of(IDLE, SENDING), allowedFrom(HANDSHAKING));
        assertEquals(EnumSet.of(CONNECTING), EnumSet.copyOf(java.util.Arrays.stream(AttemptPhase.values())
                .filter(from -> from.allows(HANDSHAKING)).toList()));
    }

    @Test
    void theHeadIsReadAfterTheRequestOrEarlyWhileItIsSent() {
        assertEquals(EnumSet.of(IDLE, READING_HEAD, HEAD_READ), allowedFrom(SENDING));
        assertEquals(EnumSet.of(IDLE, HEAD_READ), allowedFrom(READING_HEAD));
    }

    @Test
    void aHeadReadGoesOnToARelayATunnelOrItsEnd() {
        assertEquals(EnumSet.of(IDLE, RELAYING, TUNNEL, DONE), allowedFrom(HEAD_READ));
    }

    @Test
    void aRelayOrTunnelOnlyEnds() {
        assertEquals(EnumSet.of(IDLE, DONE), allowedFrom(RELAYING));
        assertEquals(EnumSet.of(IDLE, DONE), allowedFrom(TUNNEL));
        assertEquals(EnumSet.of(IDLE), allowedFrom(DONE));
    }

    private static Set<AttemptPhase> allowedFrom(AttemptPhase from) {
        Set<AttemptPhase> allowed = EnumSet.noneOf(AttemptPhase.class);
        for (AttemptPhase next : AttemptPhase.values()) {
            if (from.allows(next)) {
                allowed.add(next);
            }
        }
        return allowed;
    }
}
