package dev.sluice.internal.http;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * Walks a comma-separated field value (RFC 9110 §5.6.1: {@code #element}) inside a byte range without allocating:
 * elements are trimmed of optional whitespace and empty elements are skipped.
 */
final class CommaList {

    private CommaList() {
    }

    /** The end of the raw element starting at {@code from}: the next comma or {@code end}. */
    static int elementEnd(byte[] buf, int from, int end) {
        int i = from;
        while (i < end && buf[i] != ',') {
            i++;
        }
        return i;
    }

    static int trimStart(byte[] buf, int start, int end) {
        while (start < end && Ascii.isWhitespace(buf[start])) {
            start++;
        }
        return start;
    }

    static int trimEnd(byte[] buf, int start, int end) {
        while (end > start && Ascii.isWhitespace(buf[end - 1])) {
            end--;
        }
        return end;
    }

    /** Whether one element equals {@code token}, ignoring case. */
    static boolean contains(byte[] buf, int start, int end, String token) {
        for (int i = start; i < end; ) {
            int raw = elementEnd(buf, i, end);
            int s = trimStart(buf, i, raw);
            if (Ascii.equalsIgnoreCase(buf, s, trimEnd(buf, s, raw), token)) {
                return true;
            }
            i = raw + 1;
        }
        return false;
    }

    /** Adds every non-empty element, lower-cased, to {@code out}. */
    static void addElements(byte[] buf, int start, int end, List<String> out) {
        for (int i = start; i < end; ) {
            int raw = elementEnd(buf, i, end);
            int s = trimStart(buf, i, raw);
            int e = trimEnd(buf, s, raw);
            if (s < e) {
                out.add(new String(buf, s, e - s, StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT));
            }
            i = raw + 1;
        }
    }
}
