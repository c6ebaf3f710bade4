package dev.sluice.internal.http;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * Incremental, strict parser of upstream response heads, one per upstream connection (not thread-safe). It applies
 * the request side's field strictness; anything it refuses — a malformed status line or field, a head beyond its
 * limit, Content-Length with Transfer-Encoding, a Transfer-Encoding other than {@code chunked} — is what nginx
 * calls "upstream sent invalid header": {@link #errorStatus()} is 502 and the attempt counts as
 * {@code invalid_header} for {@code proxy_next_upstream}.
 *
 * <p>Before each exchange call {@link #reset(boolean)} saying whether the request was HEAD, since that decides
 * whether a body follows. An interim response (1xx but 101) parses as a head of its own; call {@link #nextHead()}
 * to go on to the final response.
 */
public final class ResponseParser {

    private static final byte[] HTTP_1 = {'H', 'T', 'T', 'P', '/', '1', '.'};

    private final ResponseHead head = new ResponseHead(new HttpFields());
    private final ResponseRules rules = new ResponseRules(head);
    private final HeadReader reader;
    /** How many bytes of the status line's fixed {@code HTTP/1.} prefix were checked. */
    private int prefixChecked;

    /** A parser with {@link HeadLimits#RESPONSE_DEFAULT} (nginx's proxy_buffer_size 4k). */
    public ResponseParser() {
        this(HeadLimits.RESPONSE_DEFAULT);
    }

    /** A parser with the given limits; nginx users raise {@code proxy_buffer_size} the same way. */
    public ResponseParser(HeadLimits limits) {
        this.reader = new HeadReader(Objects.requireNonNull(limits, "limits"), head, rules);
    }

    /**
     * Prepares for the response to a new request. The previous head becomes invalid.
     *
     * @param headRequest whether the request was HEAD, whose response never has a body
     */
    public void reset(boolean headRequest) {
        rules.headRequest(headRequest);
        reader.reset();
        prefixChecked = 0;
    }

    /**
     * Forgets the last head and gives the memory it was read into back to the thread: the exchange is over. Call
     * {@link #reset(boolean)} before the next response.
     */
    public void release() {
        reader.release();
    }

    /**
     * After an interim response, prepares for the next head of the same exchange.
     *
     * @throws IllegalStateException unless the last head parsed was interim
     */
    public void nextHead() {
        if (!reader.isDone() || !head.isInterim()) {
            throw new IllegalStateException("no interim response to continue from");
        }
        reader.reset();
        prefixChecked = 0;
    }

    /**
     * Consumes head bytes from {@code in}. On {@code DONE} the position is just after the head; the body (or, after
     * an interim response, the next head) starts there. On {@code NEED_MORE} every byte was consumed.
     *
     * <p>A head whose first bytes are not {@code HTTP/1.} is refused as soon as they arrive, as nginx's status line
     * parser refuses it at the first wrong byte: a peer that does not speak HTTP is an invalid header at once, not a
     * read timeout or a premature close while the proxy waits for a line end.
     *
     * @throws IllegalStateException if a head is complete and neither reset nor nextHead was called
     */
    public ParseResult parse(ByteBuffer in) {
        if (prefixChecked < HTTP_1.length && reader.violation() == null && !reader.isDone()) {
            for (int at = in.position(); prefixChecked < HTTP_1.length && at < in.limit(); at++) {
                if (in.get(at) != HTTP_1[prefixChecked++]) {
                    return reader.fail(Violation.MALFORMED_STATUS_LINE);
                }
            }
        }
        return reader.parse(in);
    }

    /** Whether a complete head is available in {@link #head()}. */
    public boolean isDone() {
        return reader.isDone();
    }

    /**
     * The parsed head.
     *
     * @throws IllegalStateException unless the last {@link #parse} returned {@code DONE}
     */
    public ResponseHead head() {
        if (!reader.isDone()) {
            throw new IllegalStateException("no complete response head");
        }
        return head;
    }

    /** After {@code ERROR}: 502, nginx's status for an invalid upstream header; 0 otherwise. */
    public int errorStatus() {
        return reader.violation() == null ? 0 : HttpStatus.BAD_GATEWAY;
    }

    /** After {@code ERROR}: a short constant description for the error log; null otherwise. */
    public String errorReason() {
        Violation v = reader.violation();
        return v == null ? null : v.reason;
    }
}
