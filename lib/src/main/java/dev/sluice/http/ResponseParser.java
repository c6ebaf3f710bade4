package dev.sluice.http;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * Incremental, strict parser of upstream response heads, one per upstream connection. It applies the request
 * side's field strictness; anything it refuses — a malformed status line or field, a head beyond its limit,
 * Content-Length with Transfer-Encoding, a Transfer-Encoding other than {@code chunked} — is what nginx calls
 * "upstream sent invalid header": {@link #errorStatus()} is 502 and the attempt counts as
 * {@code invalid_header} for {@code proxy_next_upstream}.
 *
 * <p>Before each exchange call {@link #reset(boolean)} saying whether the request was HEAD, since that decides
 * whether a body follows. An interim response (1xx but 101) parses as a head of its own; call {@link #nextHead()}
 * to go on to the final response.
 */
public final class ResponseParser {

    private static final int STATUS_LINE = 0;
    private static final int FIELDS = 1;
    private static final int DONE = 2;
    private static final int ERROR = 3;

    private final HeadLimits limits;
    private final HeadScanner scanner;
    private final HttpFields fields = new HttpFields();
    private final ResponseHead head = new ResponseHead(fields);
    private boolean headRequest;
    private int state;
    private Violation violation;

    /** A parser with {@link HeadLimits#RESPONSE_DEFAULT} (nginx's proxy_buffer_size 4k). */
    public ResponseParser() {
        this(HeadLimits.RESPONSE_DEFAULT);
    }

    public ResponseParser(HeadLimits limits) {
        this.limits = Objects.requireNonNull(limits, "limits");
        this.scanner = new HeadScanner(limits.maxHead());
        reset(false);
    }

    /**
     * Prepares for the response to a new request. The previous head becomes invalid.
     *
     * @param headRequest whether the request was HEAD, whose response never has a body
     */
    public void reset(boolean headRequest) {
        this.headRequest = headRequest;
        clear();
    }

    /**
     * After an interim response, prepares for the next head of the same exchange.
     *
     * @throws IllegalStateException unless the last head parsed was interim
     */
    public void nextHead() {
        if (state != DONE || !head.isInterim()) {
            throw new IllegalStateException("no interim response to continue from");
        }
        clear();
    }

    private void clear() {
        scanner.reset(limits.maxStartLine());
        fields.clear();
        head.clear();
        state = STATUS_LINE;
        violation = null;
    }

    /**
     * Consumes head bytes from {@code in}. On {@code DONE} the position is just after the head; the body (or, after
     * an interim response, the next head) starts there. On {@code NEED_MORE} every byte was consumed.
     *
     * @throws IllegalStateException if a head is complete and neither reset nor nextHead was called
     */
    public ParseResult parse(ByteBuffer in) {
        if (state == DONE) {
            throw new IllegalStateException("response head already parsed; call reset() or nextHead() first");
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
                return fail(r == HeadScanner.BARE_LF ? Violation.BARE_LF : Violation.RESPONSE_HEAD_TOO_LARGE);
            }
            byte[] buf = scanner.buffer();
            int start = scanner.lineStart();
            int end = scanner.lineEnd();
            fields.bind(buf);
            head.bind(buf);
            Violation v;
            if (state == STATUS_LINE) {
                v = StatusLine.parse(buf, start, end, head);
                if (v == null) {
                    state = FIELDS;
                    scanner.lineLimit(limits.maxFieldLine());
                    continue;
                }
            } else if (start == end) {
                v = ResponseRules.complete(head, fields, headRequest);
                if (v == null) {
                    scanner.finish(in);
                    head.headLength = scanner.consumed();
                    state = DONE;
                    return ParseResult.DONE;
                }
            } else {
                v = FieldLine.parse(buf, start, end, fields);
                if (v == null) {
                    v = ResponseRules.field(head, fields, fields.size() - 1);
                }
            }
            if (v != null) {
                return fail(v);
            }
        }
    }

    private ParseResult fail(Violation v) {
        violation = v;
        state = ERROR;
        return ParseResult.ERROR;
    }

    /** Whether a complete head is available in {@link #head()}. */
    public boolean isDone() {
        return state == DONE;
    }

    /**
     * The parsed head.
     *
     * @throws IllegalStateException unless the last {@link #parse} returned {@code DONE}
     */
    public ResponseHead head() {
        if (state != DONE) {
            throw new IllegalStateException("no complete response head");
        }
        return head;
    }

    /** After {@code ERROR}: 502, nginx's status for an invalid upstream header; 0 otherwise. */
    public int errorStatus() {
        return violation == null ? 0 : HttpStatus.BAD_GATEWAY;
    }

    /** After {@code ERROR}: a short constant description for the error log; null otherwise. */
    public String errorReason() {
        return violation == null ? null : violation.reason;
    }
}
