package dev.sluice.internal.proxy;

import dev.sluice.internal.http.BodyDecoder;
import dev.sluice.internal.http.BodyFraming;
import dev.sluice.internal.http.ChunkedDecoder;
import dev.sluice.internal.http.ContentLengthDecoder;
import dev.sluice.internal.http.HttpFields;
import dev.sluice.internal.http.HttpStatus;
import dev.sluice.internal.http.ParseResult;
import dev.sluice.internal.http.RequestHead;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * One request body's framing, decoded as its bytes arrive and checked the way nginx checks it: broken framing or
 * trailers that would override the head are refused with 400, a chunked body beyond {@code client_max_body_size} with
 * 413 (a declared Content-Length was checked with the head). Either buffers the payload ({@link #bufferInto}) or scans
 * the bytes with their framing kept, trailers left out, for a body that streams ({@link #scan}). One per client
 * connection, reset for each request; no I/O, so a test drives it with buffers alone.
 */
final class BodyFramingCheck {

    private final ContentLengthDecoder lengthDecoder = new ContentLengthDecoder();
    private final ChunkedDecoder chunkedDecoder = new ChunkedDecoder();
    private final long defaultMaxBodySize;
    private long maxBodySize;
    private BodyDecoder decoder;
    private boolean done = true;
    private int forwardEnd;

    /** @param maxBodySize {@code client_max_body_size} in bytes; 0 for no limit */
    BodyFramingCheck(long maxBodySize) {
        this.defaultMaxBodySize = maxBodySize;
        this.maxBodySize = maxBodySize;
    }

    /** Starts the body of {@code head}; a request without one is done at once. */
    void begin(RequestHead head) {
        maxBodySize = defaultMaxBodySize;
        done = !head.hasBody();
        if (done) {
            decoder = null;
        } else if (head.bodyFraming() == BodyFraming.CHUNKED) {
            chunkedDecoder.reset();
            decoder = chunkedDecoder;
        } else {
            lengthDecoder.reset(head.contentLength());
            decoder = lengthDecoder;
        }
    }

    /** This request's {@code client_max_body_size}: its route's own, in place of the proxy's; 0 for no limit. */
    void limit(long max) {
        maxBodySize = max;
    }

    /** Limits this request's body to {@code max} payload bytes, when that is tighter than client_max_body_size. */
    void tighten(long max) {
        maxBodySize = maxBodySize <= 0 ? max : Math.min(maxBodySize, max);
    }

    /** Whether the whole body has been read (true for a request without one). */
    boolean done() {
        return done;
    }

    /**
     * Adds the payload of the body bytes {@code in} holds from its position to {@code body}: chunk sizes, extensions
     * and trailers are dropped, as nginx drops them from a buffered body.
     *
     * @return 0, or the status that refuses the body
     * @throws IOException when the body's temporary file cannot be written
     */
    int bufferInto(ByteBuffer in, RequestBody body) throws IOException {
        ParseResult result;
        while ((result = decoder.decode(in)) == ParseResult.DATA) {
            body.append(in, decoder.payloadStart(), decoder.payloadLength());
        }
        return refusal(result);
    }

    /**
     * Scans the body bytes {@code in} holds from its position, their framing kept for a body that streams; {@link
     * #forwardEnd()} then says where what goes to the peer ends.
     *
     * @return 0, or the status that refuses the body
     */
    int scan(ByteBuffer in) {
        int start = in.position();
        boolean inTrailers = trailersStart() >= 0;
        int refusal = refusal(decoder.scan(in));
        forwardEnd = inTrailers ? start : trailersStart() >= 0 ? trailersStart() : in.position();
        return refusal;
    }

    /** Where the trailer section began in the buffer scanned when it did; -1 before it did, or without chunks. */
    private int trailersStart() {
        return decoder == chunkedDecoder ? chunkedDecoder.trailersStart() : -1;
    }

    /**
     * After {@link #scan}: the end of the scanned bytes that go to the peer. A chunked body's trailer section stays
     * behind, as nginx drops a request's trailers: the peer gets the chunks up to the last chunk's size line, and
     * the section's final CRLF is the streamed body's to add ({@link StreamedBody}).
     */
    int forwardEnd() {
        return forwardEnd;
    }

    /** Whether the body is chunked. */
    boolean isChunked() {
        return decoder == chunkedDecoder;
    }

    private int refusal(ParseResult result) {
        if (result == ParseResult.ERROR) {
            return HttpStatus.BAD_REQUEST;
        }
        if (chunkedBodyTooLarge()) {
            return HttpStatus.CONTENT_TOO_LARGE;
        }
        if (result == ParseResult.DONE) {
            if (trailersOverrideHead()) {
                return HttpStatus.BAD_REQUEST;
            }
            done = true;
        }
        return 0;
    }

    /**
     * Whether a chunked body's trailers hold a field only a head may carry: refused with 400 whether the body is
     * buffered or streams (neither forwards trailers), so that no upstream, however it reads trailers, could take
     * another length or host from the request than the proxy did.
     */
    private boolean trailersOverrideHead() {
        if (decoder != chunkedDecoder) {
            return false;
        }
        HttpFields trailers = chunkedDecoder.trailers();
        return trailers.contains("Content-Length") || trailers.contains("Transfer-Encoding") || trailers.contains("Host");
    }

    /**
     * Whether a chunked body broke client_max_body_size, which counts payload bytes as nginx does. The framing, kept
     * for the upstream when the body streams, may add as much again as the limit, at least 64 KiB, so a body of tiny
     * chunks cannot grow the buffer without bound.
     */
    private boolean chunkedBodyTooLarge() {
        if (maxBodySize <= 0 || decoder != chunkedDecoder) {
            return false;
        }
        long payload = chunkedDecoder.payloadBytes();
        return payload > maxBodySize || chunkedDecoder.messageBytes() - payload > Math.max(maxBodySize, 65536);
    }
}
