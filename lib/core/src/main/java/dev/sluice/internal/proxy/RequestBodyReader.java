package dev.sluice.internal.proxy;

import dev.sluice.Route;
import dev.sluice.internal.http.BodyFraming;
import dev.sluice.internal.http.HttpStatus;
import dev.sluice.internal.http.RequestHead;
import dev.sluice.internal.net.Timeout;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads one request's body from its client: buffered whole before the request goes upstream ({@code
 * proxy_request_buffering on}, in memory or a temporary file: {@link RequestBody}), or streamed to the peer as it
 * arrives ({@link StreamedBody}), and {@code Expect: 100-continue} answered when the body is first needed, as nginx
 * does. The framing is checked either way ({@link BodyFramingCheck}): a refused body answers 400 or 413.
 */
final class RequestBodyReader {

    private static final Logger log = LoggerFactory.getLogger(RequestBodyReader.class);

    private final ClientConnection client;
    private final RequestCycle cycle;
    private final ClientOutput output;
    private final LoopContext loop;
    /** client_body_timeout: between two reads of the body, while the proxy waits for the client. */
    private final Timeout timer;
    private final long timeoutNanos;
    private final BodyFramingCheck framing;
    private final RequestBody buffered;
    private final StreamedBody streamed = new StreamedBody(this);
    /** A view of the client's read buffer holding a run of a streamed body, and the buffer it views. */
    private ByteBuffer view;
    private ByteBuffer viewed;
    /**
     * Whether the body streams to the peer as it arrives ({@code proxy_request_buffering off}, and the body has a
     * Content-Length or the peer speaks HTTP/1.1: a chunked body for an HTTP/1.0 peer is buffered, as nginx does).
     */
    private boolean streaming;
    /** Whether a streamed body waits for the client, which then resumes the attempt. */
    private boolean awaitingClient;
    /** Whether the client still waits for 100 Continue before it sends its body. */
    private boolean continueDue;
    /** Whether this request's body was taken up, to stream or to buffer ({@link #streams}). */
    private boolean taken;
    /** Drops an untouched body after a response of the proxy's own; made at the first. */
    private BodyDiscard discard;
    private RequestHead request;

    RequestBodyReader(ClientConnection client, RequestCycle cycle, ClientOutput output, LoopContext loop) {
        this.client = client;
        this.cycle = cycle;
        this.output = output;
        this.loop = loop;
        this.timer = loop.eventLoop.newTimeout(this::timedOut);
        this.timeoutNanos = loop.engine.limits.bodyTimeout().toNanos();
        this.framing = new BodyFramingCheck(loop.engine.limits.maxBodySize());
        this.buffered = new RequestBody(loop);
    }

    /** A new request: no body read yet. */
    void begin(RequestHead head) {
        request = head;
        streaming = false;
        taken = false;
        awaitingClient = false;
        framing.begin(head);
        continueDue = head.expectsContinue() && head.hasBody();
    }

    /** The current request's {@code client_max_body_size} is its route's own: {@code max} bytes, 0 for no limit. */
    void limit(long max) {
        framing.limit(max);
    }

    /** Whether the body of the current request streams on {@code route}: decided once, before it goes upstream. */
    boolean streams(Route route) {
        taken = true;
        streaming = !route.requestBuffering()
                && (request.bodyFraming() == BodyFraming.CONTENT_LENGTH || route.http11());
        if (streaming) {
            streamed.begin();
        } else {
            int forHandler = route.handlerBodyLimit();
            buffered.begin(request.bodyFraming() == BodyFraming.CONTENT_LENGTH ? request.contentLength() : -1,
                    forHandler);
            if (forHandler > 0) {
                framing.tighten(forHandler);
            }
        }
        return streaming;
    }

    boolean isStreaming() {
        return streaming;
    }

    /** The body read whole, read-only, while it is in memory; else null. */
    ByteBuffer inMemory() {
        return streaming ? null : buffered.inMemory();
    }

    /** Starts buffering the body, answering 100 Continue first unless the client already began to send it. */
    void readWhole() {
        if (!client.input().hasRemaining()) {
            sendContinueIfDue();
        }
        timer.schedule(timeoutNanos);
        readBuffered();
    }

    /**
     * Buffers what the client sent of the body, its payload only, up to client_max_body_size: in memory up to
     * client_body_buffer_size, beyond it in a temporary file. A chunked body loses its chunk sizes, extensions and
     * trailers, as nginx's does, and goes with a Content-Length. The exchange goes upstream when the body is whole.
     */
    void readBuffered() {
        for (;;) {
            ByteBuffer in = client.input();
            int start = in.position();
            int refusal;
            try {
                refusal = framing.bufferInto(in, buffered);
                if (refusal == 0 && framing.done()) {
                    buffered.finish();
                }
            } catch (IOException e) {
                log.warn("cannot write a request body to {}", loop.engine.tempFiles.directory(), e);
                cycle.respond(HttpStatus.INTERNAL_SERVER_ERROR, null, true);
                return;
            }
            if (refusal != 0) {
                cycle.respond(refusal, null, true);
                return;
            }
            if (in.position() > start) {
                timer.schedule(timeoutNanos);
            }
            if (framing.done()) {
                timer.cancel();
                cycle.bodyRead();
                return;
            }
            int n = client.readClient();
            if (n < 0) {
                client.close();
                return;
            }
            if (n == 0) {
                client.idleInput();
                return;
            }
        }
    }

