package dev.sluice.internal.http;

import dev.sluice.internal.net.ThreadBuffers;
import java.nio.ByteBuffer;

/**
 * Gathers the bytes of one head from successive buffers and splits them into CRLF-terminated lines, enforcing the
 * line and head size limits. Bytes are copied into one array, so field offsets stay valid and a head may be split at
 * any byte. The array is borrowed from the thread's {@link ThreadBuffers} when the first byte of a head arrives
 * (1 KiB, like nginx's client_header_buffer_size, doubled up to the head limit for a larger head) and given back by
 * {@link #release()} between heads, so a connection waiting for its next request holds none.
 *
 * <p>A line is handed out only when its LF has arrived, which makes split heads parse exactly like whole ones; the
 * limit checks use only a lower bound of the line length, so a split never changes which error is reported.
 */
final class HeadScanner {

    static final int LINE = 0;
    static final int NEED_MORE = 1;
    static final int BARE_LF = 2;
    static final int LINE_TOO_LONG = 3;
    static final int HEAD_TOO_LARGE = 4;

    private static final int INITIAL_CAPACITY = 1024;
    /** Bytes copied per step, so that a body arriving with the head is mostly left in the caller's buffer. */
    private static final int COPY_STEP = 2048;

    private static final byte[] NONE = new byte[0];

    private final int maxHead;
    private byte[] buf = NONE;
    private int used;
    private int scanPos;
    private int lineLimit;
    private int lineStart;
    private int lineEnd;
    private int nextLineStart;
    /** Where the last copied step came from: buf[copyBase] was in.get(copyInPosition). */
    private int copyBase;
    private int copyInPosition;

    HeadScanner(int maxHead) {
        this.maxHead = maxHead;
    }

    void reset(int firstLineLimit) {
        used = 0;
        scanPos = 0;
        nextLineStart = 0;
        lineStart = 0;
        lineEnd = 0;
        lineLimit = firstLineLimit;
    }

    /** Gives the array back between heads (after {@link #reset}); the next head borrows one again. */
    void release() {
        if (used != 0) {
            throw new IllegalStateException("a head is in the scanner: reset it first");
        }
        if (buf != NONE) {
            ThreadBuffers.ofThisThread().giveBack(buf);
            buf = NONE;
        }
    }

    /** Sets the limit, CRLF included, for the lines that follow. */
    void lineLimit(int limit) {
        this.lineLimit = limit;
    }

    byte[] buffer() {
        return buf;
    }

    /** Start of the last line returned. */
    int lineStart() {
        return lineStart;
    }

    /** End of the last line returned, before its CRLF. */
    int lineEnd() {
        return lineEnd;
    }

    /** Bytes of the head up to and including the last line's LF. */
    int consumed() {
        return nextLineStart;
    }

    /**
     * Finds the next complete line, copying bytes from {@code in} as needed. Returns {@link #LINE} (see
     * {@link #lineStart()}, {@link #lineEnd()}), {@link #NEED_MORE} when {@code in} is exhausted, or an error.
     */
    int next(ByteBuffer in) {
        for (;;) {
            byte[] b = buf;
            int u = used;
            int i = Swar.indexOfLf(b, scanPos, u);
            int start = nextLineStart;
            if (i < u) {
                scanPos = i + 1;
                nextLineStart = i + 1;
                if (i + 1 - start > lineLimit) {
                    return LINE_TOO_LONG;
                }
                if (i == start || b[i - 1] != Ascii.CR) {
                    return BARE_LF;
                }
                lineStart = start;
                lineEnd = i - 1;
                return LINE;
            }
            scanPos = u;
            // The line still needs at least its LF: a sound lower bound whatever the split.
            if (u - start + 1 > lineLimit) {
                return LINE_TOO_LONG;
            }
            if (u >= maxHead) {
                return HEAD_TOO_LARGE;
            }
            if (!in.hasRemaining()) {
                return NEED_MORE;
            }
            if (u == b.length) {
                grow(b, u);
            }
            int n = Math.min(Math.min(in.remaining(), buf.length - u), COPY_STEP);
            copyBase = u;
            copyInPosition = in.position();
            in.get(buf, u, n);
            used = u + n;
        }
    }

    private void grow(byte[] old, int used) {
        ThreadBuffers buffers = ThreadBuffers.ofThisThread();
        buf = buffers.array(old == NONE ? Math.min(INITIAL_CAPACITY, maxHead) : Math.min(old.length * 2, maxHead));
        if (old != NONE) {
            System.arraycopy(old, 0, buf, 0, used);
            buffers.giveBack(old);
        }
    }

    /**
     * Ends the head after the line just returned: moves {@code in} back so that its position is the first byte
     * after that line's LF (the body, or the next pipelined message), and drops what was copied beyond it.
     */
    void finish(ByteBuffer in) {
        in.position(copyInPosition + (nextLineStart - copyBase));
        used = nextLineStart;
        scanPos = nextLineStart;
    }
}
