package dev.sluice.internal.proxy;

import dev.sluice.Route;
import dev.sluice.ValueTemplate;
import dev.sluice.internal.http.BodyFraming;
import dev.sluice.internal.http.HeadWriter;
import dev.sluice.internal.http.HttpFields;
import dev.sluice.internal.http.HttpVersion;
import dev.sluice.internal.http.RequestHead;
import dev.sluice.internal.http.TargetForm;
import dev.sluice.internal.net.ThreadBuffers;
import dev.sluice.upstream.UpstreamGroup;
import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Writes the request head a peer receives, as nginx's proxy module builds it: the client's method and target,
 * {@code Host: $proxy_host} unless {@code proxy_set_header Host} says otherwise, the client's fields less the
 * hop-by-hop ones (Connection and every field it names, Keep-Alive, Proxy-Connection, TE, Trailer, Upgrade,
 * HTTP2-Settings, Expect), the {@code proxy_set_header} fields (an empty value removes one), and no Connection
 * field on HTTP/1.1 so the connection can be kept alive.
 *
 * <p>The framing fields are the proxy's own, written from the body as the proxy frames it, never copied: {@code
 * Content-Length} with the parsed length (so {@code 005} goes as {@code 5}, as nginx sends it), {@code
 * Transfer-Encoding: chunked} for a chunked body that streams, and for a chunked body the proxy read whole the
 * length of its payload, as nginx's {@code $proxy_internal_body_length} gives it. So neither a {@code Connection}
 * field naming them nor a handler's edits can send a body the peer would frame differently from the proxy.
 *
 * <p>A genuine upgrade request to a protocol the route allows (see {@link Route}: HTTP/1.1 GET, {@code
 * Connection: upgrade}, Upgrade fields naming only allowed protocols, no body) keeps its Upgrade field and gets
 * {@code Connection: upgrade}, with no configuration: what nginx needs {@code proxy_set_header Upgrade
 * $http_upgrade} and {@code Connection "upgrade"} for. A {@code proxy_set_header} of either field still wins.
 */
final class RequestRewriter {

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private static final byte[] HTTP_11 = " HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HTTP_10 = " HTTP/1.0\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final String[] HOP_BY_HOP = {
        "Connection", "Keep-Alive", "Proxy-Connection", "TE", "Trailer", "Upgrade", "HTTP2-Settings", "Expect", "Host"
    };

    private RequestRewriter() {
    }

    /**
     * Writes the upstream head into {@code reuse}, or a buffer lent by the thread when it is null or too small (the
     * smaller one given back), and returns it ready to read; {@code upgrade}
     * says the request asks to switch protocols and is forwarded as such; {@code dechunkedLength} is the payload
     * length of a buffered chunked body, sent with that Content-Length instead of chunked, or -1 for a body sent
     * as the client framed it; {@code group} names {@code $proxy_host}; {@code edits} are a handler's,
     * or null.
     */
    static ByteBuffer write(RequestHead request, Route route, UpstreamGroup group, ValueTemplate.Variables variables,
            ByteBuffer reuse, StringBuilder scratch, boolean upgrade, long dechunkedLength, RequestEdits edits) {
        int size = request.headLength() + 256;
        ThreadBuffers buffers = ThreadBuffers.ofThisThread();
        ByteBuffer dst = reuse == null ? buffers.heapAtLeast(size)
                : reuse.capacity() < size ? buffers.replace(reuse, size) : reuse;
        for (;;) {
            try {
                dst.clear();
                writeInto(dst, request, route, group, variables, scratch, upgrade, dechunkedLength, edits);
                return dst.flip();
            } catch (BufferOverflowException e) {
                dst = buffers.replace(dst, dst.capacity() * 2);
            }
        }
    }