    /** Whether the body is chunked: a streamed one then ends with the CRLF that closes the trailers it left out. */
    boolean chunked() {
        return framing.isChunked();
    }

    /**
     * The next run of a streamed body, framing intact but for a chunked body's trailers, which stay behind ({@link
     * BodyFramingCheck#forwardEnd()}; the run may then be empty): a view of the client's bytes in its read buffer,
     * valid until it has been sent (the client is not read meanwhile). Null when the client has sent nothing more yet
     * (it is then watched under client_body_timeout and the attempt resumed when bytes come), when the body is over, or
     * when it failed: refused (400, 413) or cut off by the client (400, as nginx); the exchange then ended the attempt
     * and answered on a closing connection.
     */
    ByteBuffer nextRun() {
        for (;;) {
            if (framing.done() || !client.isUpstream()) {
                return null;
            }
            ByteBuffer in = client.input();
            int start = in.position();
            int refusal = framing.scan(in);
            if (refusal != 0) {
                cycle.abortStream(refusal, refusal == HttpStatus.CONTENT_TOO_LARGE
                        ? "client intended to send too large chunked body" : "client sent invalid chunked body");
                return null;
            }
            if (in.position() > start) {
                continueDue = false;
                timer.cancel(); // the peer now waits on the proxy, not on the client
                if (viewed != in) {
                    viewed = in;
                    view = in.duplicate();
                }
                view.limit(framing.forwardEnd()).position(start);
                return view;
            }
            sendContinueIfDue();
            int n = client.readClient();
            if (n < 0) {
                client.inputEnded();
                cycle.abortStream(HttpStatus.BAD_REQUEST, "client prematurely closed connection");
                return null;
            }
            if (n == 0) {
                awaitingClient = true;
                client.watchInput();
                timer.schedule(timeoutNanos);
                return null;
            }
        }
    }

    /**
     * The client became readable while the exchange is upstream: true when a streamed body was waiting for it (the
     * attempt resumes), false when the client's bytes are not this body's to take.
     */
    boolean clientReadable() {
        if (!awaitingClient) {
            return false;
        }
        awaitingClient = false;
        return true;
    }

    /** Whether a run went out to the peer and is not wholly sent: the client's buffer must not move until it is. */
    boolean holdsRun() {
        return streaming && streamed.holdsRun();
    }

    /** Whether a byte of a streamed body has gone to a peer: the request can then not be sent again. */
    boolean anySent() {
        return streaming && streamed.anySent();
    }

    /** Whether the whole body was read from the client. */
    boolean complete() {
        return framing.done();
    }

    /**
     * Answers {@code Expect: 100-continue} when the body is first needed: with request buffering at once, without it
     * once a peer is connected. Not after the client already began to send its body.
     */
    void sendContinueIfDue() {
        if (continueDue) {
            continueDue = false;
            output.sendContinue();
        }
    }

    /**
     * No more of the body goes to the peer. True when part of a streamed body is still unread: it must never be read
     * as the next request, so the client connection then closes after the response.
     */
    boolean stop() {
        boolean unread = streaming && !framing.done();
        awaitingClient = false;
        timer.cancel();
        streamed.abandon();
        return unread;
    }

    /** The body an attempt sends after the head: buffered, streamed, or null when there is none. */
    BodySource source() {
        if (request == null || !request.hasBody()) {
            return null;
        }
        return streaming ? streamed : buffered;
    }

    /** client_body_timeout passed with the client silent: 408, on a closing connection. */
    private void timedOut() {
        if (streaming && client.isUpstream()) {
            cycle.abortStream(HttpStatus.REQUEST_TIMEOUT, "client timed out");
        } else if (client.isReadingBody()) {
            cycle.respond(HttpStatus.REQUEST_TIMEOUT, null, true);
        }
    }

    /** The length of a buffered body, which goes with a Content-Length even when it came chunked. */
    long bufferedLength() {
        return buffered.length();
    }

    /**
     * Whether the body was never taken up: none of it read for a peer or a handler, so that after a response of the
     * proxy's own it can be dropped by its framing ({@link #discard}) and the connection kept.
     */
    boolean untouched() {
        return !taken;
    }

    /**
     * Before a response of the proxy's own: drops what already came of the untouched body, as nginx does before it
     * answers; false when that breaks the body's framing.
     */
    boolean dropArrived() {
        framing.limit(0); // nginx drops a body of any size
        ByteBuffer in = client.input();
        return !in.hasRemaining() || framing.scan(in) == 0;
    }

    /** After a response of the proxy's own: drops the rest of the untouched body, then reads the next request. */
    void discard() {
        if (discard == null) {
            discard = new BodyDiscard(client, framing, loop);
        }
        discard.begin();
    }

    /** The client sent more of a body being dropped. */
    void discardReadable() {
        discard.read();
    }

    /** The exchange is over, or the connection: gives back the body's memory and temporary file. */
    void release() {
        timer.cancel();
        if (discard != null) {
            discard.stop();
        }
        buffered.release();
        streamed.abandon();
        view = null;
        viewed = null;
    }
}
