package dev.sluice.internal.http;

/**
 * Recognises, by byte comparison, the few field names whose meaning the parsers act on while reading a head.
 */
final class KnownField {

    static final int OTHER = 0;
    static final int HOST = 1;
    static final int CONTENT_LENGTH = 2;
    static final int TRANSFER_ENCODING = 3;
    static final int CONNECTION = 4;
    static final int EXPECT = 5;
    static final int UPGRADE = 6;

    private KnownField() {
    }

    static int of(byte[] buf, int start, int end) {
        switch (end - start) {
            case 4:
                return Ascii.equalsIgnoreCase(buf, start, end, "host") ? HOST : OTHER;
            case 6:
                return Ascii.equalsIgnoreCase(buf, start, end, "expect") ? EXPECT : OTHER;
            case 7:
                return Ascii.equalsIgnoreCase(buf, start, end, "upgrade") ? UPGRADE : OTHER;
            case 10:
                return Ascii.equalsIgnoreCase(buf, start, end, "connection") ? CONNECTION : OTHER;
            case 14:
                return Ascii.equalsIgnoreCase(buf, start, end, "content-length") ? CONTENT_LENGTH : OTHER;
            case 17:
                return Ascii.equalsIgnoreCase(buf, start, end, "transfer-encoding") ? TRANSFER_ENCODING : OTHER;
            default:
                return OTHER;
        }
    }
}