    private static void writeInto(ByteBuffer dst, RequestHead request, Route route, UpstreamGroup group,
            ValueTemplate.Variables variables, StringBuilder scratch, boolean upgrade, long dechunkedLength,
            RequestEdits edits) {
        FieldEdits fieldEdits = edits == null ? null : edits.fields;
        String method = edits == null ? null : edits.method();
        String target = edits != null && edits.target() != null ? edits.target()
                : route.passUriTemplate() != null ? templateTarget(route.passUriTemplate(), variables)
                : route.passUri() != null ? passTarget(request, route) : null;
        if (method != null || target != null) {
            putAscii(dst, method != null ? method : request.method());
            dst.put((byte) ' ');
            putAscii(dst, target != null ? target : originForm(request.target()));
            dst.put(route.http11() ? HTTP_11 : HTTP_10);
        } else if (request.targetForm() == TargetForm.ORIGIN && !request.isRerouted()) {
            HeadWriter.requestLine(dst, request, route.http11() ? HttpVersion.HTTP_1_1 : HttpVersion.HTTP_1_0);
        } else {
            putAscii(dst, request.method());
            dst.put((byte) ' ');
            putAscii(dst, originForm(request.target()));
            dst.put(route.http11() ? HTTP_11 : HTTP_10);
        }
        List<Map.Entry<String, ValueTemplate>> set = route.setHeaders();
        ValueTemplate host = null;
        for (int i = 0; i < set.size(); i++) { // by index: no iterator per request
            if (set.get(i).getKey().equals("Host")) {
                host = set.get(i).getValue();
            }
        }
        scratch.setLength(0);
        if (host == null) {
            scratch.append(group.name());
        } else {
            host.appendTo(scratch, variables);
        }
        if (scratch.length() > 0 && (fieldEdits == null || !fieldEdits.drops("Host"))) {
            HeadWriter.field(dst, "Host", scratch);
        }
        writeFraming(dst, request, dechunkedLength);
        HttpFields fields = request.fields();
        for (int i = 0; i < fields.size(); i++) {
            boolean upgradeField = upgrade && fields.nameEquals(i, "Upgrade");
            if (isFraming(fields, i) || !upgradeField && (isHopByHop(fields, i) || request.isListedInConnection(i))
                    || isSet(fields, i, set) || fieldEdits != null && fieldEdits.drops(fields, i)) {
                continue;
            }
            HeadWriter.copyField(dst, fields, i);
        }
        for (int s = 0; s < set.size(); s++) {
            Map.Entry<String, ValueTemplate> e = set.get(s);
            if (e.getKey().equals("Host") || fieldEdits != null && fieldEdits.drops(e.getKey())) {
                continue;
            }
            scratch.setLength(0);
            e.getValue().appendTo(scratch, variables);
            if (scratch.length() > 0) {
                HeadWriter.field(dst, e.getKey(), scratch);
            }
        }
        if (fieldEdits != null) {
            fieldEdits.writeAdded(dst);
        }
        if (!route.http11()) {
            HeadWriter.field(dst, "Connection", "close");
        } else if (upgrade && !isSet("Connection", set)) {
            HeadWriter.field(dst, "Connection", "upgrade");
        }
        HeadWriter.endHead(dst);
    }

    /** The body's framing as the proxy frames it; see the class comment. */
    private static void writeFraming(ByteBuffer dst, RequestHead request, long dechunkedLength) {
        if (dechunkedLength >= 0) {
            HeadWriter.field(dst, "Content-Length", dechunkedLength);
        } else if (request.bodyFraming() == BodyFraming.CONTENT_LENGTH) {
            HeadWriter.field(dst, "Content-Length", request.contentLength());
        } else if (request.bodyFraming() == BodyFraming.CHUNKED) {
            HeadWriter.field(dst, "Transfer-Encoding", "chunked");
        }
    }

    private static boolean isHopByHop(HttpFields fields, int index) {
        for (String name : HOP_BY_HOP) {
            if (fields.nameEquals(index, name)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isFraming(HttpFields fields, int index) {
        return fields.nameEquals(index, "Transfer-Encoding") || fields.nameEquals(index, "Content-Length");
    }

    private static boolean isSet(HttpFields fields, int index, List<Map.Entry<String, ValueTemplate>> set) {
        for (int i = 0; i < set.size(); i++) {
            if (fields.nameEquals(index, set.get(i).getKey())) {
                return true;
            }
        }
        return false;
    }

    private static boolean isSet(String name, List<Map.Entry<String, ValueTemplate>> set) {
        for (int i = 0; i < set.size(); i++) {
            if (set.get(i).getKey().equalsIgnoreCase(name)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The target with the route's prefix replaced by its {@code passUri}, as nginx's {@code proxy_pass} with a URI
     * part does: the normalised path ({@code $uri}, dot segments resolved, escapes decoded) escaped again as nginx
     * escapes it, with the client's query unless it is empty ({@code $is_args$args}).
     */
    static String passTarget(RequestHead request, Route route) {
        StringBuilder target = new StringBuilder(route.passUri());
        request.appendEscapedPath(target, request.pathStartsWith(route.prefix()) ? route.prefix().length() : 0);
        String raw = request.target();
        int query = raw.indexOf('?');
        return query < 0 || query == raw.length() - 1 ? target.toString()
                : target.append(raw, query, raw.length()).toString();
    }

    /**
     * The target a route's {@code passUri} with variables names, whole, as nginx's {@code proxy_pass} with
     * variables: what the variables bring is escaped where it could break the request line.
     */
    static String templateTarget(ValueTemplate template, ValueTemplate.Variables variables) {
        StringBuilder value = new StringBuilder();
        template.appendTo(value, variables);
        StringBuilder target = new StringBuilder(value.length() + 16);
        for (int i = 0; i < value.length(); i++) {
            int c = value.charAt(i) & 0xff; // request bytes, one char each
            if (c <= ' ' || c >= 0x7f) {
                target.append('%').append(HEX[c >> 4]).append(HEX[c & 0xf]);
            } else {
                target.append((char) c);
            }
        }
        return target.toString();
    }

    /** The request target in origin form: an absolute-form target loses its scheme and authority. */
    static String originForm(String target) {
        if (target.startsWith("/")) {
            return target;
        }
        int scheme = target.indexOf("://");
        if (scheme < 0) {
            return target;
        }
        int path = target.indexOf('/', scheme + 3);
        int query = target.indexOf('?', scheme + 3);
        if (path < 0 || query >= 0 && query < path) {
            return query < 0 ? "/" : "/" + target.substring(query);
        }
        return target.substring(path);
    }

    private static void putAscii(ByteBuffer dst, String s) {
        for (int i = 0; i < s.length(); i++) {
            dst.put((byte) s.charAt(i));
        }
    }
}
