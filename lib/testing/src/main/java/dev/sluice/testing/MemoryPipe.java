package dev.sluice.testing;

import java.io.IOException;
import java.net.SocketException;
import java.nio.ByteBuffer;

/**
 * One direction of an in-memory connection: the bytes one end wrote and the other has not read, at most {@link
 * #CAPACITY} of them (a writer beyond that is told to wait, as by a full socket buffer), then the writer's end of
 * stream (a FIN) or a reset (an RST). Guarded by its network's lock.
 */
final class MemoryPipe {

    /** What a pipe holds before its writer must wait: a small socket buffer, so that back-pressure shows. */
    static final int CAPACITY = 64 * 1024;

    private final byte[] bytes = new byte[CAPACITY];
    private int head;
    private int size;
    private boolean finished;
    private boolean reset;

    /** Copies what fits of {@code src} in; the count copied. */
    int write(ByteBuffer src) {
        int n = Math.min(src.remaining(), CAPACITY - size);
        for (int i = 0; i < n; i++) {
            bytes[(head + size + i) % CAPACITY] = src.get();
        }
        size += n;
        return n;
    }

    /**
     * Copies what it holds into {@code dst}: the count; once it is empty, -1 after a FIN, else a failure after a reset
     * (as Linux: bytes that came before a reset are still read, and a FIN that came before it reads as end of stream).
     */
    int read(ByteBuffer dst) throws IOException {
        if (size == 0) {
            if (finished) {
                return -1;
            }
            if (reset) {
                throw new SocketException("Connection reset");
            }
            return 0;
        }
        int n = Math.min(dst.remaining(), size);
        for (int i = 0; i < n; i++) {
            dst.put(bytes[(head + i) % CAPACITY]);
        }
        head = (head + n) % CAPACITY;
        size -= n;
        return n;
    }

    /** Whether a read would not wait: bytes, an end of stream or a reset. */
    boolean readable() {
        return size > 0 || finished || reset;
    }

    boolean hasSpace() {
        return size < CAPACITY;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** The writer shut its side: the reader sees end of stream after the bytes. */
    void finish() {
        finished = true;
    }

    /** The connection was reset: once what it holds is read, the reader's next read fails. */
    void reset() {
        reset = true;
    }

    boolean isReset() {
        return reset;
    }

    boolean isFinished() {
        return finished;
    }
}
