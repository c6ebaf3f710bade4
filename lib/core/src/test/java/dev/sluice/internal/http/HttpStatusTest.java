package dev.sluice.internal.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class HttpStatusTest {

    @Test
    void headerTooLargeIsRfc6585s431() {
        assertEquals(431, HttpStatus.HEADER_TOO_LARGE);
        assertEquals("Request Header Fields Too Large", HttpStatus.reasonPhrase(HttpStatus.HEADER_TOO_LARGE));
    }

    @Test
    void reasonPhrasesComeFromRfc9110() {
        assertEquals("Bad Gateway", HttpStatus.reasonPhrase(502));
        assertEquals("Gateway Timeout", HttpStatus.reasonPhrase(504));
        assertEquals("URI Too Long", HttpStatus.reasonPhrase(414));
        assertEquals("Content Too Large", HttpStatus.reasonPhrase(413));
        assertEquals("", HttpStatus.reasonPhrase(299));
    }
}
