package dev.sluice.internal.http;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * Incremental, strict parser of HTTP/1.1 request heads, one per client connection (not thread-safe). Feed it
 * buffers as bytes arrive; it answers {@link ParseResult#NEED_MORE}, {@link ParseResult#DONE} (the buffer's
 * position is then at the first body byte, or the next pipelined request) or {@link ParseResult#ERROR} (see
 * {@link #errorStatus()}).
 *
 * <p>It refuses with nginx's statuses whatever could let two hops disagree on where a request ends: Content-Length
 * with Transfer-Encoding, repeated (even equal) or malformed Content-Length, Transfer-Encoding in HTTP/1.0 or
 * without chunked as its final coding (400), other codings before chunked (501, nginx's "unknown
 * Transfer-Encoding"), bare LF, obs-fold, whitespace before a colon, control bytes in values, missing or repeated
 * Host (all 400). A request line over its limit is 414, a field line or head over its limit
 * {@link HttpStatus#HEADER_TOO_LARGE}; HTTP/2 and above 505. As nginx, it refuses {@code OPTIONS *} with 400 and
 * CONNECT with 405, and a path that climbs above the root or holds a broken %-escape with 400.
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

    private final RequestHead head = new RequestHead(new HttpFields());
    private final HeadReader reader;

    /** A parser with {@link HeadLimits#REQUEST_DEFAULT} (nginx's large_client_header_buffers 4 8k). */
    public RequestParser() {
        this(HeadLimits.REQUEST_DEFAULT);
    }

    /**
     * A parser with the given limits, e.g. {@code HeadLimits.of(4096, 8192, 16384)}, that drops fields nginx calls
     * invalid by default ({@code underscores_in_headers off}, {@code ignore_invalid_headers on}).
     */
    public RequestParser(HeadLimits limits) {
        this(limits, false, true);
    }

    /**
     * A parser with the given limits and nginx's rules for field names. A name of letters, digits and hyphens is
     * always valid, one with an underscore only when {@code underscoresInHeaders}; with {@code
     * ignoreInvalidHeaders} a field whose name is not valid is dropped as it is read, as if the client had not sent
     * it: not forwarded, not seen by {@code $http_} variables, not acting on framing. This is what keeps {@code
     * X_Forwarded_For} from reaching a server that maps {@code _} and {@code -} to the same variable (CGI, WSGI,
     * PHP). A name with a byte that is no token character at all is a 400 whatever the options.
     */
    public RequestParser(HeadLimits limits, boolean underscoresInHeaders, boolean ignoreInvalidHeaders) {
        this.reader = new HeadReader(Objects.requireNonNull(limits, "limits"), head,
                new RequestRules(head, underscoresInHeaders, ignoreInvalidHeaders));
    }

    /** Forgets the last request so the next {@link #parse} starts a new head. The old head becomes invalid. */
    public void reset() {
        reader.reset();
    }

    /**
     * Forgets the last request as {@link #reset} does and gives the memory its head was read into back to the
     * thread: the connection waits for its next request. The next {@link #parse} borrows it again.
     */
    public void release() {
        reader.release();
    }

    /**
     * Consumes head bytes from {@code in} (from its position to its limit). On {@code DONE} the position is just after
     * the head's final CRLF and the remaining bytes are left for the body or the next request; on {@code NEED_MORE}
     * every byte was consumed. After {@code ERROR} the position is unspecified and the connection must be closed.
     *
     * @throws IllegalStateException if the head is already complete and {@link #reset()} was not called
     */
    public ParseResult parse(ByteBuffer in) {
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
    public RequestHead head() {
        if (!reader.isDone()) {
            throw new IllegalStateException("no complete request head");
        }
        return head;
    }

    /** After {@code ERROR}: the status to answer (400, 405, 414, 431, 501 or 505); 0 otherwise. */
    public int errorStatus() {
        Violation v = reader.violation();
        return v == null ? 0 : v.status;
    }

    /** After {@code ERROR}: a short constant description for the error log; null otherwise. */
    public String errorReason() {
        Violation v = reader.violation();
        return v == null ? null : v.reason;
    }
}
