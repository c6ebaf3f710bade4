package dev.sluice.internal.proxy;

import dev.sluice.internal.net.BufferPool;
import dev.sluice.internal.net.Wire;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * What one client sent and the proxy has not consumed yet: request heads (pipelined ones included) and body bytes,
 * in a read buffer from the loop's pools. A request starts in a small buffer ({@value #FIRST_SIZE} bytes, nginx's
 * {@code client_header_buffer_size}), which a head of any size passes through, since the head parser copies what
 * it reads; a read that fills it shows the client sends more at once (a body, a large head), and what it holds moves
 * to a full-size buffer where the rest is read. The buffer goes back to its pool while it holds nothing, so a
 * connection waiting for its next request, or whose response streams to a slow reader, holds none (nginx frees its
 * header buffer the same way), and one that sends its head slowly holds a small one.
 */
final class ClientInput {

    /** The size of the buffer each request starts in. */
    static final int FIRST_SIZE = 1024;

    /** What {@link #in} is while the read buffer is given back: empty, never written. */
    private static final ByteBuffer NONE = ByteBuffer.allocate(0);

    private Wire channel;
    private final BufferPool first;
    private final BufferPool full;
    private ByteBuffer in;

    /** {@code first}: the pool of small buffers; {@code full}: the pool of full-size ones. */
    ClientInput(Wire channel, BufferPool first, BufferPool full) {
        this.channel = channel;
        this.first = first;
        this.full = full;
        this.in = NONE;
    }

    /** Reads through {@code wire} from now on: the TLS session once the handshake began. */
    void use(Wire wire) {
        this.channel = wire;
    }

    /** The unconsumed bytes, in read mode; consuming moves the position. */
    ByteBuffer bytes() {
        take();
        return in;
    }

    /** The unconsumed bytes in a full-size buffer, for a tunnel that relays through it. */
    ByteBuffer fullBytes() {
        take();
        if (isSmall()) {
            grow();
        }
        return in;
    }

    /** Reads more after the unconsumed bytes; the count read, 0 when the buffer is full, -1 at end or on an error. */
    int read() {
        take();
        int n = readOnce();
        if (n > 0 && isFull() && isSmall()) {
            grow();
            int more = readOnce();
            return more > 0 ? n + more : n; // an end or error after bytes shows on the next read
        }
        return n;
    }

    private int readOnce() {
        if (in.limit() == in.capacity() && in.position() == 0) {
            return 0;
        }
        in.compact();
        try {
            return channel.read(in);
        } catch (IOException e) {
            return -1;
        } finally {
            in.flip();
        }
    }

    /** Reads and drops what the client sends, as a lingering close does; the count read, or -1 at end. */
    int discard() {
        take();
        in.clear();
        try {
            return channel.read(in);
        } catch (IOException e) {
            return -1;
        } finally {
            in.clear().flip();
        }
    }

    boolean hasRemaining() {
        return in.hasRemaining();
    }

    /** Whether the buffer holds all it can: the client is not read until some is consumed. */
    boolean isFull() {
        return in.limit() == in.capacity();
    }

    /** Gives the buffer back to the pool if it holds nothing; the next read takes one again. */
    void releaseIfEmpty() {
        if (in != NONE && in != null && !in.hasRemaining()) {
            giveBack();
            in = NONE;
        }
    }

    /** The connection closed: the buffer goes back whatever it holds. */
    void release() {
        if (in != NONE && in != null) {
            giveBack();
        }
        in = null;
    }

    private void take() {
        if (in == NONE) {
            in = first.acquire();
            in.clear().flip();
        }
    }

    private boolean isSmall() {
        return in.capacity() < full.bufferSize();
    }

    /** Moves the unconsumed bytes into a full-size buffer. */
    private void grow() {
        ByteBuffer bigger = full.acquire();
        bigger.clear();
        bigger.put(in).flip();
        first.release(in);
        in = bigger;
    }

    private void giveBack() {
        (isSmall() ? first : full).release(in);
    }
}
