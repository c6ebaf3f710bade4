package dev.sluice.http;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;

/**
 * A parsed upstream response head and what the proxy decides from it: body framing (RFC 9112 §6.3), whether it is
 * an interim 1xx response, and whether the upstream connection may go back to the keepalive pool. Obtained from
 * {@link ResponseParser#head()} after {@link ParseResult#DONE}; reused by the parser, valid until its next reset.
 */
public final class ResponseHead {

    private final HttpFields fields;
    private byte[] buf;
    private int reasonStart;
    private int reasonEnd;
    private String reason;
    HttpVersion version;
    int status;
    int contentLengthIndex;
    int transferEncodingIndex;
    boolean connectionClose;
    BodyFraming framing;
    long contentLength;
    int headLength;

    ResponseHead(HttpFields fields) {
        this.fields = fields;
        clear();
    }

    void clear() {
        reason = null;
        version = null;
        status = 0;
        contentLengthIndex = -1;
        transferEncodingIndex = -1;
        connectionClose = false;
        framing = BodyFraming.NONE;
        contentLength = -1;
        headLength = 0;
    }

    void setStatusLine(HttpVersion version, int status, int reasonStart, int reasonEnd) {
        this.version = version;
        this.status = status;
        this.reasonStart = reasonStart;
        this.reasonEnd = reasonEnd;
    }

    void bind(byte[] buffer) {
        this.buf = buffer;
    }

    byte[] buffer() {
        return buf;
    }

    int reasonStart() {
        return reasonStart;
    }

    int reasonEnd() {
        return reasonEnd;
    }

    /** The status code, 100-599. */
    public int status() {
        return status;
    }

    /** The reason phrase as sent, possibly empty. */
    public String reason() {
        if (reason == null) {
            reason = new String(buf, reasonStart, reasonEnd - reasonStart, StandardCharsets.ISO_8859_1);
        }
        return reason;
    }

    /** HTTP/1.0 or HTTP/1.1 (1.2 to 1.9 count as 1.1). */
    public HttpVersion version() {
        return version;
    }

    /** Every field line, in order. */
    public HttpFields fields() {
        return fields;
    }

    /**
     * Whether this is an interim response (1xx other than 101, e.g. {@code 100 Continue}, {@code 103 Early Hints}):
     * the final response follows on the same connection; see {@link ResponseParser#nextHead()}.
     */
    public boolean isInterim() {
        return status < 200 && status != HttpStatus.SWITCHING_PROTOCOLS;
    }

    /** Whether the upstream switched protocols (101): the connection becomes a tunnel and is never pooled. */
    public boolean isUpgrade() {
        return status == HttpStatus.SWITCHING_PROTOCOLS;
    }

    /**
     * How the body is delimited, given whether the request was HEAD: no body for HEAD, 1xx, 204 and 304; then
     * chunked, Content-Length, or until the upstream closes.
     */
    public BodyFraming bodyFraming() {
        return framing;
    }

    /** The Content-Length value, or -1 when absent (also reported for HEAD and 304, where no body follows). */
    public long contentLength() {
        return contentLength;
    }

    /**
     * nginx's {@code connection_close}: the status line says HTTP/1.0, or a Connection field contains
     * {@code close} anywhere in its value, in any case.
     */
    public boolean isConnectionClose() {
        return connectionClose;
    }

    /**
     * Whether the upstream connection may be cached for another request once this response's body has been read to
     * its end: not {@link #isConnectionClose()}, not delimited by close, not a protocol switch. Interim responses are
     * followed by the final one, which decides.
     */
    public boolean isReusable() {
        return !connectionClose && framing != BodyFraming.UNTIL_CLOSE && status != HttpStatus.SWITCHING_PROTOCOLS;
    }

    /**
     * The {@code timeout} parameter of the Keep-Alive field in seconds ({@code Keep-Alive: timeout=5, max=100}
     * gives 5), or -1 when absent or not a number; lets the keepalive pool learn how long the peer keeps idle
     * connections open.
     */
    public long keepAliveTimeout() {
        return KeepAliveParams.find(fields, "timeout");
    }

    /** The {@code max} parameter of the Keep-Alive field (requests left on this connection), or -1. */
    public long keepAliveMax() {
        return KeepAliveParams.find(fields, "max");
    }

    /** The tokens of every Connection field, lower-cased. */
    public List<String> connectionTokens() {
        return ConnectionOptions.tokens(fields);
    }

    /** Whether field {@code index} is named by a Connection token and so must not be forwarded. No allocation. */
    public boolean isListedInConnection(int index) {
        Objects.checkIndex(index, fields.size());
        return ConnectionOptions.lists(fields, index);
    }

    /** Bytes the head occupied on the wire, status line to final CRLF. */
    public int headLength() {
        return headLength;
    }

    @Override
    public String toString() {
        if (version == null) {
            return "ResponseHead[incomplete]";
        }
        return version + " " + status + " " + reason() + "\n" + fields;
    }
}
