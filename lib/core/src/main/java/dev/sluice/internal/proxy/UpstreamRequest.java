package dev.sluice.internal.proxy;

import dev.sluice.Route;
import dev.sluice.internal.http.BodyFraming;
import dev.sluice.internal.http.RequestHead;
import dev.sluice.internal.net.ThreadBuffers;
import dev.sluice.upstream.UpstreamGroup;
import java.nio.ByteBuffer;

/**
 * The request as every attempt of an exchange sends it: the head written for the peers once ({@link
 * RequestRewriter}), the body after it, and what an attempt must know of it: whether it may go out again, whether
 * it is a HEAD request (a response with no body), whether it asks to switch protocols. One per client connection;
 * its head buffer is lent by the thread for the exchange and given back at its end.
 */
final class UpstreamRequest {

    private final RequestBodyReader body;
    private final StringBuilder scratch;
    private ByteBuffer head;
    private boolean idempotent;
    private boolean headMethod;
    private boolean upgrade;

    UpstreamRequest(RequestBodyReader body, StringBuilder scratch) {
        this.body = body;
        this.scratch = scratch;
    }

    /**
     * Writes {@code request}'s head for {@code group} under {@code route}, with a handler's {@code edits} (or
     * null): a genuine upgrade to a protocol the route allows stays one; a chunked body read whole goes with its
     * length.
     */
    void write(RequestHead request, Route route, UpstreamGroup group, RequestVariables variables, RequestEdits edits) {
        idempotent = request.isIdempotent() || request.fields().contains("Idempotency-Key");
        headMethod = request.isMethod("HEAD");
        upgrade = request.isUpgrade() && request.isMethod("GET") && !request.hasBody() && route.http11()
                && request.upgradesOnlyTo(route.upgradeProtocols());
        long dechunkedLength = request.bodyFraming() == BodyFraming.CHUNKED && !body.isStreaming()
                ? body.bufferedLength() : -1;
        head = RequestRewriter.write(request, route, group, variables, head, scratch, upgrade, dechunkedLength,
                edits);
    }

    /** The exchange is over: the head buffer goes back to the thread. */
    void release() {
        if (head != null) {
            ThreadBuffers.ofThisThread().giveBack(head);
            head = null;
        }
    }

    /** Whether the request may be sent again: not POST, LOCK or PATCH, or it carries an Idempotency-Key. */
    boolean isIdempotent() {
        return idempotent;
    }

    /** Whether it is a HEAD request, whose response has no body whatever its head says. */
    boolean isHeadMethod() {
        return headMethod;
    }

    /** Whether it asks to switch protocols and went as such. */
    boolean isUpgrade() {
        return upgrade;
    }

    /** The head as the peers get it, ready to read. */
    ByteBuffer head() {
        return head;
    }

    /** The body an attempt sends after the head: buffered, streamed, or null when there is none. */
    BodySource body() {
        return body.source();
    }
}
