package dev.sluice.internal.http;

/**
 * Parses a request line (RFC 9112 §3): {@code method SP request-target SP HTTP-version}, single spaces only. The
 * method must be upper-case letters, '_' or '-', as nginx requires: RFC 9110 allows any token, but a lower-case
 * {@code post} would slip past the proxy's method rules and reach a backend that reads it as POST. The
 * version must be {@code HTTP/D.D}: major 1 is accepted, 2 and above get nginx's 505, anything else 400. The target
 * must be printable ASCII without '#', in origin or absolute form, or in authority form with CONNECT and only
 * there; the path of an origin- or absolute-form target must be one nginx accepts (see {@link PathNormaliser}). The
 * asterisk form ({@code OPTIONS *}) is a 400, as nginx's request-line parser has it: nginx never answers for the
 * server as a whole.
 */
final class RequestLine {

    private RequestLine() {
    }

    /** Parses {@code buf[start, end)} into {@code head}; null if valid. */
    static Violation parse(byte[] buf, int start, int end, RequestHead head) {
        int i = start;
        while (i < end && isMethodChar(buf[i])) {
            i++;
        }
        if (i < end && buf[i] != Ascii.SP) {
            return Violation.INVALID_METHOD;
        }
        if (i == start || i == end) {
            return Violation.MALFORMED_REQUEST_LINE;
        }
        int methodEnd = i++;
        int targetStart = i;
        while (i < end && buf[i] != Ascii.SP) {
            if (!Ascii.isTargetChar(buf[i])) {
                return Violation.INVALID_TARGET;
            }
            i++;
        }
        if (i == targetStart || i == end) {
            return Violation.MALFORMED_REQUEST_LINE;
        }
        int targetEnd = i++;
        Violation v = version(buf, i, end, head);
        if (v != null) {
            return v;
        }
        String method = Methods.known(buf, start, methodEnd);
        head.setRequestLine(start, methodEnd, method, targetStart, targetEnd);
        return form(buf, targetStart, targetEnd, method, head);
    }

    private static boolean isMethodChar(byte b) {
        return (b >= 'A' && b <= 'Z') || b == '_' || b == '-';
    }

    private static Violation version(byte[] buf, int i, int end, RequestHead head) {
        if (end - i != 8 || !Ascii.equals(buf, i, i + 5, "HTTP/") || buf[i + 6] != '.'
                || !Ascii.isDigit(buf[i + 5]) || !Ascii.isDigit(buf[i + 7])) {
            return Violation.MALFORMED_VERSION;
        }
        int major = buf[i + 5] - '0';
        if (major == 0) {
            return Violation.MALFORMED_VERSION;
        }
        if (major > 1) {
            return Violation.UNSUPPORTED_VERSION;
        }
        head.version = buf[i + 7] == '0' ? HttpVersion.HTTP_1_0 : HttpVersion.HTTP_1_1;
        return null;
    }

    private static Violation form(byte[] buf, int start, int end, String method, RequestHead head) {
        byte first = buf[start];
        if (method == Methods.CONNECT) {
            if (!HostCheck.isValid(buf, start, end, true)) {
                return Violation.CONNECT_NEEDS_AUTHORITY;
            }
            head.targetForm = TargetForm.AUTHORITY;
        } else if (first == '/') {
            head.targetForm = TargetForm.ORIGIN;
            return path(buf, start, end, head);
        } else if (first == '*' && end - start == 1) {
            return Violation.ASTERISK_FORM;
        } else {
            int pathStart = absolutePath(buf, start, end);
            if (pathStart < 0) {
                return Violation.INVALID_ABSOLUTE_FORM;
            }
            head.targetForm = TargetForm.ABSOLUTE;
            return path(buf, pathStart, end, head);
        }
        return null;
    }

    private static Violation path(byte[] buf, int start, int end, RequestHead head) {
        return head.setPath(buf, start, end) ? null : Violation.INVALID_PATH;
    }

    /**
     * Where the path of {@code scheme "://" authority [ "/" / "?" ...]} starts (its '/' or '?', or {@code end}), or
     * -1 if the target is not of that form with a valid, non-empty authority.
     */
    private static int absolutePath(byte[] buf, int start, int end) {
        int i = start;
        if (!Ascii.isAlpha(buf[i])) {
            return -1;
        }
        while (i < end && (Ascii.isAlpha(buf[i]) || Ascii.isDigit(buf[i])
                || buf[i] == '+' || buf[i] == '-' || buf[i] == '.')) {
            i++;
        }
        if (end - i < 3 || buf[i] != ':' || buf[i + 1] != '/' || buf[i + 2] != '/') {
            return -1;
        }
        int authorityStart = i + 3;
        int authorityEnd = authorityStart;
        while (authorityEnd < end && buf[authorityEnd] != '/' && buf[authorityEnd] != '?') {
            authorityEnd++;
        }
        return HostCheck.isValid(buf, authorityStart, authorityEnd, false) ? authorityEnd : -1;
    }
}
