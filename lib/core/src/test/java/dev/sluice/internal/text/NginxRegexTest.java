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
    @Test
    void namedGroupsOfEveryPcreFormCountAsNumberedGroups() {
        Pattern p = NginxRegex.compile("^/(?P<app_name>[a-z]+)/(?<user_id>[0-9]+)/(?'rest'.*)$", false);
        java.util.regex.Matcher m = p.matcher("/shop/42/cart/x");
        assertTrue(m.matches());
        assertEquals("shop", m.group(1));
        assertEquals("42", m.group(2));
        assertEquals("cart/x", m.group(3));
        assertEquals(java.util.Map.of("app_name", 1, "user_id", 2, "rest", 3),
                NginxRegex.groupNames("^/(?P<app_name>[a-z]+)/(?<user_id>[0-9]+)/(?'rest'.*)$"));
    }

    @Test
    void groupNumbersSkipLookaroundsAndNonCapturingGroups() {
        assertEquals(java.util.Map.of("b", 2),
                NginxRegex.groupNames("(?:x)(?<=y)(?<!z)(a)(?i)(?<b>c)(?=d)[(?<e>]"));
    }

    @Test
    void referencesToANamedGroupMatchWhatItMatched() {
        assertTrue(finds("^/(?P<w>[a-z]+)/(?P=w)$", "/ab/ab"));
        assertFalse(finds("^/(?P<w>[a-z]+)/(?P=w)$", "/ab/ac"));
        assertTrue(finds("^/(?<w_1>[a-z]+)/\\k<w_1>/\\k{w_1}/\\g{w_1}/\\k'w_1'$", "/a/a/a/a/a"));
        assertTrue(finds("^/(x)(?<n>y)/\\g{2}1$", "/xy/y1"));
    }

    @Test
    void aCommentIsDropped() {
        assertTrue(finds("^/a(?#the a)b$", "/ab"));
    }

    @Test
    void whatPcreRefusesIsNoRegex() {
        assertThrows(PatternSyntaxException.class, () -> NginxRegex.compile("(?<a>x)(?<a>y)", false));
        assertThrows(PatternSyntaxException.class, () -> NginxRegex.compile("(?<a>x)(?P=b)", false));
        assertThrows(PatternSyntaxException.class, () -> NginxRegex.compile("(?P<a-b>x)", false));
        assertThrows(PatternSyntaxException.class, () -> NginxRegex.compile("(?<a>x)(?P>a)", false));
        assertThrows(PatternSyntaxException.class, () -> NginxRegex.compile("(?<1a>x)", false));
        assertThrows(PatternSyntaxException.class, () -> NginxRegex.compile("(?<" + "n".repeat(33) + ">x)", false));
        assertTrue(finds("(?<" + "n".repeat(32) + ">x)", "x"));
        assertThrows(PatternSyntaxException.class, () -> NginxRegex.compile("^/h/(?#open", false));
    }
}
