package dev.sluice.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** NGINX Plus's {@code match} conditions, as written in its documentation. */
class ResponseMatchTest {

    private static final Function<String, String> NO_FIELDS = name -> null;

    @Test
    void withoutConditionsTwoAndThreeHundredsPass() {
        assertTrue(ResponseMatch.DEFAULT.matches(200, NO_FIELDS, ""));
        assertTrue(ResponseMatch.DEFAULT.matches(302, NO_FIELDS, ""));
        assertFalse(ResponseMatch.DEFAULT.matches(404, NO_FIELDS, ""));
        assertFalse(ResponseMatch.DEFAULT.matches(503, NO_FIELDS, ""));
    }

    @Test
    void statusTakesCodesRangesAndTheirNegation() {
        assertStatuses("200", 200);
        assertStatuses("200 204", 200, 204);
        assertStatuses("200-204", 200, 201, 204);
        assertStatuses("! 500", 200, 201, 204, 301, 302, 404, 503);
        assertStatuses("!500", 200, 201, 204, 301, 302, 404, 503);
        assertStatuses("! 400-599", 200, 201, 204, 301, 302);
        assertStatuses("! 301 302 400-599", 200, 201, 204);
    }

    private static void assertStatuses(String spec, int... passing) {
        ResponseMatch match = ResponseMatch.builder().status(spec).build();
        for (int status : new int[] {200, 201, 204, 301, 302, 404, 500, 503}) {
            boolean expected = false;
            for (int p : passing) {
                expected |= p == status;
            }
            assertEquals(expected, match.matches(status, NO_FIELDS, ""), spec + " on " + status);
        }
    }

    @Test
    void headerIsPresentAbsentEqualDifferentOrMatching() {
        Map<String, String> fields = Map.of("content-type", "text/html; charset=utf-8", "x-ready", "yes");
        Function<String, String> header = name -> fields.get(name.toLowerCase());
        assertTrue(matches(header, "X-Ready"));
        assertFalse(matches(header, "X-Missing"));
        assertTrue(matches(header, "! X-Missing"));
        assertFalse(matches(header, "! X-Ready"));
        assertTrue(matches(header, "X-Ready = yes"));
        assertTrue(matches(header, "X-Ready = \"yes\""));
        assertFalse(matches(header, "X-Ready = no"));
        assertTrue(matches(header, "X-Ready != no"));
        assertTrue(matches(header, "Content-Type ~ text/html"));
        assertFalse(matches(header, "Content-Type !~ text/html"));
        assertTrue(matches(header, "Content-Type !~ json"));
        assertFalse(matches(header, "X-Missing ~ .*"), "a regex never matches an absent field");
    }

    private static boolean matches(Function<String, String> header, String spec) {
        return ResponseMatch.builder().header(spec).build().matches(200, header, "");
    }

    @Test
    void bodyIsARegexOverItsStartAndConditionsAreAllRequired() {
        ResponseMatch match = ResponseMatch.builder().status("200").header("X-Ready").body("~ \"status: (ok|up)\"")
                .build();
        Function<String, String> ready = name -> name.equals("X-Ready") ? "1" : null;

        assertTrue(match.needsBody());
        assertTrue(match.matches(200, ready, "service status: ok\n"));
        assertFalse(match.matches(200, ready, "service status: degraded\n"));
        assertFalse(match.matches(200, NO_FIELDS, "service status: ok\n"));
        assertFalse(match.matches(503, ready, "service status: ok\n"));
        assertTrue(ResponseMatch.builder().body("!~ error").build().matches(200, NO_FIELDS, "fine"));
        assertFalse(ResponseMatch.DEFAULT.needsBody());
    }

    @Test
    void aConditionThatIsNotNginxSyntaxNamesItself() {
        assertMessage("status takes codes and ranges from 100 to 599, not \"2xx\"",
                () -> ResponseMatch.builder().status("2xx"));
        assertMessage("status needs a code or a range", () -> ResponseMatch.builder().status("!"));
        assertMessage("header takes =, !=, ~ or !~, not ==", () -> ResponseMatch.builder().header("A == b"));
        assertMessage("not a regex", () -> ResponseMatch.builder().header("A ~ (b"));
        assertMessage("body takes ~ REGEX or !~ REGEX", () -> ResponseMatch.builder().body("ok"));
        assertMessage("a match needs at least one condition", () -> ResponseMatch.builder().build());
    }

    private static void assertMessage(String part, Runnable build) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, build::run);
        assertTrue(e.getMessage().contains(part), e.getMessage());
    }
}
