package dev.sluice.internal.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.internal.http.HeadLimits;
import dev.sluice.internal.http.ParseResult;
import dev.sluice.internal.http.RequestHead;
import dev.sluice.internal.http.RequestParser;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** A request body's framing checked with buffers alone: what is refused, with which status, and when it is done. */
class BodyFramingCheckTest {

    private static RequestHead head(String fields) {
        RequestParser parser = new RequestParser(HeadLimits.of(8192, 8192, 32768), false, true);
        ByteBuffer bytes = ascii("POST /x HTTP/1.1\r\nHost: h\r\n" + fields + "\r\n");
        assertEquals(ParseResult.DONE, parser.parse(bytes));
        return parser.head();
    }

    private static ByteBuffer ascii(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void aRequestWithoutABodyIsDoneAtOnce() {
        BodyFramingCheck check = new BodyFramingCheck(0);
        check.begin(head("Content-Length: 0\r\n"));
        assertTrue(check.done());
    }

    @Test
    void aLengthFramedBodyIsDoneAtItsLastByte() {
        BodyFramingCheck check = new BodyFramingCheck(0);
        check.begin(head("Content-Length: 5\r\n"));
        ByteBuffer in = ascii("hel");
        assertEquals(0, check.scan(in));
        assertFalse(check.done());
        assertEquals(0, check.scan(ascii("loNEXT")));
        assertTrue(check.done());
    }

    @Test
    void brokenChunkFramingIsRefusedWith400() {
        BodyFramingCheck check = new BodyFramingCheck(0);
        check.begin(head("Transfer-Encoding: chunked\r\n"));
        assertEquals(400, check.scan(ascii("zz\r\nhello\r\n")));
    }

    @Test
    void whatGoesToThePeerStopsBeforeAChunkedBodysTrailersWhereverTheReadsSplitThem() {
        BodyFramingCheck check = new BodyFramingCheck(0);
        check.begin(head("Transfer-Encoding: chunked\r\n"));
        ByteBuffer first = ascii("5;e=1\r\nhello\r\n0\r\nX-Real-");
        assertEquals(0, check.scan(first));
        assertEquals("5;e=1\r\nhello\r\n0\r\n".length(), check.forwardEnd());
        assertEquals(first.limit(), first.position(), "the trailer bytes are taken, not forwarded");
        ByteBuffer second = ascii("IP: 6.6.6.6\r\n\r\nNEXT");
        assertEquals(0, check.scan(second));
        assertEquals(0, check.forwardEnd());
        assertEquals("IP: 6.6.6.6\r\n\r\n".length(), second.position());
        assertTrue(check.done());
    }

    @Test
    void aLengthFramedBodyGoesToThePeerWhole() {
        BodyFramingCheck check = new BodyFramingCheck(0);
        check.begin(head("Content-Length: 5\r\n"));
        assertEquals(0, check.scan(ascii("helloNEXT")));
        assertEquals(5, check.forwardEnd());
    }

    @Test
    void trailersThatWouldOverrideTheHeadAreRefusedWith400() {
        BodyFramingCheck check = new BodyFramingCheck(0);
        check.begin(head("Transfer-Encoding: chunked\r\n"));
        assertEquals(400, check.scan(ascii("5\r\nhello\r\n0\r\nContent-Length: 99\r\n\r\n")));
        check.begin(head("Transfer-Encoding: chunked\r\n"));
        assertEquals(0, check.scan(ascii("5\r\nhello\r\n0\r\nX-Checksum: 1\r\n\r\n")));
        assertTrue(check.done());
    }

    @Test
    void aChunkedBodyBeyondClientMaxBodySizeIsRefusedWith413() {
        BodyFramingCheck check = new BodyFramingCheck(8);
        check.begin(head("Transfer-Encoding: chunked\r\n"));
        assertEquals(0, check.scan(ascii("5\r\nhello\r\n")));
        assertEquals(413, check.scan(ascii("5\r\nworld\r\n")));
    }

    @Test
    void tinyChunksCannotGrowTheFramingBeyondItsAllowance() {
        BodyFramingCheck check = new BodyFramingCheck(1 << 20);
        check.begin(head("Transfer-Encoding: chunked\r\n"));
        String ext = ";" + "e".repeat(1000);
        int status = 0;
        for (int i = 0; i < 2000 && status == 0; i++) {
            status = check.scan(ascii("1" + ext + "\r\nx\r\n"));
        }
        assertEquals(413, status, "1 MiB of chunk extensions around 1 KiB of payload");
    }
}
