package dev.sluice.testing;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * One request as a {@link ScriptedUpstream} received it: the parsed request line, headers and decoded
 * body, plus the exact bytes that arrived on the wire, so a proxy test can assert both what the proxy
 * meant to forward and how it framed it.
 *
 * <p>A request the upstream could not parse is still recorded, with whatever was read before the
 * problem, and {@link #parseError()} says what was wrong; the upstream answered it with 400 and closed.
 */
public final class RecordedRequest {

    private final String method;
    private final String target;
    private final String version;
    private final List<Map.Entry<String, String>> headerList;
    private final Map<String, List<String>> headers;
    private final byte[] body;
    private final byte[] raw;
    private final int connectionSequence;
    private final int requestIndex;
    private final int clientPort;
    private final String parseError;
    private final boolean keepAlive;

    RecordedRequest(String method, String target, String version, List<Map.Entry<String, String>> headerList,
            byte[] body, byte[] raw, int connectionSequence, int requestIndex, int clientPort, String parseError,
            boolean keepAlive) {
        this.method = method;
        this.target = target;
        this.version = version;
        this.headerList = List.copyOf(headerList);
        this.headers = Wire.multimap(this.headerList);
        this.body = body;
        this.raw = raw;
        this.connectionSequence = connectionSequence;
        this.requestIndex = requestIndex;
        this.clientPort = clientPort;
        this.parseError = parseError;
        this.keepAlive = keepAlive;
    }

    /** The request method, e.g. {@code GET}; empty if the request line could not be parsed. */
    public String method() {
        return method;
    }

    /** The request target exactly as sent, e.g. {@code /a?b=c}. */
    public String target() {
        return target;
    }

    /** The protocol version from the request line, e.g. {@code HTTP/1.1}. */
    public String version() {
        return version;
    }

    /** Headers as a case-insensitive multimap; values keep their arrival order. */
    public Map<String, List<String>> headers() {
        return headers;
    }

    /** Header fields in arrival order with their original name spelling. */
    public List<Map.Entry<String, String>> headerList() {
        return headerList;
    }

    /** The first value of the named header (any case), or null. */
    public String header(String name) {
        List<String> values = headers.get(name);
        return values == null ? null : values.get(0);
    }

    /** Every value of the named header (any case); empty if absent. */
    public List<String> headerValues(String name) {
        return headers.getOrDefault(name, List.of());
    }

    /** The body after removing any chunked framing. */
    public byte[] body() {
        return body.clone();
    }

    /** The body decoded as UTF-8. */
    public String bodyUtf8() {
        return new String(body, StandardCharsets.UTF_8);
    }

    /** Every byte of this request exactly as received: request line, headers, framing, body, trailers. */
    public byte[] raw() {
        return raw.clone();
    }

    /** {@link #raw()} as ISO-8859-1 text, handy for {@code assertEquals("GET / HTTP/1.1\r\n...", ...)}. */
    public String rawString() {
        return new String(raw, StandardCharsets.ISO_8859_1);
    }

    /** Which accepted connection carried this request: 0 for the upstream's first connection, then 1, ... */
    public int connectionSequence() {
        return connectionSequence;
    }

    /** Position of this request on its connection: 0 for the first, 1 for the second (reused) one, ... */
    public int requestIndex() {
        return requestIndex;
    }

    /** The client's (the proxy's) source port of the connection. */
    public int clientPort() {
        return clientPort;
    }

    /** Why the request was rejected as malformed, or null if it parsed. */
    public String parseError() {
        return parseError;
    }

    /** Whether the request allows the connection to stay open after the response. */
    boolean keepAlive() {
        return keepAlive;
    }

    @Override
    public String toString() {
        return method + " " + target + " " + version + " (connection " + connectionSequence + ", request "
                + requestIndex + ", " + body.length + " body bytes" + (parseError == null ? "" : ", malformed: "
                + parseError) + ")";
    }
}
