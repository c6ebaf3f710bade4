package dev.sluice.internal.http;

import static dev.sluice.internal.http.FuzzChecks.check;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;

/**
 * The chunked decoder on any bytes: decoding them in one piece and in two pieces split anywhere gives the same
 * payload and the same end; it consumes nothing past the end of the body (what follows stays for the next
 * message), and its counts agree with what it consumed.
 *
 * <p>The target of {@link ChunkedBodyFuzzTest} and of {@code benchmarks/fuzz/run.sh}, which runs it through Jazzer's own
 * entry point for as many executions as asked.
 */
final class ChunkedBodyFuzzer {

    private ChunkedBodyFuzzer() {
    }

    /** One input; a broken invariant throws. */
    public static void fuzzerTestOneInput(byte[] data) {
        if (data.length == 0) {
            return;
        }
        int split = 1 + (data[0] & 0xff) % data.length;
        Decoded whole = decode(data, new int[] {1, data.length});
        Decoded pieces = decode(data, new int[] {1, split, data.length});
        check(whole.result == pieces.result, "the same end in two pieces", whole.result + " / " + pieces.result);
        if (whole.result != ParseResult.ERROR) {
            check(whole.payload.equals(pieces.payload), "the same payload in two pieces", pieces.payload);
            check(whole.consumed == pieces.consumed, "the same bytes consumed", whole.consumed + " / " + pieces.consumed);
        }
        if (whole.result == ParseResult.DONE) {
            check(whole.consumed == whole.messageBytes, "messageBytes counts what was consumed", whole.messageBytes);
            check(whole.payload.length() == whole.payloadBytes, "payloadBytes counts the payload", whole.payloadBytes);
        }
    }

    private static final class Decoded {
        ParseResult result = ParseResult.NEED_MORE;
        String payload;
        int consumed;
        long messageBytes;
        long payloadBytes;
    }

    /** Decodes {@code data} fed in the pieces that {@code bounds} delimit, stopping at DONE or ERROR. */
    private static Decoded decode(byte[] data, int[] bounds) {
        ChunkedDecoder decoder = new ChunkedDecoder(256, 1024);
        ByteArrayOutputStream payload = new ByteArrayOutputStream();
        Decoded d = new Decoded();
        int position = bounds[0];
        for (int piece = 1; piece < bounds.length && d.result == ParseResult.NEED_MORE; piece++) {
            ByteBuffer in = ByteBuffer.wrap(data, position, bounds[piece] - position);
            ParseResult r;
            while ((r = decoder.decode(in)) == ParseResult.DATA) {
                check(decoder.payloadStart() >= position && decoder.payloadStart() + decoder.payloadLength() <= in.position(),
                        "the payload lies in what was consumed", decoder.payloadStart());
                payload.write(data, decoder.payloadStart(), decoder.payloadLength());
            }
            check(in.position() <= in.limit(), "never past the input", in.position());
            position = in.position();
            d.result = r;
        }
        d.payload = payload.toString(java.nio.charset.StandardCharsets.ISO_8859_1);
        d.consumed = position - bounds[0];
        d.messageBytes = decoder.messageBytes();
        d.payloadBytes = decoder.payloadBytes();
        return d;
    }
}
