package dev.sluice.internal.proxy;

import dev.sluice.internal.http.BodyFraming;
import dev.sluice.internal.http.HeadLimits;
import dev.sluice.internal.http.ParseResult;
import dev.sluice.internal.http.ResponseHead;
import dev.sluice.internal.http.ResponseParser;
import dev.sluice.internal.net.BufferPool;
import dev.sluice.internal.net.Wire;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Reads a peer's response head into a pooled buffer of {@code proxy_buffer_size}, as nginx reads it into one buffer
 * of that size, parsing what comes as it comes and skipping interim (1xx) heads; the head may be as
 * long as the buffer, and the bytes after it stay there for the body's relay. So what a response reads ahead of its
 * client is bounded as nginx bounds it: this buffer and the {@code proxy_buffers}. One per attempt, its parser reused
 * while the route's buffer size stays the same.
 */
final class ResponseHeadReader {

    /** What one read gave. */
    enum Result {
        /** The peer closed the connection, or reading failed. */
        CLOSED,
        /** Nothing yet. */
        NOTHING,
        /** Part of the head; more must come. */
        MORE,
        /** Not a valid response head, or one longer than the limit. */
        INVALID,
        /** The final head is in: {@link #head()}. */
        HEAD
    }

    private final LoopContext loop;
    private final AttemptMeter meter;
    private BufferPool buffers;
    private ResponseParser parser;
    private int parserLimit;
    private ByteBuffer in;
    private boolean anyRead;
    private ResponseHead head;

    ResponseHeadReader(LoopContext loop, AttemptMeter meter) {
        this.loop = loop;
        this.meter = meter;
    }

    /** Gets ready for the response to a request, HEAD or not, with heads of up to {@code limit} bytes. */
    void reset(int limit, boolean headMethod) {
        anyRead = false;
        head = null;
        if (parser == null || parserLimit != limit) {
            release();
            parserLimit = limit;
            parser = new ResponseParser(HeadLimits.of(limit, limit, limit));
            buffers = loop.buffers(limit);
        }
        parser.reset(headMethod);
    }

    /** The request is about to go out: the buffer is taken, empty. */
    void begin() {
        if (in == null) {
            in = buffers.acquire();
        }
        in.clear().flip();
    }

    /** Reads what {@code channel} has and parses it. */
    Result read(Wire channel) {
        in.compact();
        int n;
        try {
            n = channel.read(in);
        } catch (IOException e) {
            n = -1;
        } finally {
            in.flip();
        }
        if (n < 0) {
            return Result.CLOSED;
        }
        meter.received(n);
        if (n == 0 && !in.hasRemaining()) {
            return Result.NOTHING;
        }
        anyRead = true;
        for (;;) {
            ParseResult result = parser.parse(in);
            if (result == ParseResult.NEED_MORE) {
                return Result.MORE;
            }
            if (result == ParseResult.ERROR) {
                return Result.INVALID;
            }
            if (!parser.head().isInterim()) {
                head = parser.head();
                return Result.HEAD;
            }
            parser.nextHead();
        }
    }

    /** Whether any byte of the response came. */
    boolean anyRead() {
        return anyRead;
    }

    /** The final head, once {@link #read} gave {@link Result#HEAD}; else null. */
    ResponseHead head() {
        return head;
    }

    /** The buffer the head was read into, holding what came after it (read mode), or null once handed off. */
    ByteBuffer buffer() {
        return in;
    }

    /** Hands the buffer over, with what came after the head: its new holder gives it back to the pool. */
    ByteBuffer handOff() {
        ByteBuffer buffer = in;
        in = null;
        return buffer;
    }

    /**
     * Whether the response was over with its head, nothing after it (no body, nothing unexpected): a response the
     * exchange replaced (an intercepted error) then leaves nothing unread on the connection.
     */
    boolean endsWithHead() {
        BodyFraming framing = head.bodyFraming();
        return (framing == BodyFraming.NONE || framing == BodyFraming.CONTENT_LENGTH && head.contentLength() == 0)
                && (in == null || !in.hasRemaining());
    }

    /** The exchange is over: the parser gives the memory the head was read into back to the thread. */
    void forgetHead() {
        head = null;
        if (parser != null) {
            parser.release();
        }
    }

    /** The attempt ended: the buffer goes back to its pool. */
    void release() {
        if (in != null) {
            buffers.release(in);
            in = null;
        }
    }
}
