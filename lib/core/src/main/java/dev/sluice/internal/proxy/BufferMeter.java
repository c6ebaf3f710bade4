package dev.sluice.internal.proxy;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the exchanges of one proxy hold beyond their connections' own buffers, now and at the most: the body
 * buffers of buffered responses ({@code proxy_buffers}), the memory of buffered request bodies ({@code
 * client_body_buffer_size}) and the temporary files of larger ones. Updated when an exchange takes or gives back a
 * buffer or a file, which is a few times per exchange, not per read; read by tests to show that memory follows the
 * configuration and not the size or speed of a transfer. Thread-safe.
 */
final class BufferMeter {

    private final AtomicInteger responseBuffers = new AtomicInteger();
    private final AtomicInteger responseBuffersPeak = new AtomicInteger();
    private final AtomicLong bodyMemory = new AtomicLong();
    private final AtomicLong bodyMemoryPeak = new AtomicLong();
    private final AtomicInteger tempFiles = new AtomicInteger();
    private final AtomicLong tempFilesOpened = new AtomicLong();

    void responseBufferTaken() {
        responseBuffersPeak.accumulateAndGet(responseBuffers.incrementAndGet(), Math::max);
    }

    void responseBuffersReturned(int count) {
        responseBuffers.addAndGet(-count);
    }

    void bodyMemoryTaken(long bytes) {
        bodyMemoryPeak.accumulateAndGet(bodyMemory.addAndGet(bytes), Math::max);
    }

    void bodyMemoryReturned(long bytes) {
        bodyMemory.addAndGet(-bytes);
    }

    void tempFileOpened() {
        tempFiles.incrementAndGet();
        tempFilesOpened.incrementAndGet();
    }

    void tempFileClosed() {
        tempFiles.decrementAndGet();
    }

    /** Response body buffers held by exchanges now. */
    int responseBuffers() {
        return responseBuffers.get();
    }

    /** The most response body buffers held at once since the proxy started (or the last {@link #resetPeaks()}). */
    int responseBuffersPeak() {
        return responseBuffersPeak.get();
    }

    /** Bytes of memory held by buffered request bodies now. */
    long bodyMemory() {
        return bodyMemory.get();
    }

    /** The most request body memory held at once. */
    long bodyMemoryPeak() {
        return bodyMemoryPeak.get();
    }

    /** Request body temporary files open now. */
    int tempFiles() {
        return tempFiles.get();
    }

    /** Request body temporary files opened since the proxy started. */
    long tempFilesOpened() {
        return tempFilesOpened.get();
    }

    /** Starts the peaks afresh from what is held now. */
    void resetPeaks() {
        responseBuffersPeak.set(responseBuffers.get());
        bodyMemoryPeak.set(bodyMemory.get());
    }
}
