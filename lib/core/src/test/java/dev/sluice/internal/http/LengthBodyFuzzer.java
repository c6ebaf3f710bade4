package dev.sluice.internal.http;

import static dev.sluice.internal.http.FuzzChecks.check;

import java.nio.ByteBuffer;

/**
 * The Content-Length decoder on any length and bytes: it hands out exactly min(length, available) payload bytes,
 * ends exactly at the length, and leaves what follows the body in the buffer.
 *
 * <p>The target of {@link LengthBodyFuzzTest} and of {@code benchmarks/fuzz/run.sh}, which runs it through Jazzer's own
 * entry point for as many executions as asked.
 */
final class LengthBodyFuzzer {

    private LengthBodyFuzzer() {
    }

    /** One input; a broken invariant throws. */
    public static void fuzzerTestOneInput(byte[] data) {
        if (data.length < 2) {
            return;
        }
        long length = ((data[0] & 0xff) << 8 | (data[1] & 0xff)) % 4096;
        ContentLengthDecoder decoder = new ContentLengthDecoder(length);
        ByteBuffer in = ByteBuffer.wrap(data, 2, data.length - 2);
        long payload = 0;
        ParseResult r;
        while ((r = decoder.decode(in)) == ParseResult.DATA) {
            payload += decoder.payloadLength();
        }
        long available = data.length - 2;
        check(payload == Math.min(length, available), "payload bytes", payload + " of " + length);
        check(in.position() - 2 == payload, "consumed the payload and nothing more", in.position());
        check((r == ParseResult.DONE) == (length <= available), "done exactly at the length", r);
    }
}
