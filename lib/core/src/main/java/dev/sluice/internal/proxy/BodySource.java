package dev.sluice.internal.proxy;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The request body as an {@link Attempt} sends it after the head, one run of bytes at a time: the payload the proxy
 * buffered ({@link RequestBody}), or what streams from the client with its framing intact ({@link StreamedBody}).
 */
interface BodySource {

    /**
     * Goes back to the first byte for a new attempt. A buffered body starts again; a streamed one goes on from
     * the run it was sending, which a retry only allows when no byte of it was sent.
     */
    void rewind();

    /**
     * The next run to send, or the current one while it has bytes left; null when there is none now (see {@link
     * #isComplete()}: the body is over, or a streamed body waits for the client, which resumes the attempt). The
     * run is a view that stays valid until it has been sent.
     *
     * @throws IOException when a buffered body cannot be read back from its temporary file
     */
    ByteBuffer next() throws IOException;

    /** Whether every byte was handed out by {@link #next()}. */
    boolean isComplete();
}
