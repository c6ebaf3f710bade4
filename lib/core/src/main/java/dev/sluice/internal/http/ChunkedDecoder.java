package dev.sluice.internal.http;

import java.nio.ByteBuffer;

/**
 * Incremental decoder of the chunked transfer coding (RFC 9112 §7.1) that reports payload runs in place and stops
 * exactly after the message's final CRLF, so the proxy can relay the coded stream intact ({@link #scan}) or take
 * its payload ({@link #decode}) — see {@link BodyDecoder}. One per connection, reused through {@link #reset()}; not
 * thread-safe.
 *
 * <p>It follows nginx's {@code ngx_http_parse_chunked()} and is stricter where a lenient reading could differ from
 * a peer's: a chunk size is hex digits worth at most 63 bits, whitespace is allowed only before an extension,
 * extensions ({@code ;name=value}) are checked and skipped, every line ends in CRLF, chunk data must be followed by
 * CRLF, and trailer fields follow the head's field rules and are kept in {@link #trailers()}. The chunk-size line
 * and the trailer section have size limits, since a proxy relays them. A violation is nginx's 400 ("client sent
 * invalid chunked body") from a client and 502 from an upstream.
 */
public final class ChunkedDecoder implements BodyDecoder {

    /** Default longest chunk-size line, extensions and CRLF included. */
    public static final int DEFAULT_MAX_LINE = 4096;
    /** Default largest trailer section, final CRLF included. */
    public static final int DEFAULT_MAX_TRAILERS = 8192;

    private static final int SIZE_LINE = 0;
    private static final int DATA = 1;
    private static final int DATA_CR = 2;
    private static final int DATA_LF = 3;
    private static final int TRAILERS = 4;
    private static final int DONE = 5;
    private static final int ERROR = 6;

    private final ChunkSizeLine sizeLine;
    private final TrailerSection trailers;
    private int state;
    private long chunkRemaining;
    private int payloadStart;
    private int payloadLength;
    private long payloadTotal;
    private long consumedTotal;
    /** Where in the buffer being decoded the trailer section began; -1 until the last chunk's size line ended. */
    private int trailersStart;
    private Violation violation;

    /** A decoder with {@link #DEFAULT_MAX_LINE} and {@link #DEFAULT_MAX_TRAILERS}. */
    public ChunkedDecoder() {
        this(DEFAULT_MAX_LINE, DEFAULT_MAX_TRAILERS);
    }

    /**
     * @param maxLine longest chunk-size line, extensions and CRLF included (at least 16)
     * @param maxTrailers largest trailer section, final CRLF included (at least 16)
     * @throws IllegalArgumentException naming the option when a limit is below 16
     */
    public ChunkedDecoder(int maxLine, int maxTrailers) {
        if (maxLine < 16) {
            throw new IllegalArgumentException("maxLine must be at least 16: " + maxLine);
        }
        if (maxTrailers < 16) {
            throw new IllegalArgumentException("maxTrailers must be at least 16: " + maxTrailers);
        }
        this.sizeLine = new ChunkSizeLine(maxLine);
        this.trailers = new TrailerSection(maxTrailers);
        reset();
    }

    /** Starts a new body; the previous trailers become invalid. */
    public void reset() {
        sizeLine.reset();
        trailers.reset();
        state = SIZE_LINE;
        chunkRemaining = 0;
        payloadLength = 0;
        payloadTotal = 0;
        consumedTotal = 0;
        trailersStart = -1;
        violation = null;
    }

    @Override
    public ParseResult decode(ByteBuffer in) {
        payloadLength = 0;
        if (state == DONE) {
            return ParseResult.DONE;
        }
        if (state == ERROR) {
            return ParseResult.ERROR;
        }
        int start = in.position();
        int limit = in.limit();
        int pos = start;
        while (pos < limit) {
            if (state == DATA) {
                int n = (int) Math.min(chunkRemaining, limit - pos);
                payloadStart = pos;
                payloadLength = n;
                payloadTotal += n;
                chunkRemaining -= n;
                if (chunkRemaining == 0) {
                    state = DATA_CR;
                }
                return stop(in, start, pos + n, ParseResult.DATA);
            }
            byte b = in.get(pos++);
            switch (state) {
                case SIZE_LINE: {
                    int step = sizeLine.accept(b);
                    if (step == ByteStep.BAD) {
                        return fail(in, start, pos - 1, sizeLine.violation());
                    }
                    if (step == ByteStep.END) {
                        chunkRemaining = sizeLine.size();
                        state = chunkRemaining == 0 ? TRAILERS : DATA;
                        if (state == TRAILERS) {
                            trailersStart = pos;
                        }
                    }
                    break;
                }
                case DATA_CR:
                    if (b != Ascii.CR) {
                        return fail(in, start, pos - 1, Violation.MISSING_CRLF_AFTER_DATA);
                    }
                    state = DATA_LF;
                    break;
                case DATA_LF:
                    if (b != Ascii.LF) {
                        return fail(in, start, pos - 1, Violation.MISSING_CRLF_AFTER_DATA);
                    }
                    sizeLine.reset();
                    state = SIZE_LINE;
                    break;
                case TRAILERS: {
                    int step = trailers.accept(b);
                    if (step == ByteStep.BAD) {
                        return fail(in, start, pos - 1, trailers.violation());
                    }
                    if (step == ByteStep.END) {
                        state = DONE;
                        return stop(in, start, pos, ParseResult.DONE);
                    }
                    break;
                }
                default:
                    throw new IllegalStateException("state " + state);
            }
        }
        return stop(in, start, pos, ParseResult.NEED_MORE);
    }

    private ParseResult stop(ByteBuffer in, int start, int pos, ParseResult result) {
        in.position(pos);
        consumedTotal += pos - start;
        return result;
    }

    private ParseResult fail(ByteBuffer in, int start, int pos, Violation v) {
        violation = v;
        state = ERROR;
        return stop(in, start, pos, ParseResult.ERROR);
    }

    @Override
    public int payloadStart() {
        return payloadStart;
    }

    @Override
    public int payloadLength() {
        return payloadLength;
    }

    @Override
    public boolean isDone() {
        return state == DONE;
    }

    /** The trailer fields, once {@link #isDone()}; empty when the body had none. Valid until {@link #reset()}. */
    public HttpFields trailers() {
        return trailers.fields();
    }

    /**
     * The index, in the buffer whose decoding reached it, of the trailer section's first byte (just after the last
     * chunk's size line); -1 before that. A proxy that forwards the chunks without the trailers stops there.
     */
    public int trailersStart() {
        return trailersStart;
    }

    /** Payload bytes decoded so far, framing excluded. */
    public long payloadBytes() {
        return payloadTotal;
    }

    /** Bytes of the coded message consumed so far, framing included; after {@code DONE}, its exact length. */
    public long messageBytes() {
        return consumedTotal;
    }

    /** After {@code ERROR}: a short constant description for the error log; null otherwise. */
    public String errorReason() {
        return violation == null ? null : violation.reason;
    }
}
