package dev.sluice.http;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;

/**
 * A parsed request head and the decisions nginx takes from it: body framing, keep-alive, {@code Expect:
 * 100-continue}, protocol upgrade, and whether the method may be retried on another upstream. Obtained from
 * {@link RequestParser#head()} after {@link ParseResult#DONE}; the same instance is reused by the parser and is
 * valid until its next {@link RequestParser#reset()}.
 *
 * <p>Accessors that return booleans, enums or numbers never allocate; {@link #method()} returns a shared constant
 * for the methods nginx knows; {@link #target()} and field strings are built on first access.
 */
public final class RequestHead {

    private final HttpFields fields;
    private byte[] buf;
    private int methodStart;
    private int methodEnd;
    private String method;
    private int targetStart;
    private int targetEnd;
    private String target;
    HttpVersion version;
    TargetForm targetForm;
    int hostIndex;
    int contentLengthIndex;
    int transferEncodingIndex;
    int expectIndex;
    int upgradeIndex;
    int connectionFlags;
    BodyFraming framing;
    long contentLength;
    int headLength;

    RequestHead(HttpFields fields) {
        this.fields = fields;
        clear();
    }

    void clear() {
        method = null;
        target = null;
        version = null;
        targetForm = null;
        hostIndex = -1;
        contentLengthIndex = -1;
        transferEncodingIndex = -1;
        expectIndex = -1;
        upgradeIndex = -1;
        connectionFlags = 0;
        framing = BodyFraming.NONE;
        contentLength = -1;
        headLength = 0;
    }

    void setRequestLine(int methodStart, int methodEnd, String knownMethod, int targetStart, int targetEnd) {
        this.methodStart = methodStart;
        this.methodEnd = methodEnd;
        this.method = knownMethod;
        this.targetStart = targetStart;
        this.targetEnd = targetEnd;
    }

    void bind(byte[] buffer) {
        this.buf = buffer;
    }

    /** The method, case-sensitive as sent. Known methods (GET, POST, ...) are shared constants: no allocation. */
    public String method() {
        if (method == null) {
            method = new String(buf, methodStart, methodEnd - methodStart, StandardCharsets.ISO_8859_1);
        }
        return method;
    }

    /** Whether the method is exactly {@code name} (methods are case-sensitive). Does not allocate. */
    public boolean isMethod(String name) {
        return Ascii.equals(buf, methodStart, methodEnd, name);
    }

    /**
     * Whether a failed attempt may be retried on another upstream, by nginx's rule: every method except POST, LOCK
     * and PATCH — unknown methods included — counts as idempotent ({@code proxy_next_upstream non_idempotent} is
     * what allows retrying those three).
     */
    public boolean isIdempotent() {
        return Methods.isIdempotent(method);
    }

    /** The request-target exactly as received, e.g. {@code "/search?q=x"}. */
    public String target() {
        if (target == null) {
            target = new String(buf, targetStart, targetEnd - targetStart, StandardCharsets.ISO_8859_1);
        }
        return target;
    }

    /** Which of the four request-target forms {@link #target()} is. */
    public TargetForm targetForm() {
        return targetForm;
    }

    /** HTTP/1.0 or HTTP/1.1 (1.2 to 1.9 count as 1.1). */
    public HttpVersion version() {
        return version;
    }

    /** Every field line, in order. */
    public HttpFields fields() {
        return fields;
    }

    /** The Host value, or null when absent (allowed in HTTP/1.0 only). Unique and syntactically valid if present. */
    public String host() {
        return hostIndex < 0 ? null : fields.value(hostIndex);
    }

    /** How the body is delimited: {@code NONE}, {@code CONTENT_LENGTH} or {@code CHUNKED}; never until-close. */
    public BodyFraming bodyFraming() {
        return framing;
    }

    /** The Content-Length value, or -1 when the request has none. */
    public long contentLength() {
        return contentLength;
    }

    /** Whether body bytes follow the head: chunked, or a Content-Length above zero. */
    public boolean hasBody() {
        return framing == BodyFraming.CHUNKED || contentLength > 0;
    }

    /**
     * Whether the client connection may serve another request after this one: HTTP/1.1 unless {@code Connection}
     * lists {@code close}; HTTP/1.0 only when it lists {@code keep-alive} and not {@code close}.
     */
    public boolean isKeepAlive() {
        if ((connectionFlags & ConnectionOptions.CLOSE) != 0) {
            return false;
        }
        return version == HttpVersion.HTTP_1_1 || (connectionFlags & ConnectionOptions.KEEP_ALIVE) != 0;
    }

    /**
     * Whether the client waits for {@code 100 Continue} before sending its body: an HTTP/1.1 request with
     * {@code Expect: 100-continue} (any case). HTTP/1.0 expectations are ignored as RFC 9110 §10.1.1 requires;
     * other expectation values are ignored as nginx does.
     */
    public boolean expectsContinue() {
        return version == HttpVersion.HTTP_1_1 && expectIndex >= 0
                && fields.valueEqualsIgnoreCase(expectIndex, "100-continue");
    }

    /**
     * Whether the client asks to switch protocols (e.g. WebSocket): HTTP/1.1, {@code Connection} lists
     * {@code upgrade}, and an {@code Upgrade} field is present.
     */
    public boolean isUpgrade() {
        return version == HttpVersion.HTTP_1_1 && upgradeIndex >= 0
                && (connectionFlags & ConnectionOptions.UPGRADE) != 0;
    }

    /** The tokens of every Connection field, lower-cased: the names of extra hop-by-hop fields, plus options. */
    public List<String> connectionTokens() {
        return ConnectionOptions.tokens(fields);
    }

    /** Whether field {@code index} is named by a Connection token and so must not be forwarded. No allocation. */
    public boolean isListedInConnection(int index) {
        Objects.checkIndex(index, fields.size());
        return ConnectionOptions.lists(fields, index);
    }

    /** Bytes the head occupied on the wire, from any leading empty lines to the final CRLF. */
    public int headLength() {
        return headLength;
    }

    @Override
    public String toString() {
        if (version == null) {
            return "RequestHead[incomplete]";
        }
        return method() + " " + target() + " " + version + "\n" + fields;
    }
}
