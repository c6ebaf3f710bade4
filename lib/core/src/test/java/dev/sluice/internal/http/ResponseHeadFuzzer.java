package dev.sluice.internal.http;

import static dev.sluice.internal.http.FuzzChecks.check;

import java.nio.ByteBuffer;

/**
 * The response head parser on any bytes: rejected with a defined status, or one head whose status is three digits,
 * read to its end and no further; fed in two pieces split anywhere, it reaches the same result.
 *
 * <p>The target of {@link ResponseHeadFuzzTest} and of {@code benchmarks/fuzz/run.sh}, which runs it through Jazzer's own
 * entry point for as many executions as asked.
 */
final class ResponseHeadFuzzer {

    private ResponseHeadFuzzer() {
    }

    /** One input; a broken invariant throws. */
    public static void fuzzerTestOneInput(byte[] data) {
        if (data.length == 0) {
            return;
        }
        int split = (data[0] & 0xff) % data.length;
        ResponseParser whole = parser();
        ByteBuffer in = ByteBuffer.wrap(data, 1, data.length - 1);
        ParseResult result = whole.parse(in);
        if (result == ParseResult.ERROR) {
            check(whole.errorStatus() >= 400 && whole.errorStatus() < 600, "error status", whole.errorStatus());
        }
        if (result == ParseResult.DONE) {
            ResponseHead head = whole.head();
            check(head.status() >= 100 && head.status() <= 999, "status", head.status());
            check(in.position() - 1 == head.headLength(), "consumed exactly the head", head.headLength());
        }
        ResponseParser pieces = parser();
        ByteBuffer first = ByteBuffer.wrap(data, 1, Math.max(0, split - 1));
        ParseResult r = pieces.parse(first);
        if (r == ParseResult.NEED_MORE) {
            ByteBuffer rest = ByteBuffer.wrap(data, 1, data.length - 1);
            rest.position(first.position());
            r = pieces.parse(rest);
        }
        check(r == result, "the same result in two pieces", r + " / " + result);
        if (r == ParseResult.DONE) {
            check(pieces.head().status() == whole.head().status(), "the same status", pieces.head().status());
            check(pieces.head().fields().size() == whole.head().fields().size(), "the same fields",
                    pieces.head().fields());
        }
    }

    private static ResponseParser parser() {
        ResponseParser parser = new ResponseParser(HeadLimits.of(4096, 4096, 4096));
        parser.reset(false);
        return parser;
    }
}
