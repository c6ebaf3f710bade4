package dev.sluice.internal.http;

/**
 * Reads one parameter of the {@code Keep-Alive} field (RFC 2068 §19.7.1, e.g. {@code timeout=5, max=100}) without
 * allocating: the value must be decimal digits, optionally quoted; anything else reads as absent.
 */
final class KeepAliveParams {

    private KeepAliveParams() {
    }

    /** The value of parameter {@code name} in the first Keep-Alive field that has it, or -1. */
    static long find(HttpFields fields, String name) {
        byte[] buf = fields.buffer();
        for (int f = fields.indexOf("keep-alive"); f >= 0; f = fields.indexOf("keep-alive", f + 1)) {
            int end = fields.valueEnd(f);
            for (int i = fields.valueStart(f); i < end; ) {
                int raw = CommaList.elementEnd(buf, i, end);
                int s = CommaList.trimStart(buf, i, raw);
                int e = CommaList.trimEnd(buf, s, raw);
                int eq = s;
                while (eq < e && buf[eq] != '=') {
                    eq++;
                }
                if (eq < e && Ascii.equalsIgnoreCase(buf, s, CommaList.trimEnd(buf, s, eq), name)) {
                    return number(buf, CommaList.trimStart(buf, eq + 1, e), e);
                }
                i = raw + 1;
            }
        }
        return -1;
    }

    private static long number(byte[] buf, int start, int end) {
        if (end - start >= 2 && buf[start] == '"' && buf[end - 1] == '"') {
            start++;
            end--;
        }
        return Framing.contentLength(buf, start, end);
    }
}
