package dev.sluice.internal.http;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads the {@code Connection} fields of a head: the tokens it lists name the hop-by-hop fields a proxy must not
 * forward (RFC 9110 §7.6.1).
 */
final class ConnectionOptions {

    static final int CLOSE = 1;
    static final int KEEP_ALIVE = 2;
    static final int UPGRADE = 4;

    private ConnectionOptions() {
    }

    /** The CLOSE / KEEP_ALIVE / UPGRADE bits for the tokens of one Connection value (exact token match). */
    static int flags(byte[] buf, int start, int end) {
        int flags = 0;
        for (int i = start; i < end; ) {
            int raw = CommaList.elementEnd(buf, i, end);
            int s = CommaList.trimStart(buf, i, raw);
            int e = CommaList.trimEnd(buf, s, raw);
            if (Ascii.equalsIgnoreCase(buf, s, e, "close")) {
                flags |= CLOSE;
            } else if (Ascii.equalsIgnoreCase(buf, s, e, "keep-alive")) {
                flags |= KEEP_ALIVE;
            } else if (Ascii.equalsIgnoreCase(buf, s, e, "upgrade")) {
                flags |= UPGRADE;
            }
            i = raw + 1;
        }
        return flags;
    }

    /** Every token of every Connection field, lower-cased, in order. */
    static List<String> tokens(HttpFields fields) {
        List<String> tokens = new ArrayList<>(2);
        byte[] buf = fields.buffer();
        for (int i = fields.indexOf("connection"); i >= 0; i = fields.indexOf("connection", i + 1)) {
            CommaList.addElements(buf, fields.valueStart(i), fields.valueEnd(i), tokens);
        }
        return tokens;
    }

    /** Whether the name of field {@code index} is listed by a Connection field. Does not allocate. */
    static boolean lists(HttpFields fields, int index) {
        byte[] buf = fields.buffer();
        int nameStart = fields.nameStart(index);
        int nameEnd = fields.nameEnd(index);
        for (int i = fields.indexOf("connection"); i >= 0; i = fields.indexOf("connection", i + 1)) {
            int end = fields.valueEnd(i);
            for (int j = fields.valueStart(i); j < end; ) {
                int raw = CommaList.elementEnd(buf, j, end);
                int s = CommaList.trimStart(buf, j, raw);
                int e = CommaList.trimEnd(buf, s, raw);
                if (sameIgnoreCase(buf, s, e, nameStart, nameEnd)) {
                    return true;
                }
                j = raw + 1;
            }
        }
        return false;
    }

    private static boolean sameIgnoreCase(byte[] buf, int s1, int e1, int s2, int e2) {
        if (e1 - s1 != e2 - s2) {
            return false;
        }
        for (int i = 0; i < e1 - s1; i++) {
            if (Ascii.lower(buf[s1 + i]) != Ascii.lower(buf[s2 + i])) {
                return false;
            }
        }
        return true;
    }
}
