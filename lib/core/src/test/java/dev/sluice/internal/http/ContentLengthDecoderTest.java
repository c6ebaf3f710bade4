package dev.sluice.internal.http;

import static dev.sluice.internal.http.Wire.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class ContentLengthDecoderTest {

    @Test
    void bodySpreadOverBuffersIsCountedDownToItsEnd() {
        ContentLengthDecoder decoder = new ContentLengthDecoder(8);
        ByteBuffer first = ByteBuffer.wrap(bytes("abcde"));

        assertEquals(ParseResult.DATA, decoder.decode(first));
        assertEquals(0, decoder.payloadStart());
        assertEquals(5, decoder.payloadLength());
        assertEquals(ParseResult.NEED_MORE, decoder.decode(first));
        assertEquals(3, decoder.remaining());
        assertFalse(decoder.isDone());

        ByteBuffer second = ByteBuffer.wrap(bytes("fghGET / HTTP/1.1"));
        assertEquals(ParseResult.DATA, decoder.decode(second));
        assertEquals(3, decoder.payloadLength());
        assertEquals(ParseResult.DONE, decoder.decode(second));
        assertEquals(3, second.position(), "bytes after the body are left for the next message");
        assertTrue(decoder.isDone());
    }

    @Test
    void emptyBodyIsDoneAtOnce() {
        ContentLengthDecoder decoder = new ContentLengthDecoder(0);
        ByteBuffer in = ByteBuffer.wrap(bytes("next"));

        assertEquals(ParseResult.DONE, decoder.decode(in));
        assertEquals(0, in.position());
    }

    @Test
    void scanStopsAtTheEndOfTheBody() {
        ContentLengthDecoder decoder = new ContentLengthDecoder();
        decoder.reset(4);
        ByteBuffer in = ByteBuffer.wrap(bytes("12"));

        assertEquals(ParseResult.NEED_MORE, decoder.scan(in));
        ByteBuffer rest = ByteBuffer.wrap(bytes("34extra"));
        assertEquals(ParseResult.DONE, decoder.scan(rest));
        assertEquals(2, rest.position());
    }

    @Test
    void bodiesLongerThanAnIntAreCounted() {
        ContentLengthDecoder decoder = new ContentLengthDecoder(5_000_000_000L);
        ByteBuffer in = ByteBuffer.allocate(1 << 16);

        assertEquals(ParseResult.DATA, decoder.decode(in));
        assertEquals(1 << 16, decoder.payloadLength());
        assertEquals(5_000_000_000L - (1 << 16), decoder.remaining());
    }

    @Test
    void negativeLengthIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> new ContentLengthDecoder(-1));
    }
}
