package dev.sluice.internal.proxy;

import dev.sluice.ValueTemplate;
import dev.sluice.internal.http.HeadWriter;
import dev.sluice.internal.http.HttpFields;
import dev.sluice.internal.http.HttpVersion;
import dev.sluice.internal.http.RequestHead;
import dev.sluice.internal.http.ResponseHead;
import dev.sluice.internal.net.ThreadBuffers;
import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;

/**
 * Writes the response head a client receives: the peer's status and fields less the hop-by-hop ones
 * (Connection and every field it names, Keep-Alive, Proxy-Connection, TE, Trailer, Upgrade) and nginx's hidden
 * {@code X-Accel-*} fields, a {@code Date} when the peer sent none (RFC 9110 section 6.6.1), then the proxy's own
 * Connection field for the client connection. A 101 that switches
 * the connection's protocol keeps the peer's Upgrade field and says {@code Connection: upgrade}.
 *
 * <p>The framing fields are written where the peer had them, from the head as the proxy parsed it: {@code
 * Content-Length} with the parsed length, {@code Transfer-Encoding: chunked} (dropped for an HTTP/1.0 client, whose
 * body is decoded and ends with the connection), so that a {@code Connection} field naming them cannot leave the
 * client to frame a body the proxy framed otherwise.
 */
final class ResponseRewriter {

    private static final String[] HOP_BY_HOP = {
        "Connection", "Keep-Alive", "Proxy-Connection", "TE", "Trailer", "Upgrade"
    };

    private ResponseRewriter() {
    }

    /**
     * Writes the client head into {@code reuse}, or a larger buffer lent by the thread for which {@code reuse} is
     * given back, left in write mode; {@code status} in place of the peer's (an {@code error_page}'s), or 0 for the
     * peer's own; {@code upgrade} for the 101 of an upgraded connection; {@code chunk} for a
     * body the peer ends by closing that goes to the client chunked ({@link ResponseRelay#chunks}); {@code edits}
     * are a handler's, or null; {@code redirects} the route's {@code proxy_redirect}, or null, evaluated with the
     * request's {@code variables} in {@code scratch}.
     */
    static ByteBuffer write(ResponseHead head, int status, RequestHead request, boolean keepAlive, ByteBuffer reuse,
            boolean upgrade, boolean chunk, FieldEdits edits, RedirectRewrite redirects,
            ValueTemplate.Variables variables, StringBuilder scratch) {
        int size = head.headLength() + 128;
        ThreadBuffers buffers = ThreadBuffers.ofThisThread();
        ByteBuffer dst = reuse.capacity() < size ? buffers.replace(reuse, size) : reuse;
        boolean dechunk = request.version() == HttpVersion.HTTP_1_0;
        for (;;) {
            try {
                dst.clear();
                writeInto(dst, head, status, request, keepAlive, dechunk, upgrade, chunk, edits, redirects,
                        variables, scratch);
                return dst;
            } catch (BufferOverflowException e) {
                dst = buffers.replace(dst, dst.capacity() * 2);
            }
        }
    }

    private static void writeInto(ByteBuffer dst, ResponseHead head, int status, RequestHead request,
            boolean keepAlive, boolean dechunk, boolean upgrade, boolean chunk, FieldEdits edits,
            RedirectRewrite redirects, ValueTemplate.Variables variables, StringBuilder scratch) {
        if (status != 0) {
            HeadWriter.statusLine(dst, status);
        } else {
            HeadWriter.statusLine(dst, head);
        }
        HttpFields fields = head.fields();
        boolean dated = false;
        for (int i = 0; i < fields.size(); i++) {
            if (fields.nameEquals(i, "Content-Length")) {
                HeadWriter.field(dst, "Content-Length", head.contentLength());
                continue;
            }
            if (fields.nameEquals(i, "Transfer-Encoding")) {
                if (!dechunk) {
                    HeadWriter.field(dst, "Transfer-Encoding", "chunked");
                }
                continue;
            }
            boolean upgradeField = upgrade && fields.nameEquals(i, "Upgrade");
            if (!upgradeField && (isHopByHop(fields, i) || head.isListedInConnection(i))
                    || fields.nameStartsWith(i, "X-Accel-") || edits != null && edits.drops(fields, i)) {
                continue;
            }
            if (redirects == null || !redirects.write(dst, fields, i, variables, scratch)) {
                HeadWriter.copyField(dst, fields, i);
            }
            dated |= fields.nameEquals(i, "Date");
        }
        if (!dated) {
            HeadWriter.dateField(dst);
        }
        if (chunk) {
            HeadWriter.field(dst, "Transfer-Encoding", "chunked");
        }
        if (edits != null) {
            edits.writeAdded(dst);
        }
        if (upgrade) {
            HeadWriter.field(dst, "Connection", "upgrade");
        } else if (!keepAlive) {
            HeadWriter.field(dst, "Connection", "close");
        } else if (request.version() == HttpVersion.HTTP_1_0) {
            HeadWriter.field(dst, "Connection", "keep-alive");
        }
        HeadWriter.endHead(dst);
    }

    private static boolean isHopByHop(HttpFields fields, int index) {
        for (String name : HOP_BY_HOP) {
            if (fields.nameEquals(index, name)) {
                return true;
            }
        }
        return false;
    }
}
