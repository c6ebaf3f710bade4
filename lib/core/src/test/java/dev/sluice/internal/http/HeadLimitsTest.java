package dev.sluice.internal.http;

import static dev.sluice.internal.http.Wire.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class HeadLimitsTest {

    @Test
    void defaultsAreNginxsBufferSizes() {
        assertEquals(8192, HeadLimits.REQUEST_DEFAULT.maxStartLine());
        assertEquals(8192, HeadLimits.REQUEST_DEFAULT.maxFieldLine());
        assertEquals(32768, HeadLimits.REQUEST_DEFAULT.maxHead());
        assertEquals(4096, HeadLimits.RESPONSE_DEFAULT.maxHead());
    }

    @Test
    void badLimitsNameTheOptionAndValue() {
        IllegalArgumentException tooSmall = assertThrows(IllegalArgumentException.class,
                () -> HeadLimits.of(15, 100, 100));
        assertTrue(tooSmall.getMessage().contains("maxStartLine") && tooSmall.getMessage().contains("15"));
        IllegalArgumentException overHead = assertThrows(IllegalArgumentException.class,
                () -> HeadLimits.of(100, 200, 100));
        assertTrue(overHead.getMessage().contains("maxFieldLine") && overHead.getMessage().contains("200"));
        assertThrows(IllegalArgumentException.class, () -> HeadLimits.of(16, 16, 8));
    }

    @Test
    void defaultRequestLineLimitIsEightKilobytes() {
        RequestParser parser = new RequestParser();
        String fits = "GET /" + "a".repeat(8192 - 16) + " HTTP/1.1\r\n";

        assertEquals(8192, fits.length());
        assertEquals(ParseResult.DONE, parser.parse(ByteBuffer.wrap(bytes(fits + "Host: a\r\n\r\n"))));
        parser.reset();
        assertEquals(ParseResult.ERROR,
                parser.parse(ByteBuffer.wrap(bytes(fits.replace("GET /", "GET /a") + "Host: a\r\n\r\n"))));
        assertEquals(414, parser.errorStatus());
    }

    @Test
    void defaultHeadLimitIsThirtyTwoKilobytes() {
        RequestParser parser = new RequestParser();
        String field = "X-Pad: " + "p".repeat(8000) + "\r\n";
        String start = "GET / HTTP/1.1\r\nHost: a\r\n";
        String head = start + field.repeat(4) + "\r\n";

        assertTrue(head.length() < 32768);
        assertEquals(ParseResult.DONE, parser.parse(ByteBuffer.wrap(bytes(head))));
        parser.reset();
        assertEquals(ParseResult.ERROR, parser.parse(ByteBuffer.wrap(bytes(start + field.repeat(5) + "\r\n"))));
        assertEquals(HttpStatus.HEADER_TOO_LARGE, parser.errorStatus());
    }
}
