package dev.sluice.internal.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.junit.jupiter.api.Test;

/** nginx's regexes match as PCRE matches them in nginx, where Java's defaults differ. */
class NginxRegexTest {

    private static boolean finds(String regex, String text) {
        return NginxRegex.compile(regex, false).matcher(text).find();
    }

    @Test
    void aDotMatchesEveryCharacterButANewline() {
        assertTrue(finds("^/a.b$", "/a\rb"));
        assertTrue(finds("^/a.b$", "/a\u0085b"));
        assertTrue(finds("^/a.b$", "/a b"));
        assertFalse(finds("^/a.b$", "/a\nb"));
    }

    @Test
    void anEndAnchorMatchesBeforeAFinalNewlineOnly() {
        assertTrue(finds("\\.php$", "/x.php\n"));
        assertTrue(finds("\\.bak\\Z", "/x.bak\n"));
        assertFalse(finds("\\.php$", "/x.php\r"));
        assertFalse(finds("\\.php$", "/x.php\u0085"));
    }

    @Test
    void posixClassesNameTheirCharacters() {
        assertTrue(finds("^/d/[[:digit:]]+$", "/d/123"));
        assertFalse(finds("^/d/[[:digit:]]+$", "/d/dig"));
        assertTrue(finds("^[[:upper:][:digit:]_]+$", "AB_9"));
        assertTrue(finds("^[[:^alpha:]]+$", "1-2"));
        assertFalse(finds("^[[:^alpha:]]+$", "1a"));
        assertTrue(finds("^[[:word:]]+$", "a_1"));
        assertTrue(finds("^[^[:space:]]+$", "ab"));
    }

    @Test
    void anUnknownPosixClassIsNoRegex() {
        PatternSyntaxException e = assertThrows(PatternSyntaxException.class,
                () -> NginxRegex.compile("[[:digits:]]", false));
        assertTrue(e.getDescription().contains("digits"), e.getMessage());
    }

    @Test
    void aBracketOrAmpersandsInsideASetAreLiteral() {
        assertTrue(finds("^/b/[[]$", "/b/["));
        assertTrue(finds("^[a&&b]+$", "a&b"));
        assertTrue(finds("^[]x]+$", "]x"));
        assertTrue(finds("^[^]x]+$", "ab"));
    }

    @Test
    void escapesAndQuotedTextPassUnchanged() {
        assertEquals("\\[[:digit:]\\Q[[:x:]]\\E", NginxRegex.toJava("\\[[:digit:]\\Q[[:x:]]\\E"));
        assertTrue(finds("^\\Q[[:x:]]\\E$", "[[:x:]]"));
        assertTrue(finds("^[\\]a]+$", "]a"));
    }

    @Test
    void caselessMatchingFoldsAsciiLettersOnly() {
        Pattern caseless = NginxRegex.compile("\\.jpg$", true);
        assertTrue(caseless.matcher("/A.JPG").find());
        assertFalse(NginxRegex.compile("caf\u00e9", true).matcher("CAF\u00c9").find());
    }
}
