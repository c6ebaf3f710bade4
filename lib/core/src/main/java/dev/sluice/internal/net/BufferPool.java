package dev.sluice.internal.net;

import java.nio.ByteBuffer;

/**
 * The I/O buffers of one event loop: direct {@link ByteBuffer}s of one fixed size, reused, like the fixed-size
 * {@code proxy_buffers} an nginx worker takes from its pool per request.
 *
 * <p>{@link #acquire()} returns a cleared buffer, taken from the idle stack or allocated when the stack is empty;
 * {@link #release(ByteBuffer)} puts it back, or drops it to the garbage collector when {@code maxIdle} buffers are
 * already idle. In steady state neither allocates. A buffer must be released at most once and not used afterwards.
 *
 * <p>Not thread-safe: use it on its loop's thread only.
 */
public final class BufferPool {

    private final int bufferSize;
    private final ByteBuffer[] idle;
    private int idleCount;
    private long allocated;

    /** A pool of direct buffers of {@code bufferSize} bytes that keeps at most {@code maxIdle} of them idle. */
    public BufferPool(int bufferSize, int maxIdle) {
        if (bufferSize <= 0) {
            throw new IllegalArgumentException("bufferSize must be > 0: " + bufferSize);
        }
        if (maxIdle < 0) {
            throw new IllegalArgumentException("maxIdleBuffers must be >= 0: " + maxIdle);
        }
        this.bufferSize = bufferSize;
        this.idle = new ByteBuffer[maxIdle];
    }

    /** A cleared direct buffer of {@link #bufferSize()} bytes. */
    public ByteBuffer acquire() {
        if (idleCount > 0) {
            ByteBuffer b = idle[--idleCount];
            idle[idleCount] = null;
            return b;
        }
        allocated++;
        return ByteBuffer.allocateDirect(bufferSize);
    }

    /**
     * Gives a buffer back. It is cleared and kept for reuse unless the idle cap is reached.
     *
     * @throws IllegalArgumentException if the buffer did not come from a pool of this size
     */
    public void release(ByteBuffer buffer) {
        if (buffer.capacity() != bufferSize || !buffer.isDirect()) {
            throw new IllegalArgumentException("not a buffer of this pool: " + buffer);
        }
        if (idleCount < idle.length) {
            buffer.clear();
            idle[idleCount++] = buffer;
        }
    }

    /** The capacity of every buffer of this pool. */
    public int bufferSize() {
        return bufferSize;
    }

    /** How many buffers wait for reuse. */
    public int idleCount() {
        return idleCount;
    }

    /** How many buffers this pool has allocated since it was created (a steady state stops this growing). */
    public long allocatedCount() {
        return allocated;
    }
}
