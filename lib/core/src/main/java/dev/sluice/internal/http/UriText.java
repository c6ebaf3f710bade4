package dev.sluice.internal.http;

import java.util.Arrays;

/**
 * The normalised path, nginx's {@code $uri}, as text: written one character per byte for a field value or a
 * variable ({@link #appendPath}), escaped for a request line or a {@code Location} ({@link #appendEscaped}), and read
 * back into its bytes ({@link #pathBytes}).
 */
public final class UriText {

    private static final char[] HEX_DIGITS = "0123456789ABCDEF".toCharArray();
    /** The printable characters nginx's {@code ngx_escape_uri} escapes in a URI, as nginx 1.22 escapes them. */
    private static final String ESCAPED_IN_REQUEST_LINE = "#%?\"<>\\^`{|}";

    private UriText() {
    }

    /**
     * Appends {@code bytes[from, to)} one character per byte, writing the bytes no URI path holds unescaped —
     * controls, space and DEL — as %XX, so that the result is always a valid field value. nginx appends those bytes
     * raw, which lets a client add header lines through {@code %0D%0A}.
     */
    public static void appendPath(StringBuilder out, byte[] bytes, int from, int to) {
        append(out, bytes, from, to, false);
    }

    /**
     * Keeps a {@code Location} that starts with a path on the host that sent it: its controls (a tab a field value
     * may hold, which a browser drops from a URL) become %XX, and one that then starts with {@code //} or {@code /\},
     * which a browser reads as a URL of another host ({@code //evil.example/}), gets its second character as %XX.
     * nginx keeps such a location on its host by making it absolute ({@code absolute_redirect}); Sluice's locations
     * stay relative. Returns whether {@code location} changed.
     */
    public static boolean keepOnHost(StringBuilder location) {
        boolean changed = false;
        for (int i = location.length() - 1; i >= 0; i--) {
            char c = location.charAt(i);
            if (c < ' ' || c == 0x7f) {
                location.replace(i, i + 1, "%" + HEX_DIGITS[c >> 4] + HEX_DIGITS[c & 0xf]);
                changed = true;
            }
        }
        if (!leavesHost(location)) {
            return changed;
        }
        location.replace(1, 2, location.charAt(1) == '/' ? "%2F" : "%5C");
        return true;
    }

    /** {@link #keepOnHost(StringBuilder)} of a string: the same string when it stays on the host as it is. */
    public static String keepOnHost(String location) {
        StringBuilder kept = new StringBuilder(location);
        return keepOnHost(kept) ? kept.toString() : location;
    }

    private static boolean leavesHost(CharSequence location) {
        return location.length() >= 2 && location.charAt(0) == '/'
                && (location.charAt(1) == '/' || location.charAt(1) == '\\');
    }

    /** Appends {@code text}, one character per byte (Latin-1, as the proxy holds paths), as bytes are appended. */
    public static void appendPath(StringBuilder out, String text) {
        for (int i = 0; i < text.length(); i++) {
            append(out, text.charAt(i) & 0xff, false);
        }
    }

    /**
     * Appends {@code bytes[from, to)} escaped for a request line, as nginx's {@code ngx_escape_uri} does for {@code
     * proxy_pass} with a URI part: controls, space, DEL, bytes beyond ASCII and {@code " # % < > ? \ ^ ` { | }} as
     * %XX.
     */
    public static void appendEscaped(StringBuilder out, byte[] bytes, int from, int to) {
        append(out, bytes, from, to, true);
    }

    private static void append(StringBuilder out, byte[] bytes, int from, int to, boolean requestLine) {
        for (int i = from; i < to; i++) {
            append(out, bytes[i] & 0xff, requestLine);
        }
    }

    /** Appends byte {@code b}, as %XX when it is a control, space or DEL, or for a request line one nginx escapes. */
    private static void append(StringBuilder out, int b, boolean requestLine) {
        if (b <= ' ' || b == 0x7f || requestLine && (b > 0x7f || ESCAPED_IN_REQUEST_LINE.indexOf(b) >= 0)) {
            out.append('%').append(HEX_DIGITS[b >> 4]).append(HEX_DIGITS[b & 0xf]);
        } else {
            out.append((char) b);
        }
    }

    /**
     * The origin-form target of {@code uri}, a path as {@link #appendPath} writes one ({@code $uri}: decoded) with an
     * optional {@code ?query}: the path escaped ({@link #appendEscaped}), the query as it is, a '?' with nothing
     * after it dropped. What nginx's internal redirect to such a text asks for.
     */
    public static String asTarget(String uri) {
        int query = uri.indexOf('?');
        return target(pathBytes(query < 0 ? uri : uri.substring(0, query)), query < 0 ? "" : uri.substring(query + 1));
    }

    /** The origin-form target of {@code path} (bytes, escaped here as {@link #appendEscaped}) and {@code query}. */
    public static String target(byte[] path, String query) {
        StringBuilder target = new StringBuilder(path.length + query.length() + 8);
        appendEscaped(target, path, 0, path.length);
        return query.isEmpty() ? target.toString() : target.append('?').append(query).toString();
    }

    /**
     * The bytes of a path {@link #appendPath} wrote, e.g. {@link dev.sluice.ProxyRequest#path()}: each character a
     * byte, with its %XX escapes of controls, space and DEL decoded. Every other '%' is a byte of the path. A path
     * that held such an escape as text ({@code %2520} in the target) reads as the byte it names. Null when a
     * character is beyond Latin-1, which {@link #appendPath} never writes.
     */
    public static byte[] pathBytes(String text) {
        byte[] out = new byte[text.length()];
        int n = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c > 0xff) {
                return null;
            }
            int escaped = c == '%' && i + 2 < text.length() ? escapedByte(text.charAt(i + 1), text.charAt(i + 2)) : -1;
            if (escaped >= 0) {
                out[n++] = (byte) escaped;
                i += 2;
            } else {
                out[n++] = (byte) c;
            }
        }
        return Arrays.copyOf(out, n);
    }

    /** The byte {@code %hl} names when {@link #appendPath} escapes it (a control, space or DEL), else -1. */
    private static int escapedByte(char high, char low) {
        int h = Character.digit(high, 16);
        int l = Character.digit(low, 16);
        int b = h < 0 || l < 0 ? -1 : h << 4 | l;
        return b >= 0 && (b <= ' ' || b == 0x7f) ? b : -1;
    }
}
