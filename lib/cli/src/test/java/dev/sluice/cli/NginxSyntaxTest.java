package dev.sluice.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NginxSyntaxTest {

    @Test
    void timesReadAsNginxReadsThem() {
        assertEquals(Duration.ofMillis(500), NginxSyntax.time("500ms"));
        assertEquals(Duration.ofSeconds(90), NginxSyntax.time("1m30s"));
        assertEquals(Duration.ofSeconds(2), NginxSyntax.time("2"));
        assertEquals(Duration.ofHours(1), NginxSyntax.time("1h"));
        assertEquals(Duration.ofDays(1), NginxSyntax.time("1d"));
        assertEquals(Duration.ofDays(14), NginxSyntax.time("2w"));
        assertEquals(Duration.ofMinutes(90), NginxSyntax.time("1h 30m"));
        assertEquals(Duration.ofMillis(61_250), NginxSyntax.time("1m1s250ms"));
        assertEquals(Duration.ZERO, NginxSyntax.time("0"));
    }

    @Test
    void aBareNumberAfterMinutesIsSecondsAsInNginx() {
        assertEquals(Duration.ofSeconds(90), NginxSyntax.time("1m30"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"5x", "-5s", "-1", "", "s", "ms", "1.5s", "30s1m", "1m1m", "5 s", " 5s", "1s5", "1y", "1M", "5S"})
    void malformedTimesAreRefusedQuotingTheText(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NginxSyntax.time(text));
        assertEquals("invalid time \"" + text + "\"" + NginxSyntax.TIME_FORMS, e.getMessage());
    }

    @Test
    void aTimeTooLargeForMillisecondsIsRefusedRatherThanWrapped() {
        String message = assertThrows(IllegalArgumentException.class, () -> NginxSyntax.time("99999999999999999d")).getMessage();
        assertTrue(message.startsWith("invalid time \"99999999999999999d\""), message);
    }

    @Test
    void secondPrecisionRefusesMillisecondsButTakesMonthsAndYears() {
        assertEquals(Duration.ofSeconds(30), NginxSyntax.seconds("30s"));
        assertEquals(Duration.ofSeconds(10), NginxSyntax.seconds("10"));
        assertEquals(Duration.ofDays(30), NginxSyntax.seconds("1M"));
        assertEquals(Duration.ofDays(365 + 30), NginxSyntax.seconds("1y1M"));
        assertThrows(IllegalArgumentException.class, () -> NginxSyntax.seconds("500ms"));
    }

    @Test
    void sizesReadAsNginxReadsThem() {
        assertEquals(1 << 20, NginxSyntax.size("1m"));
        assertEquals(1 << 20, NginxSyntax.size("1M"));
        assertEquals(64 * 1024, NginxSyntax.size("64k"));
        assertEquals(64 * 1024, NginxSyntax.size("64K"));
        assertEquals(1L << 30, NginxSyntax.size("1g"));
        assertEquals(0, NginxSyntax.size("0"));
        assertEquals(512, NginxSyntax.size("512"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"x", "", "k", "-1", "1.5m", "1t", "1 m", "1mb", "+4k"})
    void malformedSizesAreRefusedQuotingTheText(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NginxSyntax.size(text));
        assertEquals("invalid size \"" + text + "\"", e.getMessage());
    }

    @Test
    void sizesTooLargeAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> NginxSyntax.size("99999999999999g"));
        assertThrows(IllegalArgumentException.class, () -> NginxSyntax.intSize("2g"));
        assertEquals(4096, NginxSyntax.intSize("4k"));
    }

    @Test
    void numbersAreUnsignedDigits() {
        assertEquals(0, NginxSyntax.number("0"));
        assertEquals(32, NginxSyntax.number("32"));
        assertEquals("invalid number \"-1\"", assertThrows(IllegalArgumentException.class, () -> NginxSyntax.number("-1")).getMessage());
        assertThrows(IllegalArgumentException.class, () -> NginxSyntax.number("3x"));
        assertThrows(IllegalArgumentException.class, () -> NginxSyntax.number(""));
        assertThrows(IllegalArgumentException.class, () -> NginxSyntax.number("99999999999"));
    }

    @Test
    void onOffIgnoresCaseAndRefusesAnythingElse() {
        assertTrue(NginxSyntax.onOff("on"));
        assertTrue(NginxSyntax.onOff("ON"));
        assertFalse(NginxSyntax.onOff("off"));
        assertEquals("invalid value \"yes\" (on or off)",
                assertThrows(IllegalArgumentException.class, () -> NginxSyntax.onOff("yes")).getMessage());
    }
}
