package dev.sluice.internal.http;

/**
 * Parses a status line (RFC 9112 §4): {@code HTTP/1.D SP 3DIGIT [SP reason]}. The status must be 100-599; the
 * reason may be empty and, as nginx allows, the space before it may be missing.
 */
final class StatusLine {

    private StatusLine() {
    }

    static Violation parse(byte[] buf, int start, int end, ResponseHead head) {
        if (end - start < 12 || !Ascii.equals(buf, start, start + 7, "HTTP/1.")
                || !Ascii.isDigit(buf[start + 7]) || buf[start + 8] != Ascii.SP) {
            return Violation.MALFORMED_STATUS_LINE;
        }
        int status = 0;
        for (int i = start + 9; i < start + 12; i++) {
            if (!Ascii.isDigit(buf[i])) {
                return Violation.MALFORMED_STATUS_LINE;
            }
            status = status * 10 + (buf[i] - '0');
        }
        if (status < 100 || status > 599) {
            return Violation.INVALID_STATUS_CODE;
        }
        int reasonStart = start + 12;
        if (reasonStart < end) {
            if (buf[reasonStart] != Ascii.SP) {
                return Violation.MALFORMED_STATUS_LINE;
            }
            reasonStart++;
            for (int i = reasonStart; i < end; i++) {
                if (!Ascii.isFieldValueChar(buf[i])) {
                    return Violation.MALFORMED_STATUS_LINE;
                }
            }
        }
        head.setStatusLine(buf[start + 7] == '0' ? HttpVersion.HTTP_1_0 : HttpVersion.HTTP_1_1, status,
                reasonStart, end);
        return null;
    }
}
