package dev.sluice.http;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * Incremental, strict parser of HTTP/1.1 request heads, one per client connection. Feed it buffers as bytes arrive;
 * it answers {@link ParseResult#NEED_MORE}, {@link ParseResult#DONE} (the buffer's position is then at the first
 * body byte, or the next pipelined request) or {@link ParseResult#ERROR} (see {@link #errorStatus()}).
 *
 * <p>It refuses with nginx's statuses whatever could let two hops disagree on where a request ends: Content-Length
 * with Transfer-Encoding, repeated or malformed Content-Length, Transfer-Encoding other than {@code chunked}
 * (501, as nginx) or in HTTP/1.0, bare LF, obs-fold, whitespace before a colon, control bytes in values, missing or
 * repeated Host (all 400). A request line over its limit is 414, a field line or head over its limit
 * {@link HttpStatus#HEADER_TOO_LARGE}; HTTP/2 and above 505.
 *
 * <p>Allocation: the head is copied into one byte array kept across requests (grown up to the head limit), and
 * field offsets into an int array, also kept; a parse allocates nothing once those have reached their working size.
 *
 * <pre>{@code
 * RequestParser parser = new RequestParser();              // per connection
 * ParseResult r = parser.parse(readBuffer);
 * if (r == ParseResult.DONE) { RequestHead head = parser.head(); ... ; parser.reset(); }
 * else if (r == ParseResult.ERROR) { reply parser.errorStatus() and close }
 * }</pre>
 */
public final class RequestParser {

    private static final int REQUEST_LINE = 0;
    private static final int FIELDS = 1;
    private static final int DONE = 2;
    private static final int ERROR = 3;

    private final HeadLimits limits;
    private final HeadScanner scanner;
    private final HttpFields fields = new HttpFields();
    private final RequestHead head = new RequestHead(fields);
    private int state;
    private Violation violation;

    /** A parser with {@link HeadLimits#REQUEST_DEFAULT} (nginx's large_client_header_buffers 4 8k). */
    public RequestParser() {
        this(HeadLimits.REQUEST_DEFAULT);
    }

    public RequestParser(HeadLimits limits) {
        this.limits = Objects.requireNonNull(limits, "limits");
        this.scanner = new HeadScanner(limits.maxHead());
        reset();
    }

    /** Forgets the last request so the next {@link #parse} starts a new head. The old head becomes invalid. */
    public void reset() {
        scanner.reset(limits.maxStartLine());
        fields.clear();
        head.clear();
        state = REQUEST_LINE;
        violation = null;
    }

    /**
     * Consumes head bytes from {@code in} (from its position to its limit). On {@code DONE} the position is just after
     * the head's final CRLF and the remaining bytes are left for the body or the next request; on {@code NEED_MORE}
     * every byte was consumed. After {@code ERROR} the position is unspecified and the connection must be closed.
     *
     * @throws IllegalStateException if the head is already complete and {@link #reset()} was not called
     */
    public ParseResult parse(ByteBuffer in) {
        if (state == DONE) {
            throw new IllegalStateException("request head already parsed; call reset() first");
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
                return fail(scannerViolation(r));
            }
            byte[] buf = scanner.buffer();
            int start = scanner.lineStart();
            int end = scanner.lineEnd();
            fields.bind(buf);
            head.bind(buf);
            Violation v;
            if (state == REQUEST_LINE) {
                if (start == end) {
                    continue; // RFC 9112 §2.2: empty lines before the request line are ignored, as nginx does
                }
                v = RequestLine.parse(buf, start, end, head);
                if (v == null) {
                    state = FIELDS;
                    scanner.lineLimit(limits.maxFieldLine());
                    continue;
                }
            } else if (start == end) {
                v = RequestRules.complete(head, fields);
                if (v == null) {
                    scanner.finish(in);
                    head.headLength = scanner.consumed();
                    state = DONE;
                    return ParseResult.DONE;
                }
            } else {
                v = FieldLine.parse(buf, start, end, fields);
                if (v == null) {
                    v = RequestRules.field(head, fields, fields.size() - 1);
                }
            }
            if (v != null) {
                return fail(v);
            }
        }
    }

    private Violation scannerViolation(int r) {
        if (r == HeadScanner.BARE_LF) {
            return Violation.BARE_LF;
        }
        if (r == HeadScanner.LINE_TOO_LONG) {
            return state == REQUEST_LINE ? Violation.REQUEST_LINE_TOO_LONG : Violation.FIELD_LINE_TOO_LONG;
        }
        return Violation.HEAD_TOO_LARGE;
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
    public RequestHead head() {
        if (state != DONE) {
            throw new IllegalStateException("no complete request head");
        }
        return head;
    }

    /** After {@code ERROR}: the status to answer (400, 414, 431, 501 or 505); 0 otherwise. */
    public int errorStatus() {
        return violation == null ? 0 : violation.status;
    }

    /** After {@code ERROR}: a short constant description for the error log; null otherwise. */
    public String errorReason() {
        return violation == null ? null : violation.reason;
    }
}
