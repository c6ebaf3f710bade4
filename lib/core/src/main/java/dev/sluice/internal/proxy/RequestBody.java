package dev.sluice.internal.proxy;

import dev.sluice.internal.net.BufferPool;
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
 * <p>The buffer is one of the loop's pooled direct buffers when the size allows (the default 16k does), of the
 * smallest power-of-two size from 1 KiB that holds a body whose length is known (nginx too sizes it to a smaller
 * body), else a heap buffer for this body alone; either is given back when the exchange ends, so an idle connection
 * holds none.
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
        pooled = capacity <= loop.eventLoop.buffers().bufferSize();
        buffer = pooled ? pool(capacity).acquire() : ByteBuffer.allocate(capacity);
        buffer.limit(capacity);
        loop.meter().bodyMemoryTaken(buffer.capacity());
    }

    /** Adds the bytes {@code src[from, from + count)}; what does not fit in memory goes to the temporary file. */
    void append(ByteBuffer src, int from, int count) throws IOException {
        while (count > 0) {
            if (!buffer.hasRemaining()) {
                spill();
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
        if (buffer != null) {
            loop.meter().bodyMemoryReturned(buffer.capacity());
            if (pooled) {
                pool(buffer.capacity()).release(buffer);
            }
            buffer = null;
        }
        length = 0;
        sendPosition = 0;
        handedOut = false;
    }

    /** The loop's pool of the smallest buffers that hold {@code bytes}: 1 KiB, 2 KiB, ... up to its I/O buffers'. */
    private BufferPool pool(int bytes) {
        int size = Math.max(ClientInput.FIRST_SIZE, Integer.highestOneBit(Math.max(1, bytes - 1)) << 1);
        return loop.buffers(Math.min(size, loop.eventLoop.buffers().bufferSize()));
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
