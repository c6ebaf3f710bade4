package dev.sluice.internal.http;

import java.util.Arrays;

/**
 * Collects the trailer section that ends a chunked body (RFC 9112 §7.1.2): field lines checked with the head's
 * rules (no obs-fold, no whitespace before the colon, no control bytes), each ended by CRLF, then an empty line.
 * The lines are copied, up to the section's size limit, into an array kept across bodies, so the fields stay
 * readable after the buffers they came in are gone.
 */
final class TrailerSection implements ByteStep {

    private static final int LINE_START = 0;
    private static final int LINE = 1;
    private static final int LINE_LF = 2;
    private static final int LAST_LF = 3;

    private final int maxBytes;
    private final HttpFields fields = new HttpFields();
    private byte[] buf;
    private int length;
    private int lineStart;
    private int bytes;
    private int state;
    private Violation violation;

    TrailerSection(int maxBytes) {
        this.maxBytes = maxBytes;
    }

    void reset() {
        fields.clear();
        length = 0;
        lineStart = 0;
        bytes = 0;
        state = LINE_START;
    }

    HttpFields fields() {
        return fields;
    }

    @Override
    public Violation violation() {
        return violation;
    }

    @Override
    public int accept(byte b) {
        if (++bytes > maxBytes) {
            return fail(Violation.TRAILERS_TOO_LARGE);
        }
        switch (state) {
            case LINE_START:
                if (b == Ascii.CR) {
                    state = LAST_LF;
                    return MORE;
                }
                if (Ascii.isWhitespace(b)) {
                    return fail(Violation.OBS_FOLD);
                }
                state = LINE;
                return append(b);
            case LINE:
                if (b == Ascii.CR) {
                    state = LINE_LF;
                    return MORE;
                }
                return append(b);
            case LINE_LF:
                if (b != Ascii.LF) {
                    return fail(Violation.BARE_CR);
                }
                fields.bind(buf);
                Violation v = FieldLine.parse(buf, lineStart, length, fields);
                if (v != null) {
                    return fail(v);
                }
                lineStart = length;
                state = LINE_START;
                return MORE;
            case LAST_LF:
                return b == Ascii.LF ? END : fail(Violation.BARE_CR);
            default:
                throw new IllegalStateException("state " + state);
        }
    }

    private int append(byte b) {
        if (b == Ascii.LF) {
            return fail(Violation.BARE_LF);
        }
        if (buf == null) {
            buf = new byte[Math.min(256, maxBytes)];
        } else if (length == buf.length) {
            buf = Arrays.copyOf(buf, Math.min(buf.length * 2, maxBytes));
        }
        buf[length++] = b;
        return MORE;
    }

    private int fail(Violation v) {
        violation = v;
        return BAD;
    }
}
