package dev.sluice.internal.http;

/**
 * The value rules of the two framing fields, shared by requests and responses: Content-Length must be one
 * non-negative decimal number (no sign, list, or whitespace inside), and Transfer-Encoding must be exactly
 * {@code chunked} to be accepted.
 */
final class Framing {

    private Framing() {
    }

    /** The Content-Length in {@code buf[start, end)}, or -1 if it is not 1*DIGIT within a signed 64-bit long. */
    static long contentLength(byte[] buf, int start, int end) {
        if (start == end) {
            return -1;
        }
        long n = 0;
        for (int i = start; i < end; i++) {
            byte b = buf[i];
            if (!Ascii.isDigit(b)) {
                return -1;
            }
            int d = b - '0';
            if (n > (Long.MAX_VALUE - d) / 10) {
                return -1;
            }
            n = n * 10 + d;
        }
        return n;
    }

    /** nginx's test: the whole value is {@code chunked}, in any case. */
    static boolean isChunked(byte[] buf, int start, int end) {
        return Ascii.equalsIgnoreCase(buf, start, end, "chunked");
    }

    /**
     * Why a request's Transfer-Encoding other than exactly {@code chunked} is refused: 400 when chunked is not the
     * final coding (RFC 9112 §6.3 says the length then cannot be determined) or appears twice; otherwise 501, as
     * nginx answers any coding it does not implement ("client sent unknown Transfer-Encoding").
     */
    static Violation rejectRequestCoding(byte[] buf, int start, int end) {
        int lastStart = -1;
        int lastEnd = -1;
        boolean chunkedBeforeLast = false;
        for (int i = start; i < end; ) {
            int raw = CommaList.elementEnd(buf, i, end);
            int s = CommaList.trimStart(buf, i, raw);
            int e = CommaList.trimEnd(buf, s, raw);
            if (s < e) {
                if (lastStart >= 0 && isChunked(buf, lastStart, lastEnd)) {
                    chunkedBeforeLast = true;
                }
                lastStart = s;
                lastEnd = e;
            }
            i = raw + 1;
        }
        if (lastStart < 0 || !isChunked(buf, lastStart, lastEnd)) {
            return Violation.CHUNKED_NOT_FINAL;
        }
        return chunkedBeforeLast ? Violation.CHUNKED_TWICE : Violation.UNSUPPORTED_TRANSFER_CODING;
    }
}
