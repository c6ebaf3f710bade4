package dev.sluice.internal.http;

/**
 * Checks one chunk-size line, {@code chunk-size [ chunk-ext ] CRLF} (RFC 9112 §7.1.1), and reads its size. The
 * size is hex digits worth at most 63 bits; extensions are {@code ;name[=token-or-quoted-string]}, checked and then
 * ignored. Whitespace is allowed only where the grammar's BWS is — before ';' and around '=' — so {@code "5 "} is
 * refused; nginx also accepts that, but a lenient peer's reading is exactly what smuggling exploits.
 */
final class ChunkSizeLine implements ByteStep {

    private static final int FIRST_DIGIT = 0;
    private static final int DIGITS = 1;
    private static final int SIZE_WS = 2;
    private static final int NAME_START = 3;
    private static final int NAME = 4;
    private static final int NAME_WS = 5;
    private static final int VALUE_START = 6;
    private static final int TOKEN_VALUE = 7;
    private static final int QUOTED = 8;
    private static final int QUOTED_PAIR = 9;
    private static final int QUOTED_END = 10;
    private static final int VALUE_WS = 11;
    private static final int LF = 12;

    private final int maxLine;
    private int state;
    private int length;
    private long size;
    private Violation violation;

    ChunkSizeLine(int maxLine) {
        this.maxLine = maxLine;
    }

    void reset() {
        state = FIRST_DIGIT;
        length = 0;
        size = 0;
    }

    /** After {@link #END}: the chunk's size. */
    long size() {
        return size;
    }

    @Override
    public Violation violation() {
        return violation;
    }

    @Override
    public int accept(byte b) {
        if (++length > maxLine) {
            return fail(Violation.CHUNK_LINE_TOO_LONG);
        }
        switch (state) {
            case FIRST_DIGIT: {
                int digit = Ascii.hexValue(b);
                if (digit < 0) {
                    return fail(Violation.INVALID_CHUNK_SIZE);
                }
                size = digit;
                state = DIGITS;
                return MORE;
            }
            case DIGITS: {
                int digit = Ascii.hexValue(b);
                if (digit < 0) {
                    return afterItem(b, SIZE_WS, false, Violation.INVALID_CHUNK_SIZE);
                }
                if (size > (Long.MAX_VALUE >>> 4)) {
                    return fail(Violation.CHUNK_SIZE_OVERFLOW);
                }
                size = (size << 4) | digit;
                return MORE;
            }
            case NAME:
            case TOKEN_VALUE:
                if (Ascii.isTchar(b)) {
                    return MORE;
                }
                return state == NAME
                        ? afterItem(b, NAME_WS, true, Violation.INVALID_CHUNK_EXTENSION)
                        : afterItem(b, VALUE_WS, false, Violation.INVALID_CHUNK_EXTENSION);
            case QUOTED_END:
                return afterItem(b, VALUE_WS, false, Violation.INVALID_CHUNK_EXTENSION);
            case SIZE_WS:
            case NAME_WS:
            case VALUE_WS:
                if (Ascii.isWhitespace(b)) {
                    return MORE;
                }
                if (b == ';') {
                    return next(NAME_START);
                }
                if (b == '=' && state == NAME_WS) {
                    return next(VALUE_START);
                }
                return fail(state == SIZE_WS ? Violation.INVALID_CHUNK_SIZE : Violation.INVALID_CHUNK_EXTENSION);
            case NAME_START:
                if (Ascii.isWhitespace(b)) {
                    return MORE;
                }
                return Ascii.isTchar(b) ? next(NAME) : fail(Violation.INVALID_CHUNK_EXTENSION);
            case VALUE_START:
                if (Ascii.isWhitespace(b)) {
                    return MORE;
                }
                if (b == '"') {
                    return next(QUOTED);
                }
                return Ascii.isTchar(b) ? next(TOKEN_VALUE) : fail(Violation.INVALID_CHUNK_EXTENSION);
            case QUOTED:
                if (b == '"') {
                    return next(QUOTED_END);
                }
                if (b == '\\') {
                    return next(QUOTED_PAIR);
                }
                return Ascii.isFieldValueChar(b) ? MORE : fail(Violation.INVALID_CHUNK_EXTENSION);
            case QUOTED_PAIR:
                return Ascii.isFieldValueChar(b) ? next(QUOTED) : fail(Violation.INVALID_CHUNK_EXTENSION);
            case LF:
                return b == Ascii.LF ? END : fail(Violation.BARE_CR);
            default:
                throw new IllegalStateException("state " + state);
        }
    }

    /**
     * After a size, an extension name or value: CR ends the line, ';' starts an extension, '=' a value (only after
     * a name), and whitespace may come before those.
     */
    private int afterItem(byte b, int whitespaceState, boolean afterName, Violation otherwise) {
        if (b == Ascii.CR) {
            return next(LF);
        }
        if (b == ';') {
            return next(NAME_START);
        }
        if (b == '=' && afterName) {
            return next(VALUE_START);
        }
        if (Ascii.isWhitespace(b)) {
            return next(whitespaceState);
        }
        return fail(b == Ascii.LF ? Violation.BARE_LF : otherwise);
    }

    private int next(int nextState) {
        state = nextState;
        return MORE;
    }

    private int fail(Violation v) {
        violation = v;
        return BAD;
    }
}
