package dev.sluice.internal.http;

import java.nio.charset.StandardCharsets;

/**
 * A parsed upstream response head and what the proxy decides from it: body framing (RFC 9112 §6.3), whether it is
 * an interim 1xx response, and whether the upstream connection may go back to the keepalive pool. Obtained from
 * {@link ResponseParser#head()} after {@link ParseResult#DONE}; reused by the parser, valid until its next reset.
 *
 * <p>{@link #bodyFraming()} says no body for a HEAD request, 1xx, 204 and 304; then chunked, Content-Length, or
 * until the upstream closes. {@link #contentLength()} reports a declared length even where no body follows.
 */
public final class ResponseHead extends MessageHead {

    private int reasonStart;
    private int reasonEnd;
    private String reason;
    int status;
    boolean connectionClose;

    ResponseHead(HttpFields fields) {
        super(fields);
        clear();
    }

    @Override
    void clear() {
        super.clear();
        reason = null;
        status = 0;
        connectionClose = false;
    }

    void setStatusLine(HttpVersion version, int status, int reasonStart, int reasonEnd) {
        this.version = version;
        this.status = status;
        this.reasonStart = reasonStart;
        this.reasonEnd = reasonEnd;
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

    @Override
    public String toString() {
        if (version == null) {
            return "ResponseHead[incomplete]";
        }
        return version + " " + status + " " + reason() + "\n" + fields;
    }
}
