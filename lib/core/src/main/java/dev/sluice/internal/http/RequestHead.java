package dev.sluice.internal.http;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A parsed request head and the decisions nginx takes from it: body framing, keep-alive, {@code Expect:
 * 100-continue}, protocol upgrade, and whether the method may be retried on another upstream. Obtained from
 * {@link RequestParser#head()} after {@link ParseResult#DONE}; the same instance is reused by the parser and is
 * valid until its next {@link RequestParser#reset()}.
 *
 * <p>{@link #bodyFraming()} is {@code NONE}, {@code CONTENT_LENGTH} or {@code CHUNKED}: a request never reads until
 * close. Accessors that return booleans, enums or numbers never allocate; {@link #method()} returns a shared constant
 * for the methods nginx knows; {@link #target()} and field strings are built on first access.
 *
 * <p>The path of an origin- or absolute-form target is also held normalised, as nginx's {@code $uri}: %XX decoded,
 * slashes merged, dot-segments resolved (see {@link #pathStartsWith} and {@link #appendPath}). It is computed once
 * per request into a byte array kept across requests.
 */
public final class RequestHead extends MessageHead {

    private int methodStart;
    private int methodEnd;
    private String method;
    private int targetStart;
    private int targetEnd;
    private String target;
    /** Whether {@link #target} was set by {@link #reroute}, no longer the one in the request line. */
    private boolean rerouted;
    /** Whether {@link #method} was set by {@link #rerouteAsGet}, no longer the one in the request line. */
    private boolean methodChanged;
    /** The normalised path, {@code $uri}, in its first {@link #pathLength} bytes; grown as needed, kept. */
    private byte[] path = new byte[64];
    private int pathLength;
    TargetForm targetForm;
    int hostIndex;
    int expectIndex;
    int upgradeIndex;
    int connectionFlags;

    RequestHead(HttpFields fields) {
        super(fields);
        clear();
    }

    @Override
    void clear() {
        super.clear();
        method = null;
        target = null;
        rerouted = false;
        methodChanged = false;
        pathLength = 0;
        targetForm = null;
        hostIndex = -1;
        expectIndex = -1;
        upgradeIndex = -1;
        connectionFlags = 0;
    }

    void setRequestLine(int methodStart, int methodEnd, String knownMethod, int targetStart, int targetEnd) {
        this.methodStart = methodStart;
        this.methodEnd = methodEnd;
        this.method = knownMethod;
        this.targetStart = targetStart;
        this.targetEnd = targetEnd;
    }

    /**
     * Normalises the path in {@code buf[start, end)} into this head's path (see {@link PathNormaliser}); false when
     * nginx refuses the path.
     */
    boolean setPath(byte[] buf, int start, int end) {
        int capacity = PathNormaliser.capacityFor(end - start);
        if (path.length < capacity) {
            path = new byte[Math.max(capacity, path.length * 2)];
        }
        pathLength = PathNormaliser.normalise(buf, start, end, path);
        return pathLength != PathNormaliser.INVALID;
    }

    int methodStart() {
        return methodStart;
    }

    int methodEnd() {
        return methodEnd;
    }

    int targetStart() {
        return targetStart;
    }

    int targetEnd() {
        return targetEnd;
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
        return methodChanged ? method.equals(name) : Ascii.equals(buf, methodStart, methodEnd, name);
    }

    /**
     * Whether a failed attempt may be retried on another upstream, by nginx's rule: every method except POST, LOCK
     * and PATCH — unknown methods included — counts as idempotent ({@code proxy_next_upstream non_idempotent} is
     * what allows retrying those three).
     */
    public boolean isIdempotent() {
        return Methods.isIdempotent(method);
    }

    /**
     * Whether an {@code Authorization} field starts an NTLM or Negotiate handshake ({@code NTLM ...}, {@code
     * Negotiate ...}), which NGINX Plus's {@code ntlm} binds the upstream connection for. Does not allocate.
     */
    public boolean hasNtlmAuthorization() {
        for (int i = fields.indexOf("Authorization"); i >= 0; i = fields.indexOf("Authorization", i + 1)) {
            if (fields.valueStartsWithIgnoreCase(i, "NTLM ") || fields.valueStartsWithIgnoreCase(i, "Negotiate ")) {
                return true;
            }
        }
        return false;
    }

    /**
     * The request-target, e.g. {@code "/search?q=x"}: as received, or as the last {@link #reroute} set it. Its
     * query is nginx's {@code $args}.
     */
    public String target() {
        if (target == null) {
            target = receivedTarget();
        }
        return target;
    }

    /** The request-target exactly as received, whatever a {@link #reroute} set: nginx's {@code $request_uri}. */
    public String receivedTarget() {
        return !rerouted && target != null ? target
                : new String(buf, targetStart, targetEnd - targetStart, StandardCharsets.ISO_8859_1);
    }

    /**
     * nginx's internal redirect: {@code originForm} ({@code /path[?query]}, escaped) is the target from now on, its
     * path normalised into {@code $uri} as a received one is; the request line as received stays the {@link
     * #receivedTarget}. False, changing nothing, when nginx would refuse the path ({@code /../x}).
     */
    public boolean reroute(String originForm) {
        int query = originForm.indexOf('?');
        byte[] bytes = originForm.substring(0, query < 0 ? originForm.length() : query)
                .getBytes(StandardCharsets.ISO_8859_1);
        byte[] normalised = new byte[Math.max(path.length, PathNormaliser.capacityFor(bytes.length))];
        int length = PathNormaliser.normalise(bytes, 0, bytes.length, normalised);
        if (length == PathNormaliser.INVALID) {
            return false;
        }
        path = normalised;
        pathLength = length;
        target = originForm;
        rerouted = true;
        return true;
    }

    /**
     * nginx's {@code X-Accel-Redirect}: the request goes on as a GET, a HEAD staying one; the request line as
     * received no longer describes it ({@link #isRerouted}).
     */
    public void rerouteAsGet() {
        rerouted = true;
        if (!isMethod("HEAD")) {
            method = Methods.GET;
            methodChanged = true;
        }
    }

    /** Whether a {@link #reroute} changed the target or the method: the request line as received no longer names it. */
    public boolean isRerouted() {
        return rerouted;
    }

    /** Whether the normalised path is {@code path}, compared as {@link #pathStartsWith} compares. */
    public boolean pathEquals(String path) {
        return pathLength == path.length() && pathStartsWith(path);
    }

    /**
     * Whether the normalised path, nginx's {@code $uri}, starts with {@code prefix}, compared byte for character (a
     * decoded byte {@code b} is the character {@code (char) b}). Does not allocate.
     */
    public boolean pathStartsWith(String prefix) {
        int n = prefix.length();
        if (n > pathLength) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            if ((path[i] & 0xff) != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Appends the normalised path, nginx's {@code $uri}, one character per byte, writing the bytes no URI path
     * holds unescaped — controls, space and DEL — as %XX, so that the result is always a valid field value. nginx
     * appends those bytes raw, which lets a client add header lines through {@code %0D%0A}.
     */
    public void appendPath(StringBuilder out) {
        UriText.appendPath(out, path, 0, pathLength);
    }

    /**
     * Appends the normalised path one character per byte with nothing escaped: the text nginx's regex locations
     * match, where {@code .} or {@code \s} match a decoded space or control as they match any other byte.
     */
    public void appendPathForMatching(StringBuilder out) {
        for (int i = 0; i < pathLength; i++) {
            out.append((char) (path[i] & 0xff));
        }
    }

    /**
     * Appends the normalised path from its {@code from}-th byte escaped for a request line, as nginx's {@code
     * ngx_escape_uri} does for {@code proxy_pass} with a URI part ({@link UriText#appendEscaped}).
     */
    public void appendEscapedPath(StringBuilder out, int from) {
        UriText.appendEscaped(out, path, from, pathLength);
    }

    /** Which request-target form {@link #target()} is. */
    public TargetForm targetForm() {
        return targetForm;
    }

    /** The Host value, or null when absent (allowed in HTTP/1.0 only). Unique and syntactically valid if present. */
    public String host() {
        return hostIndex < 0 ? null : fields.value(hostIndex);
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

    /**
     * Whether every protocol the Upgrade fields offer is one of {@code protocols}: each element's name (before any
     * {@code /version}) equals one of them, ignoring case. False when no protocol is offered. Does not allocate.
     */
    public boolean upgradesOnlyTo(List<String> protocols) {
        boolean offered = false;
        for (int f = fields.indexOf("Upgrade"); f >= 0; f = fields.indexOf("Upgrade", f + 1)) {
            int end = fields.valueEnd(f);
            for (int i = fields.valueStart(f); i < end; ) {
                int raw = CommaList.elementEnd(buf, i, end);
                int start = CommaList.trimStart(buf, i, raw);
                int nameEnd = start;
                while (nameEnd < raw && buf[nameEnd] != '/') {
                    nameEnd++;
                }
                nameEnd = CommaList.trimEnd(buf, start, nameEnd);
                if (start < CommaList.trimEnd(buf, start, raw)) {
                    if (!isOneOf(start, nameEnd, protocols)) {
                        return false;
                    }
                    offered = true;
                }
                i = raw + 1;
            }
        }
        return offered;
    }

    private boolean isOneOf(int start, int end, List<String> names) {
        for (int i = 0; i < names.size(); i++) {
            if (Ascii.equalsIgnoreCase(buf, start, end, names.get(i))) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        if (version == null) {
            return "RequestHead[incomplete]";
        }
        return method() + " " + target() + " " + version + "\n" + fields;
    }
}
