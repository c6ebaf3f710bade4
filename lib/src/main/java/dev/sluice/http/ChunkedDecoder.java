package dev.sluice.http;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Incremental decoder of the chunked transfer coding (RFC 9112 §7.1) that reports payload runs in place and stops
 * exactly after the message's final CRLF, so the proxy can relay the coded stream intact ({@link #scan}) or take
 * its payload ({@link #decode}) — see {@link BodyDecoder}.
 *
 * <p>Stricter than nginx's {@code ngx_http_parse_chunked()}, which it otherwise follows: a chunk size is 1 to 16
 * hex digits' worth of at most 63 bits with nothing but an extension after it (nginx also takes whitespace);
 * extensions ({@code ;name=value}, value a token or quoted string) are checked and skipped; every line must end in
 * CRLF; chunk data must be followed by CRLF; trailer fields follow the head's field rules and are kept in
 * {@link #trailers()}. The chunk-size line and the trailer section have size limits, since a proxy relays them.
 * Any violation is 400 from a client and 502 from an upstream.
 */
public final class ChunkedDecoder implements BodyDecoder {

    /** Default longest chunk-size line, extensions and CRLF included. */
    public static final int DEFAULT_MAX_LINE = 4096;
    /** Default largest trailer section, final CRLF included. */
    public static final int DEFAULT_MAX_TRAILERS = 8192;

    private static final int SIZE_START = 0;
    private static final int SIZE = 1;
    private static final int SIZE_WS = 2;
    private static final int EXT_NAME_START = 3;
    private static final int EXT_NAME = 4;
    private static final int EXT_NAME_WS = 5;
    private static final int EXT_VALUE_START = 6;
    private static final int EXT_TOKEN = 7;
    private static final int EXT_QUOTED = 8;
    private static final int EXT_QUOTED_PAIR = 9;
    private static final int EXT_QUOTED_END = 10;
    private static final int EXT_VALUE_WS = 11;
    /** The last state of a chunk-size line: states up to here count towards maxLine. */
    private static final int SIZE_LF = 12;
    private static final int DATA = 13;
    private static final int DATA_CR = 14;
    private static final int DATA_LF = 15;
    private static final int TRAILER_START = 16;
    private static final int TRAILER_LINE = 17;
    private static final int TRAILER_LF = 18;
    private static final int LAST_LF = 19;
    private static final int DONE = 20;
    private static final int ERROR = 21;

    private final int maxLine;
    private final int maxTrailers;
    private final HttpFields trailers = new HttpFields();
    private byte[] trailerBuf;
    private int trailerLength;
    private int trailerLineStart;
    private int trailerBytes;

    private int state;
    private long chunkRemaining;
    private int lineLength;
    private int payloadStart;
    private int payloadLength;
    private long payloadTotal;
    private long consumedTotal;
    private Violation violation;

    /** A decoder with {@link #DEFAULT_MAX_LINE} and {@link #DEFAULT_MAX_TRAILERS}. */
    public ChunkedDecoder() {
        this(DEFAULT_MAX_LINE, DEFAULT_MAX_TRAILERS);
    }

    /**
     * @param maxLine longest chunk-size line, extensions and CRLF included (at least 16)
     * @param maxTrailers largest trailer section, final CRLF included (at least 16)
     */
    public ChunkedDecoder(int maxLine, int maxTrailers) {
        if (maxLine < 16) {
            throw new IllegalArgumentException("maxLine must be at least 16: " + maxLine);
        }
        if (maxTrailers < 16) {
            throw new IllegalArgumentException("maxTrailers must be at least 16: " + maxTrailers);
        }
        this.maxLine = maxLine;
        this.maxTrailers = maxTrailers;
        reset();
    }

    /** Starts a new body; the previous trailers become invalid. */
    public void reset() {
        state = SIZE_START;
        chunkRemaining = 0;
        lineLength = 0;
        payloadLength = 0;
        payloadTotal = 0;
        consumedTotal = 0;
        trailerLength = 0;
        trailerLineStart = 0;
        trailerBytes = 0;
        trailers.clear();
        violation = null;
    }

    @Override
    public ParseResult decode(ByteBuffer in) {
        if (state == DONE) {
            payloadLength = 0;
            return ParseResult.DONE;
        }
        if (state == ERROR) {
            return ParseResult.ERROR;
        }
        int start = in.position();
        int limit = in.limit();
        int pos = start;
        int s = state;
        Violation v = null;
        while (pos < limit) {
            if (s == DATA) {
                int n = (int) Math.min(chunkRemaining, limit - pos);
                payloadStart = pos;
                payloadLength = n;
                chunkRemaining -= n;
                payloadTotal += n;
                if (chunkRemaining == 0) {
                    s = DATA_CR;
                }
                state = s;
                return stop(in, start, pos + n, ParseResult.DATA);
            }
            byte b = in.get(pos++);
            if (s <= SIZE_LF && ++lineLength > maxLine) {
                v = Violation.CHUNK_LINE_TOO_LONG;
                break;
            }
            switch (s) {
                case SIZE_START: {
                    int d = Ascii.hexValue(b);
                    if (d < 0) {
                        v = Violation.INVALID_CHUNK_SIZE;
                    } else {
                        chunkRemaining = d;
                        s = SIZE;
                    }
                    break;
                }
                case SIZE: {
                    int d = Ascii.hexValue(b);
                    if (d >= 0) {
                        if (chunkRemaining > (Long.MAX_VALUE >>> 4)) {
                            v = Violation.CHUNK_SIZE_OVERFLOW;
                        } else {
                            chunkRemaining = (chunkRemaining << 4) | d;
                        }
                    } else if (b == ';') {
                        s = EXT_NAME_START;
                    } else if (b == Ascii.CR) {
                        s = SIZE_LF;
                    } else if (Ascii.isWhitespace(b)) {
                        s = SIZE_WS;
                    } else {
                        v = b == Ascii.LF ? Violation.BARE_LF : Violation.INVALID_CHUNK_SIZE;
                    }
                    break;
                }
                case SIZE_WS: // BWS is allowed only before ';' (RFC 9112 §7.1.1)
                    if (b == ';') {
                        s = EXT_NAME_START;
                    } else if (!Ascii.isWhitespace(b)) {
                        v = Violation.INVALID_CHUNK_SIZE;
                    }
                    break;
                case EXT_NAME_START:
                    if (Ascii.isTchar(b)) {
                        s = EXT_NAME;
                    } else if (!Ascii.isWhitespace(b)) {
                        v = Violation.INVALID_CHUNK_EXTENSION;
                    }
                    break;
                case EXT_NAME:
                    if (b == Ascii.CR) {
                        s = SIZE_LF;
                    } else if (b == ';') {
                        s = EXT_NAME_START;
                    } else if (b == '=') {
                        s = EXT_VALUE_START;
                    } else if (Ascii.isWhitespace(b)) {
                        s = EXT_NAME_WS;
                    } else if (!Ascii.isTchar(b)) {
                        v = Violation.INVALID_CHUNK_EXTENSION;
                    }
                    break;
                case EXT_NAME_WS:
                    if (b == ';') {
                        s = EXT_NAME_START;
                    } else if (b == '=') {
                        s = EXT_VALUE_START;
                    } else if (!Ascii.isWhitespace(b)) {
                        v = Violation.INVALID_CHUNK_EXTENSION;
                    }
                    break;
                case EXT_VALUE_START:
                    if (b == '"') {
                        s = EXT_QUOTED;
                    } else if (Ascii.isTchar(b)) {
                        s = EXT_TOKEN;
                    } else if (!Ascii.isWhitespace(b)) {
                        v = Violation.INVALID_CHUNK_EXTENSION;
                    }
                    break;
                case EXT_TOKEN:
                    if (b == Ascii.CR) {
                        s = SIZE_LF;
                    } else if (b == ';') {
                        s = EXT_NAME_START;
                    } else if (Ascii.isWhitespace(b)) {
                        s = EXT_VALUE_WS;
                    } else if (!Ascii.isTchar(b)) {
                        v = Violation.INVALID_CHUNK_EXTENSION;
                    }
                    break;
                case EXT_QUOTED:
                    if (b == '"') {
                        s = EXT_QUOTED_END;
                    } else if (b == '\\') {
                        s = EXT_QUOTED_PAIR;
                    } else if (!Ascii.isFieldValueChar(b)) {
                        v = Violation.INVALID_CHUNK_EXTENSION;
                    }
                    break;
                case EXT_QUOTED_PAIR:
                    if (Ascii.isFieldValueChar(b)) {
                        s = EXT_QUOTED;
                    } else {
                        v = Violation.INVALID_CHUNK_EXTENSION;
                    }
                    break;
                case EXT_QUOTED_END:
                    if (b == Ascii.CR) {
                        s = SIZE_LF;
                    } else if (b == ';') {
                        s = EXT_NAME_START;
                    } else if (Ascii.isWhitespace(b)) {
                        s = EXT_VALUE_WS;
                    } else {
                        v = Violation.INVALID_CHUNK_EXTENSION;
                    }
                    break;
                case EXT_VALUE_WS: // BWS is allowed only before ';'
                    if (b == ';') {
                        s = EXT_NAME_START;
                    } else if (!Ascii.isWhitespace(b)) {
                        v = Violation.INVALID_CHUNK_EXTENSION;
                    }
                    break;
                case SIZE_LF:
                    if (b != Ascii.LF) {
                        v = Violation.BARE_CR;
                    } else {
                        lineLength = 0;
                        s = chunkRemaining == 0 ? TRAILER_START : DATA;
                    }
                    break;
                case DATA_CR:
                    if (b == Ascii.CR) {
                        s = DATA_LF;
                    } else {
                        v = Violation.MISSING_CRLF_AFTER_DATA;
                    }
                    break;
                case DATA_LF:
                    if (b == Ascii.LF) {
                        s = SIZE_START;
                    } else {
                        v = Violation.MISSING_CRLF_AFTER_DATA;
                    }
                    break;
                case TRAILER_START:
                    v = countTrailerByte();
                    if (v != null) {
                        break;
                    }
                    if (b == Ascii.CR) {
                        s = LAST_LF;
                    } else if (b == Ascii.LF) {
                        v = Violation.BARE_LF;
                    } else if (Ascii.isWhitespace(b)) {
                        v = Violation.OBS_FOLD;
                    } else {
                        appendTrailer(b);
                        s = TRAILER_LINE;
                    }
                    break;
                case TRAILER_LINE:
                    v = countTrailerByte();
                    if (v != null) {
                        break;
                    }
                    if (b == Ascii.CR) {
                        s = TRAILER_LF;
                    } else if (b == Ascii.LF) {
                        v = Violation.BARE_LF;
                    } else {
                        appendTrailer(b);
                    }
                    break;
                case TRAILER_LF:
                    v = countTrailerByte();
                    if (v != null) {
                        break;
                    }
                    if (b != Ascii.LF) {
                        v = Violation.BARE_CR;
                    } else {
                        trailers.bind(trailerBuf);
                        v = FieldLine.parse(trailerBuf, trailerLineStart, trailerLength, trailers);
                        trailerLineStart = trailerLength;
                        s = TRAILER_START;
                    }
                    break;
                case LAST_LF:
                    v = countTrailerByte();
                    if (v != null) {
                        break;
                    }
                    if (b != Ascii.LF) {
                        v = Violation.BARE_CR;
                        break;
                    }
                    state = DONE;
                    payloadLength = 0;
                    return stop(in, start, pos, ParseResult.DONE);
                default:
                    throw new IllegalStateException("state " + s);
            }
            if (v != null) {
                break;
            }
        }
        if (v != null) {
            violation = v;
            state = ERROR;
            return stop(in, start, pos - 1, ParseResult.ERROR);
        }
        state = s;
        payloadLength = 0;
        return stop(in, start, pos, ParseResult.NEED_MORE);
    }

    private ParseResult stop(ByteBuffer in, int start, int pos, ParseResult result) {
        in.position(pos);
        consumedTotal += pos - start;
        return result;
    }

    private Violation countTrailerByte() {
        return ++trailerBytes > maxTrailers ? Violation.TRAILERS_TOO_LARGE : null;
    }

    private void appendTrailer(byte b) {
        if (trailerBuf == null) {
            trailerBuf = new byte[Math.min(256, maxTrailers)];
        } else if (trailerLength == trailerBuf.length) {
            trailerBuf = Arrays.copyOf(trailerBuf, Math.min(trailerBuf.length * 2, maxTrailers));
        }
        trailerBuf[trailerLength++] = b;
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
        return trailers;
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
