package dev.sluice.internal.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The text forms of a normalised path, and the bytes read back from the one a handler sees. */
class UriTextTest {

    private static final byte[] PATH = "/a b\r\n/caf\u00e9%?#".getBytes(StandardCharsets.UTF_8);

    @Test
    void aPathForAFieldValueEscapesControlsSpaceAndDelOnly() {
        StringBuilder out = new StringBuilder();
        UriText.appendPath(out, PATH, 0, PATH.length);
        assertEquals("/a%20b%0D%0A/caf\u00c3\u00a9%?#", out.toString());
    }

    @Test
    void aPathForARequestLineAlsoEscapesBytesBeyondAsciiAndPercentQuestionAndHash() {
        StringBuilder out = new StringBuilder();
        UriText.appendEscaped(out, PATH, 0, PATH.length);
        assertEquals("/a%20b%0D%0A/caf%C3%A9%25%3F%23", out.toString());
    }

    @Test
    void aPathForARequestLineEscapesWhatNginxEscapesAndNoMore() {
        byte[] path = "/a\"<>\\^`{|}b;@:,$&=+!*'()[]~_.-".getBytes(StandardCharsets.US_ASCII);
        StringBuilder out = new StringBuilder();
        UriText.appendEscaped(out, path, 0, path.length);
        assertEquals("/a%22%3C%3E%5C%5E%60%7B%7C%7Db;@:,$&=+!*'()[]~_.-", out.toString());
    }

    @Test
    void theBytesOfAPathComeBackFromItsFieldValueForm() {
        StringBuilder out = new StringBuilder();
        UriText.appendPath(out, PATH, 0, PATH.length);
        assertArrayEquals(PATH, UriText.pathBytes(out.toString()));
    }

    @Test
    void onlyTheEscapesOfControlsSpaceAndDelAreDecoded() {
        assertArrayEquals("/%2e%2e/x%41%".getBytes(StandardCharsets.ISO_8859_1), UriText.pathBytes("/%2e%2e/x%41%"));
        assertArrayEquals("/a\u007fb ".getBytes(StandardCharsets.ISO_8859_1), UriText.pathBytes("/a%7fb%20"));
    }

    @Test
    void aCharacterBeyondLatin1IsNoPathTheProxyWrote() {
        assertNull(UriText.pathBytes("/\u20ac"));
    }
}
