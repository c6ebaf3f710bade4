package dev.sluice.internal.http;

/**
 * Parses one field line (RFC 9112 §5) of a head or trailer section: {@code token ":" OWS value OWS}, with no
 * whitespace before the colon, no obsolete line folding, and no control byte but HTAB in the value. Strict where
 * nginx's {@code ignore_invalid_headers} would drop a line silently: a proxy that skips a line another hop reads is
 * how requests are smuggled.
 */
final class FieldLine {

    private FieldLine() {
    }

    /** Validates {@code buf[start, end)} (without CRLF, non-empty) and appends it to {@code fields}; null if valid. */
    static Violation parse(byte[] buf, int start, int end, HttpFields fields) {
        byte first = buf[start];
        if (Ascii.isWhitespace(first)) {
            return Violation.OBS_FOLD;
        }
        int i = start;
        while (i < end && Ascii.isTchar(buf[i])) {
            i++;
        }
        if (i == end) {
            return Violation.MISSING_COLON;
        }
        byte b = buf[i];
        if (b != ':') {
            return Ascii.isWhitespace(b) ? Violation.SPACE_BEFORE_COLON : Violation.INVALID_FIELD_NAME;
        }
        if (i == start) {
            return Violation.INVALID_FIELD_NAME;
        }
        int nameEnd = i++;
        while (i < end && Ascii.isWhitespace(buf[i])) {
            i++;
        }
        int valueStart = i;
        while ((i = Swar.indexOfNonPrintable(buf, i, end)) < end) {
            if (!Ascii.isFieldValueChar(buf[i])) {
                return Violation.INVALID_FIELD_VALUE;
            }
            i++;
        }
        int valueEnd = end;
        while (valueEnd > valueStart && Ascii.isWhitespace(buf[valueEnd - 1])) {
            valueEnd--;
        }
        fields.add(start, nameEnd, valueStart, valueEnd);
        return null;
    }
}
