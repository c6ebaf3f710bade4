package dev.sluice.internal.http;

import java.nio.ByteBuffer;

/**
 * The loop both head parsers share: takes complete lines from a {@link HeadScanner}, hands the start line, each
 * field line and the final empty line to the direction's {@link Rules}, and keeps the parse state and the first
 * violation.
 */
final class HeadReader {

    /** What differs between a request head and a response head. */
    interface Rules {
        /** Whether empty lines before the start line are skipped (requests, RFC 9112 §2.2). */
        boolean skipsLeadingEmptyLines();

        /** Parses the start line; null if valid. */
        Violation startLine(byte[] buf, int start, int end);

        /** Acts on field {@code index}, just added to the fields; null if acceptable. */
        Violation field(int index);

        /** Checks the whole head once its final CRLF arrived; null if valid. */
        Violation complete();

        /** The violation for a start line, a field line (inStartLine false) or a head beyond its limit. */
        Violation tooLarge(int scannerResult, boolean inStartLine);
    }

    private static final int START_LINE = 0;
    private static final int FIELDS = 1;
    private static final int DONE = 2;
    private static final int ERROR = 3;

    private final HeadLimits limits;
    private final HeadScanner scanner;
    private final HttpFields fields;
    private final MessageHead head;
    private final Rules rules;
    private int state;
    private Violation violation;

    HeadReader(HeadLimits limits, MessageHead head, Rules rules) {
        this.limits = limits;
        this.scanner = new HeadScanner(limits.maxHead());
        this.fields = head.fields;
        this.head = head;
        this.rules = rules;
        reset();
    }

    void reset() {
        scanner.reset(limits.maxStartLine());
        fields.clear();
        head.clear();
        state = START_LINE;
        violation = null;
    }

    /** Resets, and gives the scanner's array back to the thread. */
    void release() {
        reset();
        scanner.release();
    }

    boolean isDone() {
        return state == DONE;
    }

    Violation violation() {
        return violation;
    }

    ParseResult parse(ByteBuffer in) {
        if (state == DONE) {
            throw new IllegalStateException("head already parsed; reset first");
        }
        if (state == ERROR) {
            return ParseResult.ERROR;
        }
        for (;;) {
            int r = scanner.next(in);
            if (r == HeadScanner.NEED_MORE) {
                return ParseResult.NEED_MORE;
            }
            if (r != HeadScanner.LINE) {
                return fail(r == HeadScanner.BARE_LF ? Violation.BARE_LF : rules.tooLarge(r, state == START_LINE));
            }
            byte[] buf = scanner.buffer();
            int start = scanner.lineStart();
            int end = scanner.lineEnd();
            fields.bind(buf);
            head.bind(buf);
            Violation v;
            if (state == START_LINE) {
                if (start == end && rules.skipsLeadingEmptyLines()) {
                    continue;
                }
                v = rules.startLine(buf, start, end);
                if (v == null) {
                    state = FIELDS;
                    scanner.lineLimit(limits.maxFieldLine());
                    continue;
                }
            } else if (start == end) {
                v = rules.complete();
                if (v == null) {
                    scanner.finish(in);
                    head.headLength = scanner.consumed();
                    state = DONE;
                    return ParseResult.DONE;
                }
            } else {
                v = FieldLine.parse(buf, start, end, fields);
                if (v == null) {
                    v = rules.field(fields.size() - 1);
                }
            }
            if (v != null) {
                return fail(v);
            }
        }
    }

    /** Ends the parse with {@code v}, for a check the direction's parser makes before the lines are complete. */
    ParseResult fail(Violation v) {
        violation = v;
        state = ERROR;
        return ParseResult.ERROR;
    }
}
