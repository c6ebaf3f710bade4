package dev.sluice.internal.http;

/**
 * Validates a Host value or an authority, as nginx's {@code ngx_http_validate_host()} does: a reg-name, IPv4 or
 * bracketed IP literal of unreserved, sub-delim and '%' characters, no empty or ".." label, then an optional port
 * of at most 65535. Userinfo ('@'), paths and control bytes are refused.
 */
final class HostCheck {

    private HostCheck() {
    }

    static boolean isValid(byte[] buf, int start, int end, boolean requirePort) {
        int i = start;
        int hostEnd = end;
        if (i < end && buf[i] == '[') {
            i++;
            while (i < end && buf[i] != ']') {
                if (!isHostChar(buf[i]) && buf[i] != ':') {
                    return false;
                }
                i++;
            }
            if (i == end || i == start + 1) {
                return false;
            }
            hostEnd = ++i;
            if (i < end && buf[i] != ':') {
                return false;
            }
        } else {
            int lastDot = -2;
            for (; i < end && buf[i] != ':'; i++) {
                byte b = buf[i];
                if (b == '.') {
                    if (lastDot == i - 1 || i == start) {
                        return false;
                    }
                    lastDot = i;
                } else if (!isHostChar(b)) {
                    return false;
                }
            }
            hostEnd = i;
        }
        if (hostEnd == start) {
            return false;
        }
        if (i == end) {
            return !requirePort;
        }
        // buf[i] == ':'
        i++;
        if (requirePort && i == end) {
            return false;
        }
        int port = 0;
        for (; i < end; i++) {
            byte b = buf[i];
            if (!Ascii.isDigit(b)) {
                return false;
            }
            port = port * 10 + (b - '0');
            if (port > 65535) {
                return false;
            }
        }
        return true;
    }

    private static boolean isHostChar(byte b) {
        if (Ascii.isAlpha(b) || Ascii.isDigit(b)) {
            return true;
        }
        switch (b) {
            case '-': case '.': case '_': case '~':
            case '!': case '$': case '&': case '\'': case '(': case ')': case '*': case '+': case ',': case ';':
            case '=': case '%':
                return true;
            default:
                return false;
        }
    }
}
