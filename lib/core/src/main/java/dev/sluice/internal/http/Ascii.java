package dev.sluice.internal.http;

/**
 * Byte classes of the RFC 9110/9112 grammar, looked up in one table so that parsing compares bytes and never builds
 * a {@code String}.
 */
final class Ascii {

    static final byte CR = '\r';
    static final byte LF = '\n';
    static final byte SP = ' ';
    static final byte HTAB = '\t';

    private static final int TCHAR = 1;
    /** field-vchar: VCHAR or obs-text. */
    private static final int FIELD_VCHAR = 2;
    /** Bytes a request-target may hold: VCHAR except '#'. */
    private static final int TARGET = 4;

    private static final byte[] CLASS = new byte[256];
    private static final byte[] LOWER = new byte[256];
    private static final byte[] HEX = new byte[256];

    static {
        for (int c = 0; c < 256; c++) {
            LOWER[c] = (byte) (c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
            HEX[c] = -1;
            int cls = 0;
            boolean alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
            if (alnum || "!#$%&'*+-.^_`|~".indexOf(c) >= 0) {
                cls |= TCHAR;
            }
            if ((c > 0x20 && c < 0x7f) || c >= 0x80) {
                cls |= FIELD_VCHAR;
            }
            if (c > 0x20 && c < 0x7f && c != '#') {
                cls |= TARGET;
            }
            CLASS[c] = (byte) cls;
        }
        for (int c = '0'; c <= '9'; c++) {
            HEX[c] = (byte) (c - '0');
        }
        for (int c = 'a'; c <= 'f'; c++) {
            HEX[c] = (byte) (c - 'a' + 10);
            HEX[c - 'a' + 'A'] = (byte) (c - 'a' + 10);
        }
    }

    private Ascii() {
    }

    static boolean isTchar(byte b) {
        return (CLASS[b & 0xff] & TCHAR) != 0;
    }

    /** VCHAR, obs-text, SP or HTAB: what a field value may contain (RFC 9110 §5.5). */
    static boolean isFieldValueChar(byte b) {
        return (CLASS[b & 0xff] & FIELD_VCHAR) != 0 || b == SP || b == HTAB;
    }

    static boolean isTargetChar(byte b) {
        return (CLASS[b & 0xff] & TARGET) != 0;
    }

    static boolean isWhitespace(byte b) {
        return b == SP || b == HTAB;
    }

    static boolean isDigit(byte b) {
        return b >= '0' && b <= '9';
    }

    static boolean isAlpha(byte b) {
        return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z');
    }

    /** The value of a hexadecimal digit, or -1. */
    static int hexValue(byte b) {
        return HEX[b & 0xff];
    }

    static byte lower(byte b) {
        return LOWER[b & 0xff];
    }

    /** Whether {@code buf[start, end)} equals {@code text} ignoring ASCII case; {@code text} may be any case. */
    static boolean equalsIgnoreCase(byte[] buf, int start, int end, CharSequence text) {
        int length = text.length();
        if (end - start != length) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            char c = text.charAt(i);
            if (c > 0xff || LOWER[buf[start + i] & 0xff] != LOWER[c]) {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code buf[start, end)} contains {@code lowerText} (lower case ASCII) ignoring case. */
    static boolean containsIgnoreCase(byte[] buf, int start, int end, String lowerText) {
        int length = lowerText.length();
        byte first = (byte) lowerText.charAt(0);
        for (int i = start, last = end - length; i <= last; i++) {
            if (LOWER[buf[i] & 0xff] != first) {
                continue;
            }
            int j = 1;
            while (j < length && LOWER[buf[i + j] & 0xff] == lowerText.charAt(j)) {
                j++;
            }
            if (j == length) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code buf[start, end)} equals {@code text} exactly (case-sensitive); {@code text} is ASCII. */
    static boolean equals(byte[] buf, int start, int end, String text) {
        int length = text.length();
        if (end - start != length) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if (buf[start + i] != (byte) text.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
