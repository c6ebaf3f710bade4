package dev.sluice.internal.http;

import static dev.sluice.internal.http.Wire.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class ChunkedDecoderTest {

    private final ChunkedDecoder decoder = new ChunkedDecoder();

    @Test
    void payloadIsReportedInPlaceAndTheEndIsExact() {
        String body = "5\r\nhello\r\n7\r\n, world\r\n0\r\n\r\n";
        ByteBuffer in = ByteBuffer.wrap(bytes(body + "GET / HTTP/1.1\r\n"));
        StringBuilder payload = new StringBuilder();

        ParseResult r;
        while ((r = decoder.decode(in)) == ParseResult.DATA) {
            assertTrue(decoder.payloadLength() > 0);
            payload.append(Wire.text(in, decoder.payloadStart(), decoder.payloadLength()));
        }

        assertEquals(ParseResult.DONE, r);
        assertEquals("hello, world", payload.toString());
        assertEquals(body.length(), in.position());
        assertEquals(body.length(), decoder.messageBytes());
        assertEquals(12, decoder.payloadBytes());
        assertTrue(decoder.isDone());
        assertEquals(0, decoder.trailers().size());
    }

    @Test
    void scanConsumesExactlyOneMessageForForwarding() {
        String body = "3\r\nabc\r\n0\r\nX-Checksum: 1\r\n\r\n";
        ByteBuffer in = ByteBuffer.wrap(bytes(body + "NEXT"));

        assertEquals(ParseResult.DONE, decoder.scan(in));
        assertEquals(body.length(), in.position());
        assertEquals(ParseResult.DONE, decoder.scan(in), "a finished body consumes nothing more");
        assertEquals(body.length(), in.position());
    }

    @Test
    void trailersAreParsedAndKept() {
        Wire.Outcome outcome = Wire.sameAtEverySplit(Wire.chunked(decoder),
                bytes("2\r\nok\r\n0\r\nX-Checksum:  abc \r\nExpires: never\r\n\r\n"));

        assertEquals(ParseResult.DONE, outcome.result());
        assertEquals(2, decoder.trailers().size());
        assertEquals("abc", decoder.trailers().get("x-checksum"));
        assertEquals("never", decoder.trailers().get("EXPIRES"));
    }

    @Test
    void hexSizesIgnoreCaseAndAllowLeadingZeros() {
        String a = "x".repeat(0xab);
        Wire.Outcome outcome = Wire.whole(Wire.chunked(decoder), bytes("aB\r\n" + a + "\r\n000\r\n\r\n"));

        assertEquals(ParseResult.DONE, outcome.result());
        assertEquals(0xab, decoder.payloadBytes());
        assertEquals(ParseResult.DONE, Wire.whole(Wire.chunked(decoder),
                bytes("00000000000000000000003\r\nabc\r\n0\r\n\r\n")).result());
    }

    @Test
    void largestChunkSizeIsAcceptedAndWaitsForData() {
        ByteBuffer in = ByteBuffer.wrap(bytes("7fffffffffffffff\r\nabc"));

        assertEquals(ParseResult.DATA, decoder.decode(in));
        assertEquals(3, decoder.payloadLength());
        assertEquals(ParseResult.NEED_MORE, decoder.decode(in));
        assertFalse(decoder.isDone());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "5;name\r\n",
        "5;name=value\r\n",
        "5;a=1;b;c=\"quoted; \\\"x\\\" \"\r\n",
        "5 ;a\r\n",
        "5\t; a = b ;c\r\n",
        "5;a=\"\"\r\n",
        "5;a=\"x\" ;b\r\n",
    })
    void chunkExtensionsAreCheckedAndSkipped(String sizeLine) {
        Wire.Outcome outcome = Wire.sameAtEverySplit(Wire.chunked(decoder),
                bytes(sizeLine + "hello\r\n0;last=yes\r\n\r\n"));

        assertEquals(ParseResult.DONE, outcome.result(), () -> outcome.head());
        assertTrue(outcome.head().startsWith("hello|"));
    }

    static Stream<Arguments> malformedBodies() {
        return Stream.of(
                malformed("0x5\r\nhello\r\n0\r\n\r\n", "invalid chunk size"),
                malformed("5 \r\nhello\r\n0\r\n\r\n", "invalid chunk size"),
                malformed("5\t\r\nhello\r\n0\r\n\r\n", "invalid chunk size"),
                malformed(" 5\r\nhello\r\n0\r\n\r\n", "invalid chunk size"),
                malformed("-1\r\nhello\r\n0\r\n\r\n", "invalid chunk size"),
                malformed("+5\r\nhello\r\n0\r\n\r\n", "invalid chunk size"),
                malformed("\r\nhello\r\n0\r\n\r\n", "invalid chunk size"),
                malformed("g\r\n", "invalid chunk size"),
                malformed("5g\r\n", "invalid chunk size"),
                malformed("8000000000000000\r\n", "chunk size exceeds 63 bits"),
                malformed("ffffffffffffffff\r\n", "chunk size exceeds 63 bits"),
                malformed("10000000000000005\r\nhello\r\n", "chunk size exceeds 63 bits"),
                malformed("5\nhello\r\n0\r\n\r\n", "line ends in LF without CR"),
                malformed("5\rhello\r\n0\r\n\r\n", "CR not followed by LF"),
                malformed("5\r\nhelloX\r\n0\r\n\r\n", "chunk data not followed by CRLF"),
                malformed("5\r\nhello\n0\r\n\r\n", "chunk data not followed by CRLF"),
                malformed("5\r\nhello\rX0\r\n\r\n", "chunk data not followed by CRLF"),
                malformed("5\r\nhello0\r\n\r\n", "chunk data not followed by CRLF"),
                malformed("5\r\nhello\r\n0\r\n\n", "line ends in LF without CR"),
                malformed("5\r\nhello\r\n0\n\r\n", "line ends in LF without CR"),
                malformed("5\r\nhello\r\n0\r\n\rX", "CR not followed by LF"),
                malformed("5;\r\nhello\r\n0\r\n\r\n", "invalid chunk extension"),
                malformed("5;=v\r\nhello\r\n0\r\n\r\n", "invalid chunk extension"),
                malformed("5;a=\r\nhello\r\n0\r\n\r\n", "invalid chunk extension"),
                malformed("5;a b\r\nhello\r\n0\r\n\r\n", "invalid chunk extension"),
                malformed("5;a=b c\r\nhello\r\n0\r\n\r\n", "invalid chunk extension"),
                malformed("5;a=b \r\nhello\r\n0\r\n\r\n", "invalid chunk extension"),
                malformed("5;a=\"b\r\nhello\r\n0\r\n\r\n", "invalid chunk extension"),
                malformed("5;a=\"b\"c\r\nhello\r\n0\r\n\r\n", "invalid chunk extension"),
                malformed("5;a\u0000\r\nhello\r\n0\r\n\r\n", "invalid chunk extension"),
                malformed("5;a\nhello\r\n0\r\n\r\n", "line ends in LF without CR"),
                malformed("5;a=\"b\nc\"\r\nhello\r\n0\r\n\r\n", "invalid chunk extension"),
                malformed("0\r\nX-A: b\r\n c\r\n\r\n", "obsolete line folding"),
                malformed("0\r\n X-A: b\r\n\r\n", "obsolete line folding"),
                malformed("0\r\nX-A: b\u0000\r\n\r\n", "forbidden byte in field value"),
                malformed("0\r\nX-A : b\r\n\r\n", "whitespace between field name and colon"),
                malformed("0\r\nX-A b\r\n\r\n", "whitespace between field name and colon"),
                malformed("0\r\nX-A\r\n\r\n", "field line without colon"),
                malformed("0\r\nX-A: b\n\r\n", "line ends in LF without CR"),
                malformed("0\r\nX-A: b\rc\r\n\r\n", "CR not followed by LF"));
    }

    private static Arguments malformed(String body, String reason) {
        return Arguments.of(body, reason);
    }

    @ParameterizedTest
    @MethodSource("malformedBodies")
    void malformedChunkedBodyIsRefused(String body, String reason) {
        Wire.Outcome outcome = Wire.sameAtEverySplit(Wire.chunked(decoder), bytes(body));

        assertEquals(ParseResult.ERROR, outcome.result(), body);
        assertEquals(reason, outcome.head(), body);
        assertEquals(ParseResult.ERROR, Wire.sameAtEverySplit(Wire.chunkedScan(decoder), bytes(body)).result());
    }

    @Test
    void everySplitOfAValidBodyDecodesAlike() {
        for (String body : List.of(
                "5\r\nhello\r\n0\r\n\r\n",
                "1\r\na\r\n2;x=y\r\nbc\r\nA\r\n0123456789\r\n0\r\nT: 1\r\nU: 2\r\n\r\n",
                "0\r\n\r\n")) {
            Wire.Outcome outcome = Wire.sameAtEverySplit(Wire.chunked(decoder), bytes(body + "next"));
            assertEquals(ParseResult.DONE, outcome.result(), body);
            assertEquals(body.length(), outcome.consumed(), body);
            Wire.Outcome scanned = Wire.sameAtEverySplit(Wire.chunkedScan(decoder), bytes(body + "next"));
            assertEquals("done " + body.length(), scanned.head());
        }
    }

    @Test
    void chunkSizeLineBeyondItsLimitIsRefused() {
        ChunkedDecoder limited = new ChunkedDecoder(32, 64);
        String fits = "5;e=" + "x".repeat(32 - 4 - 2) + "\r\n";
        String over = "5;e=" + "x".repeat(32 - 4 - 1) + "\r\n";

        assertEquals(ParseResult.DONE,
                Wire.sameAtEverySplit(Wire.chunked(limited), bytes(fits + "hello\r\n0\r\n\r\n")).result());
        Wire.Outcome outcome = Wire.sameAtEverySplit(Wire.chunked(limited), bytes(over + "hello\r\n0\r\n\r\n"));
        assertEquals("chunk size line too long", outcome.head());
    }

    @Test
    void endlessLeadingZerosHitTheLineLimit() {
        assertEquals(ParseResult.ERROR, decoder.decode(ByteBuffer.wrap(bytes("0".repeat(10_000)))));
        assertEquals("chunk size line too long", decoder.errorReason());
    }

    @Test
    void trailerSectionBeyondItsLimitIsRefused() {
        ChunkedDecoder limited = new ChunkedDecoder(32, 32);
        String fits = "X-A: " + "v".repeat(32 - 5 - 2 - 2) + "\r\n\r\n";
        String over = "X-A: " + "v".repeat(32 - 5 - 2 - 2 + 1) + "\r\n\r\n";

        assertEquals(ParseResult.DONE, Wire.sameAtEverySplit(Wire.chunked(limited), bytes("0\r\n" + fits)).result());
        assertEquals("trailer section too large",
                Wire.sameAtEverySplit(Wire.chunked(limited), bytes("0\r\n" + over)).head());
    }

    @Test
    void resetStartsANewBodyAndForgetsTrailers() {
        Wire.whole(Wire.chunked(decoder), bytes("0\r\nA: 1\r\n\r\n"));
        decoder.reset();

        ByteBuffer in = ByteBuffer.wrap(bytes("1\r\nz\r\n0\r\n\r\n"));
        assertEquals(ParseResult.DONE, decoder.scan(in));
        assertEquals(0, decoder.trailers().size());
        assertEquals(1, decoder.payloadBytes());
    }

    @Test
    void errorIsStickyUntilReset() {
        assertEquals(ParseResult.ERROR, decoder.decode(ByteBuffer.wrap(bytes("z"))));
        assertEquals(ParseResult.ERROR, decoder.decode(ByteBuffer.wrap(bytes("0\r\n\r\n"))));
        decoder.reset();
        assertEquals(ParseResult.DONE, decoder.decode(ByteBuffer.wrap(bytes("0\r\n\r\n"))));
    }

    @Test
    void directBuffersDecodeLikeHeapBuffers() {
        byte[] raw = bytes("4\r\nwxyz\r\n0\r\n\r\n");
        ByteBuffer in = ByteBuffer.allocateDirect(raw.length).put(raw).flip();

        assertEquals(ParseResult.DATA, decoder.decode(in));
        assertEquals(3, decoder.payloadStart());
        assertEquals(4, decoder.payloadLength());
        assertEquals(ParseResult.DONE, decoder.decode(in));
        assertEquals(raw.length, in.position());
    }

    @Test
    void limitsBelowSixteenBytesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new ChunkedDecoder(15, 100));
        assertThrows(IllegalArgumentException.class, () -> new ChunkedDecoder(100, 15));
    }
}
