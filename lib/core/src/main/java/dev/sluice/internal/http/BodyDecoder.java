package dev.sluice.internal.http;

import java.nio.ByteBuffer;

/**
 * Finds the end of one message body in the bytes that follow its head, without copying them. Two uses:
 *
 * <ul>
 *   <li><b>Extract</b>: call {@link #decode} until it stops returning {@link ParseResult#DATA}; each {@code DATA}
 *       marks a run of payload bytes at {@link #payloadStart()} (an absolute index into the buffer) of
 *       {@link #payloadLength()} bytes.</li>
 *   <li><b>Validate and forward</b>: note the buffer's position, call {@link #scan}, and relay the bytes from the
 *       noted position to the new one intact — framing included — as nginx relays a body it does not rewrite.</li>
 * </ul>
 *
 * Either way {@link ParseResult#DONE} leaves the position exactly after the message: following bytes belong to the
 * next pipelined message. Implementations are reusable through their reset methods and never allocate while
 * decoding.
 */
public interface BodyDecoder {

    /**
     * Consumes framing bytes and at most one run of payload from {@code in}, advancing its position. Returns
     * {@code DATA} (a payload run was consumed), {@code NEED_MORE} (all of {@code in} consumed),
     * {@code DONE} (the message ended; nothing past it consumed) or {@code ERROR}.
     */
    ParseResult decode(ByteBuffer in);

    /**
     * Consumes every byte of {@code in} that belongs to this message, payload and framing alike; returns
     * {@code NEED_MORE}, {@code DONE} or {@code ERROR}, never {@code DATA}.
     */
    default ParseResult scan(ByteBuffer in) {
        ParseResult r;
        do {
            r = decode(in);
        } while (r == ParseResult.DATA);
        return r;
    }

    /** After {@code DATA}: index in the buffer of the first payload byte of the run. */
    int payloadStart();

    /** After {@code DATA}: number of payload bytes in the run. */
    int payloadLength();

    /** Whether the whole message has been consumed. */
    boolean isDone();
}
