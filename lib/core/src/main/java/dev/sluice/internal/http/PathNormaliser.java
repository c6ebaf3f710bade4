package dev.sluice.internal.http;

/**
 * Turns the path of a request-target into nginx's {@code $uri}, the path locations are matched against, as
 * {@code ngx_http_parse_complex_uri()} does with {@code merge_slashes on} (nginx's default; Sluice has no {@code
 * merge_slashes off}): it stops at '?' (and '#'), decodes every %XX, merges runs of '/', drops {@code .} segments and
 * resolves {@code ..} segments against the segment before them.
 *
 * <p>A decoded byte is read as if it had been sent as itself — {@code %2e%2e} is a {@code ..} segment and {@code
 * %2F} a '/' — except a decoded '%', '#' or '?', which is an ordinary path byte. The path is refused, as nginx
 * answers 400, when a {@code ..} segment would climb above the root, when a '%' is not followed by two hex digits,
 * or when one decodes to NUL.
 */
final class PathNormaliser {

    /** What {@link #normalise} returns for a path nginx refuses. */
    static final int INVALID = -1;

    private static final int USUAL = 0;
    private static final int SLASH = 1;
    private static final int DOT = 2;
    private static final int DOT_DOT = 3;
    private static final int QUOTED = 4;
    private static final int QUOTED_SECOND = 5;

    private PathNormaliser() {
    }

    /** The room {@link #normalise} needs for a path of {@code length} bytes: one more, for the '/' of an empty one. */
    static int capacityFor(int length) {
        return length + 1;
    }

    /**
     * Writes the normalised form of the path in {@code src[start, end)} into {@code dst} from index 0 and returns
     * its length, or {@link #INVALID}. The path is an origin-form target, or what follows the authority of an
     * absolute-form one: it starts with '/', or with '?' or nothing, when a '/' is put first. {@code dst} holds at
     * least {@link #capacityFor capacityFor(end - start)} bytes. Allocates nothing.
     */
    static int normalise(byte[] src, int start, int end, byte[] dst) {
        int u = 0;
        if (start == end || src[start] != '/') {
            dst[u++] = '/';
        }
        int state = USUAL;
        int quotedState = USUAL;
        int decoded = 0;
        int p = start;
        int ch = 0;
        boolean reread = false;
        for (;;) {
            if (!reread) {
                if (p == end) {
                    break;
                }
                ch = src[p++] & 0xff;
            }
            reread = false;
            switch (state) {
                case USUAL:
                    if (ch == '%') {
                        quotedState = state;
                        state = QUOTED;
                    } else if (ch == '?' || ch == '#') {
                        return u;
                    } else {
                        state = ch == '/' ? SLASH : USUAL;
                        dst[u++] = (byte) ch;
                    }
                    break;
                case SLASH:
                    if (ch == '%') {
                        quotedState = state;
                        state = QUOTED;
                    } else if (ch == '?' || ch == '#') {
                        return u;
                    } else if (ch != '/') {
                        state = ch == '.' ? DOT : USUAL;
                        dst[u++] = (byte) ch;
                    }
                    break;
                case DOT:
                    if (ch == '/') {
                        state = SLASH;
                        u--;
                    } else if (ch == '%') {
                        quotedState = state;
                        state = QUOTED;
                    } else if (ch == '?' || ch == '#') {
                        return u - 1;
                    } else {
                        state = ch == '.' ? DOT_DOT : USUAL;
                        dst[u++] = (byte) ch;
                    }
                    break;
                case DOT_DOT:
                    if (ch == '/' || ch == '?' || ch == '#') {
                        u = parent(dst, u);
                        if (u == INVALID || ch != '/') {
                            return u;
                        }
                        state = SLASH;
                    } else if (ch == '%') {
                        quotedState = state;
                        state = QUOTED;
                    } else {
                        state = USUAL;
                        dst[u++] = (byte) ch;
                    }
                    break;
                case QUOTED:
                    decoded = Ascii.hexValue((byte) ch);
                    if (decoded < 0) {
                        return INVALID;
                    }
                    state = QUOTED_SECOND;
                    break;
                default: // QUOTED_SECOND
                    int low = Ascii.hexValue((byte) ch);
                    if (low < 0) {
                        return INVALID;
                    }
                    ch = decoded << 4 | low;
                    if (ch == 0) {
                        return INVALID;
                    }
                    if (ch == '%' || ch == '#' || ch == '?') {
                        state = USUAL;
                        dst[u++] = (byte) ch;
                    } else {
                        state = quotedState;
                        reread = true;
                    }
                    break;
            }
        }
        switch (state) {
            case QUOTED:
            case QUOTED_SECOND:
                return INVALID;
            case DOT:
                return u - 1;
            case DOT_DOT:
                return parent(dst, u);
            default:
                return u;
        }
    }

    /**
     * Where the path goes on after a {@code ..} segment that ends at {@code u}: just after the '/' that begins the
     * segment before it, or {@link #INVALID} when there is none — the path would climb above the root.
     */
    private static int parent(byte[] dst, int u) {
        for (int i = u - 4; i >= 0; i--) {
            if (dst[i] == '/') {
                return i + 1;
            }
        }
        return INVALID;
    }
}
