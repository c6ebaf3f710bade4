package dev.sluice.internal.proxy;

import java.nio.ByteBuffer;

/**
 * A request body streamed to the peer as it arrives ({@code proxy_request_buffering off}), framing intact but for a
 * chunked body's trailers, which nginx drops too: the chunks go up to the last chunk's size line, then the CRLF that
 * ends an empty trailer section, so no upstream that merges trailers into the head reads fields the proxy did not
 * check or set (a trailer {@code X-Real-IP} overriding {@code proxy_set_header}). Each run
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
    /** The CRLF that ends a chunked body's trailer section, which the proxy leaves out. */
    private final ByteBuffer trailersEnd = ByteBuffer.wrap(new byte[] {'\r', '\n'});
    private ByteBuffer run;
    private int runStart;
    private boolean sentBefore;
    /** Whether the client's body is all read. */
    private boolean read;
    /** Whether every run was handed out: the body is read, and a chunked one's {@link #trailersEnd} is out too. */
    private boolean complete;

    StreamedBody(RequestBodyReader reader) {
        this.reader = reader;
    }

    /** Starts a new body. */
    void begin() {
        run = null;
        sentBefore = false;
        read = false;
        complete = false;
        trailersEnd.clear();
    }

    /** Ends the body early (the exchange is over): its current run is no longer valid. */
    void abandon() {
        run = null;
        read = true;
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
        while (!read) {
            ByteBuffer next = reader.nextRun();
            read = reader.complete();
            if (next != null && next.hasRemaining()) {
                return hand(next);
            }
            if (next == null && !read) {
                return null; // the client has sent nothing more yet
            }
        }
        if (!complete) {
            complete = true;
            if (reader.chunked()) {
                return hand(trailersEnd);
            }
        }
        return null;
    }

    private ByteBuffer hand(ByteBuffer next) {
        run = next;
        runStart = next.position();
        return run;
    }

    @Override
    public boolean isComplete() {
        return complete;
    }
}
