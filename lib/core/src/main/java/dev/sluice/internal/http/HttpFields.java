package dev.sluice.internal.http;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The field lines of one parsed head or trailer section, in arrival order, as offsets into the parser's buffer.
 * Names compare case-insensitively; values have surrounding whitespace removed. Nothing is decoded until asked:
 * {@link #name(int)} and {@link #value(int)} build a {@code String} on first access (ISO-8859-1, byte for byte) and
 * cache it, while {@link #indexOf}, {@link #nameEquals} and {@link #containsToken} compare bytes and never allocate.
 *
 * <p>An instance belongs to its parser and is reused: it is valid from the parser's {@code DONE} until its next
 * {@code reset()}. Like nginx's {@code headers_in.headers} list, repeated fields stay separate lines.
 */
public final class HttpFields {

    private static final byte[] EMPTY = new byte[0];
    private static final int[] NO_OFFSETS = new int[0];
    private static final int INITIAL_FIELDS = 16;

    private byte[] buf = EMPTY;
    /** Per field: nameStart, nameEnd, valueStart, valueEnd; taken with the first field (most trailers have none). */
    private int[] offsets = NO_OFFSETS;
    private int size;
    /** Lazily built strings: name of field i at 2i, value at 2i+1. */
    private String[] strings;
    private int stringsUsed;

    HttpFields() {
    }

    void bind(byte[] buffer) {
        this.buf = buffer;
    }

    void add(int nameStart, int nameEnd, int valueStart, int valueEnd) {
        int at = size * 4;
        if (at == offsets.length) {
            offsets = Arrays.copyOf(offsets, Math.max(INITIAL_FIELDS * 4, offsets.length * 2));
        }
        offsets[at] = nameStart;
        offsets[at + 1] = nameEnd;
        offsets[at + 2] = valueStart;
        offsets[at + 3] = valueEnd;
        size++;
    }

    /** Forgets the field added last, as if it had never been read. */
    void removeLast() {
        size--;
        if (stringsUsed > 2 * size) {
            Arrays.fill(strings, 2 * size, stringsUsed, null);
            stringsUsed = 2 * size;
        }
    }

    void clear() {
        size = 0;
        buf = EMPTY;
        if (stringsUsed > 0) {
            Arrays.fill(strings, 0, stringsUsed, null);
            stringsUsed = 0;
        }
    }

    byte[] buffer() {
        return buf;
    }

    int nameStart(int index) {
        return offsets[index * 4];
    }

    int nameEnd(int index) {
        return offsets[index * 4 + 1];
    }

    int valueStart(int index) {
        return offsets[index * 4 + 2];
    }

    int valueEnd(int index) {
        return offsets[index * 4 + 3];
    }

    /** The number of field lines. */
    public int size() {
        return size;
    }

    /** The name of field {@code index} as received (original case). */
    public String name(int index) {
        Objects.checkIndex(index, size);
        return string(index * 2, nameStart(index), nameEnd(index));
    }

    /** The value of field {@code index}, without leading or trailing whitespace; may be empty. */
    public String value(int index) {
        Objects.checkIndex(index, size);
        return string(index * 2 + 1, valueStart(index), valueEnd(index));
    }

    /** Whether field {@code index} is named {@code name}, ignoring case. Does not allocate. */
    public boolean nameEquals(int index, String name) {
        Objects.checkIndex(index, size);
        return Ascii.equalsIgnoreCase(buf, nameStart(index), nameEnd(index), name);
    }

    /** Whether the name of field {@code index} starts with {@code prefix}, ignoring case. Does not allocate. */
    public boolean nameStartsWith(int index, String prefix) {
        Objects.checkIndex(index, size);
        int start = nameStart(index);
        return nameEnd(index) - start >= prefix.length()
                && Ascii.equalsIgnoreCase(buf, start, start + prefix.length(), prefix);
    }

    /** Whether the value of field {@code index} starts with {@code prefix}, ignoring ASCII case. Does not allocate. */
    public boolean valueStartsWithIgnoreCase(int index, String prefix) {
        Objects.checkIndex(index, size);
        int start = valueStart(index);
        return valueEnd(index) - start >= prefix.length()
                && Ascii.equalsIgnoreCase(buf, start, start + prefix.length(), prefix);
    }

    /** Whether the value of field {@code index} equals {@code value}, ignoring ASCII case. Does not allocate. */
    public boolean valueEqualsIgnoreCase(int index, String value) {
        Objects.checkIndex(index, size);
        return Ascii.equalsIgnoreCase(buf, valueStart(index), valueEnd(index), value);
    }

    /** The index of the first field named {@code name} (any case), or -1. Does not allocate. */
    public int indexOf(String name) {
        return indexOf(name, 0);
    }

    /** The index of the first field named {@code name} (any case) at or after {@code from}, or -1. */
    public int indexOf(String name, int from) {
        Objects.requireNonNull(name, "name");
        for (int i = Math.max(from, 0); i < size; i++) {
            if (Ascii.equalsIgnoreCase(buf, nameStart(i), nameEnd(i), name)) {
                return i;
            }
        }
        return -1;
    }

    /** Whether a field named {@code name} is present. */
    public boolean contains(String name) {
        return indexOf(name) >= 0;
    }

    /** The value of the first field named {@code name}, or {@code null}. */
    public String get(String name) {
        int index = indexOf(name);
        return index < 0 ? null : value(index);
    }

    /** The values of every field named {@code name}, in order; empty when there is none. */
    public List<String> getAll(String name) {
        List<String> values = new ArrayList<>(2);
        for (int i = indexOf(name); i >= 0; i = indexOf(name, i + 1)) {
            values.add(value(i));
        }
        return values;
    }

    /**
     * Whether any field named {@code name} holds {@code token} as an element of its comma-separated list
     * (RFC 9110 §5.6.1), ignoring case: {@code containsToken("Connection", "close")}. Does not allocate.
     */
    public boolean containsToken(String name, String token) {
        Objects.requireNonNull(token, "token");
        for (int i = indexOf(name); i >= 0; i = indexOf(name, i + 1)) {
            if (CommaList.contains(buf, valueStart(i), valueEnd(i), token)) {
                return true;
            }
        }
        return false;
    }

    private String string(int slot, int start, int end) {
        if (strings == null) {
            strings = new String[Math.max(offsets.length / 2, 2 * size)];
        } else if (slot >= strings.length) {
            strings = Arrays.copyOf(strings, offsets.length / 2);
        }
        String s = strings[slot];
        if (s == null) {
            s = new String(buf, start, end - start, StandardCharsets.ISO_8859_1);
            strings[slot] = s;
            stringsUsed = Math.max(stringsUsed, slot + 1);
        }
        return s;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < size; i++) {
            sb.append(name(i)).append(": ").append(value(i)).append('\n');
        }
        return sb.toString();
    }
}
