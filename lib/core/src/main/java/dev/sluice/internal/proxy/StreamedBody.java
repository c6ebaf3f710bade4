package dev.sluice.internal.proxy;

import java.nio.ByteBuffer;

/**
 * A request body streamed to the peer as it arrives ({@code proxy_request_buffering off}), framing intact. Each run
 * is a view of the bytes in the client connection's read buffer, so the body costs no memory of its own; the
 * exchange reads the client again only once a run has gone to the peer, so a slow peer slows the client down
 * through TCP instead of filling memory. The exchange supplies the runs and the waiting ({@link
 * RequestBodyReader#nextRun()}): {@code client_body_timeout} while the client is silent, {@code proxy_send_timeout}
 * (in the attempt) while the peer does not take them.
 *
 * <p>Nothing can be sent twice: a retry is only possible while no byte of the body left ({@link #anySent()}), which
 * with nginx's rule (no retry once any byte of the request was sent) means only before the request head went out.
 */
final class StreamedBody implements BodySource {

    private final RequestBodyReader reader;
    private ByteBuffer run;
    private int runStart;
    private boolean sentBefore;
    private boolean complete;

    StreamedBody(RequestBodyReader reader) {
        this.reader = reader;
    }

    /** Starts a new body. */
    void begin() {
        run = null;
        sentBefore = false;
        complete = false;
    }

    /** Ends the body early (the exchange is over): its current run is no longer valid. */
    void abandon() {
        run = null;
        complete = true;
    }

    /** Whether a run is out and not wholly sent: the client's buffer must not move until it is. */
    boolean holdsRun() {
        return run != null && run.hasRemaining();
    }

    /** Whether a byte of the body has gone to a peer's socket. */
    boolean anySent() {
        return sentBefore || run != null && run.position() > runStart;
    }

    @Override
    public void rewind() {
        // a retry goes on with the current run, which no attempt has sent a byte of
    }

    @Override
    public ByteBuffer next() {
        if (run != null) {
            if (run.hasRemaining()) {
                return run;
            }
            sentBefore = true;
            run = null;
        }
        if (complete) {
            return null;
        }
        run = reader.nextRun();
        complete = reader.complete();
        if (run != null) {
            runStart = run.position();
        }
        return run;
    }

    @Override
    public boolean isComplete() {
        return complete;
    }
}
