package dev.sluice.internal.proxy;

import dev.sluice.internal.net.Wire;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Writes one request to a peer's connection: the head and the body's first run in one gathering write, then the
 * body's runs ({@link BodySource}) until the socket or a streamed body's client has to wait. nginx's {@code
 * ngx_http_upstream_send_request}; the {@link Attempt} decides what each {@link Result} means.
 */
final class RequestWriter {

    /** Where a call to {@link #write} left the request. */
    enum Result {
        /** Every byte of the head and the body went out. */
        SENT,
        /** The socket took what it could: write again when it is writable. */
        PEER_BUSY,
        /** A streamed body has no more bytes from its client yet: write again when they come. */
        CLIENT_PENDING,
        /** The socket failed. */
        FAILED,
        /** A buffered body could not be read back ({@link #bodyError()}). */
        BODY_UNREADABLE,
        /** The request was {@link #clear cleared} while a streamed body's client was read: nothing more to do. */
        STOPPED
    }

    private static final ByteBuffer NO_BODY = ByteBuffer.allocate(0);

    private final ByteBuffer[] outgoing = {NO_BODY, NO_BODY};
    private BodySource body;
    /** Bytes written to the socket since {@link #begin}. */
    private long sent;
    private IOException bodyError;

    /** Starts on a request: {@code head} from its first byte, then {@code body} (null when there is none). */
    void begin(ByteBuffer head, BodySource body) {
        outgoing[0] = head.position(0);
        outgoing[1] = NO_BODY;
        this.body = body;
        if (body != null) {
            body.rewind();
        }
        sent = 0;
        bodyError = null;
    }

    /** Forgets the request: nothing to send, nothing sent. */
    void clear() {
        outgoing[0] = NO_BODY;
        outgoing[1] = NO_BODY;
        body = null;
        sent = 0;
    }

    /** Whether a byte reached the socket since {@link #begin} ({@code request_sent}). */
    boolean anySent() {
        return sent > 0;
    }

    /** Bytes written to the socket since {@link #begin}: NGINX Plus's {@code sent} of the peer. */
    long sent() {
        return sent;
    }

    /** Whether every byte handed out so far went out: new bytes of a streamed body may go now. */
    boolean caughtUp() {
        return !outgoing[0].hasRemaining() && !outgoing[1].hasRemaining();
    }

    IOException bodyError() {
        return bodyError;
    }

    /** Writes to {@code wire} until everything went out (none of it held by the wire) or one side has to wait. */
    Result write(Wire wire) {
        for (;;) {
            if (!outgoing[1].hasRemaining() && body != null && !body.isComplete()) {
                ByteBuffer run;
                try {
                    run = body.next();
                } catch (IOException e) {
                    bodyError = e;
                    return Result.BODY_UNREADABLE;
                }
                if (body == null) {
                    return Result.STOPPED; // the exchange ended while the client was read
                }
                outgoing[1] = run == null ? NO_BODY : run;
            }
            try {
                if (caughtUp()) {
                    if (!wire.flush()) {
                        return Result.PEER_BUSY;
                    }
                    return body != null && !body.isComplete() ? Result.CLIENT_PENDING : Result.SENT;
                }
                sent += Math.max(0, wire.write(outgoing, 0, outgoing.length));
            } catch (IOException e) {
                return Result.FAILED;
            }
            if (!caughtUp()) {
                return Result.PEER_BUSY;
            }
        }
    }
}
