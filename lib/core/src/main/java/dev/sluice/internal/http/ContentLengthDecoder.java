package dev.sluice.internal.http;

import java.nio.ByteBuffer;

/**
 * Tracks a body of known length (RFC 9112 §6.2): counts down the bytes still expected and stops exactly at the
 * end, so extra bytes are left for the next message — or, from an upstream, show it sent more than it declared
 * (nginx then closes the connection rather than pool it).
 */
public final class ContentLengthDecoder implements BodyDecoder {

    private long remaining;
    private int payloadStart;
    private int payloadLength;

    /** A decoder for an empty body; call {@link #reset(long)} with the real length. */
    public ContentLengthDecoder() {
    }

    /** A decoder for a body of {@code length} bytes. */
    public ContentLengthDecoder(long length) {
        reset(length);
    }

    /**
     * Starts a new body of {@code length} bytes.
     *
     * @throws IllegalArgumentException if {@code length} is negative
     */
    public void reset(long length) {
        if (length < 0) {
            throw new IllegalArgumentException("length must not be negative: " + length);
        }
        remaining = length;
        payloadLength = 0;
    }

    @Override
    public ParseResult decode(ByteBuffer in) {
        if (remaining == 0) {
            payloadLength = 0;
            return ParseResult.DONE;
        }
        int available = in.remaining();
        if (available == 0) {
            payloadLength = 0;
            return ParseResult.NEED_MORE;
        }
        int n = (int) Math.min(remaining, available);
        payloadStart = in.position();
        payloadLength = n;
        in.position(payloadStart + n);
        remaining -= n;
        return ParseResult.DATA;
    }

    @Override
    public ParseResult scan(ByteBuffer in) {
        decode(in);
        return remaining == 0 ? ParseResult.DONE : ParseResult.NEED_MORE;
    }

    @Override
    public int payloadStart() {
        return payloadStart;
    }

    @Override
    public int payloadLength() {
        return payloadLength;
    }

    /** Bytes of the body not consumed yet. */
    public long remaining() {
        return remaining;
    }

    @Override
    public boolean isDone() {
        return remaining == 0;
    }
}
