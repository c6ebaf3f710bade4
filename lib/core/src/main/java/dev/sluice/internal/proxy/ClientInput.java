package dev.sluice.internal.proxy;

import dev.sluice.internal.net.BufferPool;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * What one client sent and the proxy has not consumed yet: request heads (pipelined ones included) and body bytes,
 * in a read buffer from the loop's pool. The buffer goes back to the pool while it holds nothing, so a connection
 * waiting for its next request, or whose response streams to a slow reader, holds none (nginx frees its header
 * buffer the same way).
 */
final class ClientInput {

    /** What {@link #in} is while the read buffer is given back: empty, never written. */
    private static final ByteBuffer NONE = ByteBuffer.allocate(0);

    private final SocketChannel channel;
    private final BufferPool pool;
    private ByteBuffer in;

    ClientInput(SocketChannel channel, BufferPool pool) {
        this.channel = channel;
        this.pool = pool;
        this.in = NONE;
    }

    /** The unconsumed bytes, in read mode; consuming moves the position. */
    ByteBuffer bytes() {
        take();
        return in;
    }

    /** Reads more after the unconsumed bytes; the count read, 0 when the buffer is full, -1 at end or on an error. */
    int read() {
        take();
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
            pool.release(in);
            in = NONE;
        }
    }

    /** The connection closed: the buffer goes back whatever it holds. */
    void release() {
        if (in != NONE && in != null) {
            pool.release(in);
        }
        in = null;
    }

    private void take() {
        if (in == NONE) {
            in = pool.acquire();
            in.clear().flip();
        }
    }
}
