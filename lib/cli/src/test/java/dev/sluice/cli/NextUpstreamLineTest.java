package dev.sluice.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.NextUpstream;
import dev.sluice.NextUpstream.Condition;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NextUpstreamLineTest {

    private static Set<Condition> conditions(NextUpstream n) {
        Set<Condition> set = EnumSet.noneOf(Condition.class);
        for (Condition c : Condition.values()) {
            if (n.has(c)) {
                set.add(c);
            }
        }
        return set;
    }

    @Test
    void conditionsAreNginxNames() {
        NextUpstream n = NextUpstreamLine.parse("error timeout http_500 non_idempotent");
        assertEquals(EnumSet.of(Condition.ERROR, Condition.TIMEOUT, Condition.HTTP_500, Condition.NON_IDEMPOTENT), conditions(n));
        assertEquals(0, n.tries());
    }

    @Test
    void everyConditionIsKnown() {
        NextUpstream n = NextUpstreamLine.parse(
                "error timeout invalid_header http_500 http_502 http_503 http_504 http_403 http_404 http_429 non_idempotent");
        assertEquals(EnumSet.allOf(Condition.class), conditions(n));
    }

    @Test
    void offMeansOneTry() {
        assertSame(NextUpstream.off(), NextUpstreamLine.parse("off"));
        assertTrue(conditions(NextUpstreamLine.parse("OFF")).isEmpty());
    }

    @Test
    void caseAndRepeatsAreForgivenAsInNginx() {
        NextUpstream n = NextUpstreamLine.parse("Error  HTTP_502 error");
        assertEquals(EnumSet.of(Condition.ERROR, Condition.HTTP_502), conditions(n));
        assertFalse(n.has(Condition.TIMEOUT));
    }

    @Test
    void anUnknownConditionIsNamed() {
        String message = assertThrows(IllegalArgumentException.class, () -> NextUpstreamLine.parse("error http_501")).getMessage();
        assertTrue(message.startsWith("invalid condition \"http_501\" in \"error http_501\""), message);
    }

    @Test
    void offCannotBeMixedWithConditions() {
        String message = assertThrows(IllegalArgumentException.class, () -> NextUpstreamLine.parse("error off")).getMessage();
        assertTrue(message.startsWith("off cannot be combined"), message);
    }

    @Test
    void anEmptyValueIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> NextUpstreamLine.parse(""));
    }
}
