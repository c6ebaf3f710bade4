package dev.sluice.internal.proxy;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * A request body read whole before a peer is chosen ({@code proxy_request_buffering on}), its payload only — a
 * chunked body without its chunk sizes, extensions and trailers, sent with a Content-Length as nginx sends it — with
 * memory bounded by {@code client_body_buffer_size} as nginx bounds it: a body that fits stays in one buffer of
 * that size; a larger one is written to a temporary file of {@code client_body_temp_path} as it arrives, through
 * that buffer, and every attempt reads it back from the file through the same buffer. The file is closed, and so
 * deleted, by {@link #release()} when the exchange ends, whichever way it ends (see {@link TempFiles}).
 *
 * <p>The buffer holds what has arrived, not what is announced: it is taken with the body's first bytes, one of the
 * loop's pooled direct buffers of the smallest power-of-two size from 1 KiB that holds them, and moved to the next
 * size that holds what arrives after, up to client_body_buffer_size (or the body's length when it is known to be
 * smaller). nginx takes the whole buffer when the body starts, so a client that announces 8 KiB and trickles a few
 * bytes holds 8 KiB there and 1 KiB here; a body that comes in one read takes its size at once, and one that comes
 * in several is copied at most once per doubling, less than its own length in all. A size above the pools' (a
 * handler's body limit) takes a heap buffer for this body alone. Either is given back when the exchange ends, so
 * an idle connection holds none.
 *
 * <p>The file is written and read on the event loop, as nginx's workers write their temporary files: each call is
 * one sequential transfer of at most one buffer to or from a local file, which the page cache absorbs without
 * waiting for the disk. A file on a slow or remote file system would stall the loop; {@code clientBodyTempPath}
 * should name a local directory.
 *
 * <p>One per client connection, reused for each request; used on its loop only.
 */
final class RequestBody implements BodySource {

    private final LoopContext loop;
    private ByteBuffer buffer;
    private boolean pooled;
    /** The bytes {@link #buffer} may hold: client_body_buffer_size, or less when the body is known to be smaller. */
    private int capacity;
    private FileChannel file;
    private long length;
    /** While sending from the file: the file position of the next run. */
    private long sendPosition;
    /** While sending from memory: whether the buffer was handed out. */
    private boolean handedOut;

    RequestBody(LoopContext loop) {
        this.loop = loop;
    }

    /**
     * Starts holding a body of {@code contentLength} bytes, or -1 when chunked; {@code inMemory} bytes of it at least
     * stay in memory (a handler reads them), or 0.
     */
    void begin(long contentLength, int inMemory) {
        release();
        int limit = Math.max(loop.engine.limits.bodyBufferSize(), inMemory);
        capacity = contentLength >= 0 && contentLength < limit ? (int) Math.max(contentLength, 1) : limit;
    }

    /** Adds the bytes {@code src[from, from + count)}; what does not fit in memory goes to the temporary file. */
    void append(ByteBuffer src, int from, int count) throws IOException {
        while (count > 0) {
            if (buffer == null || !buffer.hasRemaining()) {
                if (buffer == null || buffer.limit() < capacity) {
                    grow((int) Math.min(capacity, length + count));
                } else {
                    spill();
                }
            }
            int n = Math.min(count, buffer.remaining());
            buffer.put(buffer.position(), src, from, n).position(buffer.position() + n);
            from += n;
            count -= n;
            length += n;
        }
    }

    /** The body is complete: a body in a file gets its last bytes, a body in memory is ready to send. */
    void finish() throws IOException {
        if (file != null) {
            spill();
        } else if (buffer == null) {
            buffer = ByteBuffer.allocate(0); // a chunked body of no chunk: nothing arrived to take memory for
            pooled = false;
        } else {
            buffer.flip();
        }
        rewind();
    }

    /** The whole body, read-only from its first byte, when it is complete and in memory; else null. */
    ByteBuffer inMemory() {
        return file != null || buffer == null ? null : buffer.asReadOnlyBuffer().position(0);
    }

    /** Whether the body went to a temporary file. */
    boolean inFile() {
        return file != null;
    }

    /** The payload bytes held: the Content-Length the body is sent with. */
    long length() {
        return length;
    }

    @Override
    public void rewind() {
        sendPosition = 0;
        handedOut = false;
        if (file == null && buffer != null) {
            buffer.position(0);
        }
    }

    @Override
    public ByteBuffer next() throws IOException {
        if (file == null) {
            if (handedOut) {
                return null;
            }
            handedOut = true;
            return buffer;
        }
        if (sendPosition >= length) {
            return null;
        }
        buffer.clear().limit((int) Math.min(capacity, length - sendPosition));
        while (buffer.hasRemaining()) {
            if (file.read(buffer, sendPosition + buffer.position()) < 0) {
                throw new EOFException("request body temporary file ended at " + (sendPosition + buffer.position())
                        + " of " + length + " bytes");
            }
        }
        buffer.flip();
        sendPosition += buffer.remaining();
        return buffer;
    }

    @Override
    public boolean isComplete() {
        return file == null ? handedOut : sendPosition >= length;
    }

    /** Closes (and so deletes) the temporary file and gives the memory back; idempotent. */
    void release() {
        if (file != null) {
            try {
                file.close();
            } catch (IOException ignored) {
                // the file was unlinked when opened; closing can only fail to free what the system frees anyway
            }
            file = null;
            loop.meter().tempFileClosed();
        }
        giveBack();
        length = 0;
        sendPosition = 0;
        handedOut = false;
    }

    /**
     * Moves the bytes held so far into a buffer that holds {@code bytes}, at most {@link #capacity}: a pooled one of
     * the smallest size from 1 KiB up to the loop's I/O buffers' that does, else a heap buffer of the capacity.
     */
    private void grow(int bytes) {
        int size = Math.max(ClientInput.FIRST_SIZE, Integer.highestOneBit(Math.max(1, bytes - 1)) << 1);
        boolean fromPool = size <= loop.eventLoop.buffers().bufferSize();
        ByteBuffer larger = fromPool ? loop.buffers(size).acquire() : ByteBuffer.allocate(capacity);
        larger.limit(Math.min(larger.capacity(), capacity));
        if (buffer != null) {
            larger.put(0, buffer, 0, buffer.position()).position(buffer.position());
        }
        giveBack();
        buffer = larger;
        pooled = fromPool;
        loop.meter().bodyMemoryTaken(larger.capacity());
    }

    private void giveBack() {
        if (buffer != null) {
            loop.meter().bodyMemoryReturned(buffer.capacity());
            if (pooled) {
                loop.buffers(buffer.capacity()).release(buffer);
            }
        }
        buffer = null;
    }

    private void spill() throws IOException {
        if (file == null) {
            file = loop.engine.tempFiles.open();
            loop.meter().tempFileOpened();
        }
        buffer.flip();
        while (buffer.hasRemaining()) {
            file.write(buffer);
        }
        buffer.clear().limit(capacity);
    }
}
