package dev.sluice.internal.http;

import static dev.sluice.internal.http.FuzzChecks.check;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The request head parser on any bytes: it rejects them with a 4xx/5xx, waits for more, or parses exactly one head
 * whose re-serialisation parses to the same method, target, version and fields; it never reads past the head.
 * The first byte picks the header-name options ({@code underscores_in_headers}, {@code ignore_invalid_headers}).
 *
 * <p>The target of {@link RequestHeadFuzzTest} and of {@code benchmarks/fuzz/run.sh}, which runs it through Jazzer's own
 * entry point for as many executions as asked.
 */
final class RequestHeadFuzzer {

    private RequestHeadFuzzer() {
    }

    /** One input; a broken invariant throws. */
    public static void fuzzerTestOneInput(byte[] data) {
        if (data.length == 0) {
            return;
        }
        boolean underscores = (data[0] & 1) != 0;
        boolean ignoreInvalid = (data[0] & 2) != 0;
        RequestParser parser = parser(underscores, ignoreInvalid);
        ByteBuffer in = ByteBuffer.wrap(data, 1, data.length - 1);
        ParseResult result = parser.parse(in);
        if (result == ParseResult.ERROR) {
            check(parser.errorStatus() >= 400 && parser.errorStatus() < 600, "error status", parser.errorStatus());
            return;
        }
        if (result != ParseResult.DONE) {
            return;
        }
        RequestHead head = parser.head();
        check(in.position() - 1 == head.headLength(), "consumed exactly the head", head.headLength());
        byte[] wire = serialise(head);
        RequestParser again = parser(underscores, ignoreInvalid);
        ParseResult second = again.parse(ByteBuffer.wrap(wire));
        check(second == ParseResult.DONE, "the re-serialised head parses", new String(wire, StandardCharsets.ISO_8859_1));
        RequestHead copy = again.head();
        check(copy.method().equals(head.method()), "method", copy.method());
        check(copy.target().equals(head.target()), "target", copy.target());
        check(copy.version() == head.version(), "version", copy.version());
        check(copy.fields().size() == head.fields().size(), "field count", copy.fields());
        for (int i = 0; i < head.fields().size(); i++) {
            check(copy.fields().name(i).equals(head.fields().name(i)), "field name", copy.fields().name(i));
            check(copy.fields().value(i).equals(head.fields().value(i)), "field value", copy.fields().value(i));
        }
        check(copy.bodyFraming() == head.bodyFraming(), "framing", copy.bodyFraming());
        check(copy.contentLength() == head.contentLength(), "content length", copy.contentLength());
    }

    private static RequestParser parser(boolean underscores, boolean ignoreInvalid) {
        return new RequestParser(HeadLimits.of(8192, 8192, 32768), underscores, ignoreInvalid);
    }

    private static byte[] serialise(RequestHead head) {
        StringBuilder sb = new StringBuilder();
        sb.append(head.method()).append(' ').append(head.target()).append(' ').append(head.version().text())
                .append("\r\n");
        for (int i = 0; i < head.fields().size(); i++) {
            sb.append(head.fields().name(i)).append(": ").append(head.fields().value(i)).append("\r\n");
        }
        sb.append("\r\n");
        return sb.toString().getBytes(StandardCharsets.ISO_8859_1);
    }
}
