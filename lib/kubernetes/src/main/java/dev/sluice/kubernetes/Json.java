package dev.sluice.kubernetes;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict JSON reader (RFC 8259) for what the API server sends: one value, UTF-8, at most {@value #MAX_BYTES}
 * bytes and {@value #MAX_DEPTH} levels of nesting. Objects become {@link Map}s in the order of their members (a
 * repeated name is an error), arrays {@link List}s, numbers {@link Long} when integral and in range (else a finite
 * {@link Double}), and {@code null} Java's null. Anything RFC 8259 does not allow (a trailing comma, a leading zero,
 * a control character in a string, a lone surrogate, text after the value) is refused, and so is a number beyond a
 * double's range.
 */
final class Json {

    /** The most bytes a document may have: a Service's EndpointSlices, listed together, stay far below it. */
    static final int MAX_BYTES = 16 << 20;
    /** The deepest nesting of arrays and objects; an EndpointSlice needs five. */
    static final int MAX_DEPTH = 64;

    private final String text;
    private int at;
    private int depth;

    private Json(String text) {
        this.text = text;
    }

    /** The value {@code utf8} holds. */
    static Object parse(byte[] utf8) throws JsonException {
        if (utf8.length > MAX_BYTES) {
            throw new JsonException("a document of over " + MAX_BYTES + " bytes");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(utf8)).toString();
        } catch (CharacterCodingException e) {
            throw new JsonException("not UTF-8");
        }
        Json json = new Json(text);
        json.skipSpace();
        Object value = json.value();
        json.skipSpace();
        if (json.at != text.length()) {
            throw json.error("text after the value");
        }
        return value;
    }

    private Object value() throws JsonException {
        if (at == text.length()) {
            throw error("a value expected");
        }
        char c = text.charAt(at);
        switch (c) {
            case '{':
                return object();
            case '[':
                return array();
            case '"':
                return string();
            case 't':
                return literal("true", Boolean.TRUE);
            case 'f':
                return literal("false", Boolean.FALSE);
            case 'n':
                return literal("null", null);
            default:
                if (c == '-' || c >= '0' && c <= '9') {
                    return number();
                }
                throw error("a value expected");
        }
    }

    private Map<String, Object> object() throws JsonException {
        enter();
        Map<String, Object> members = new LinkedHashMap<>();
        at++;
        skipSpace();
        if (!take('}')) {
            do {
                skipSpace();
                if (at == text.length() || text.charAt(at) != '"') {
                    throw error("a member name expected");
                }
                String name = string();
                skipSpace();
                expect(':');
                skipSpace();
                if (members.containsKey(name)) {
                    throw error("member \"" + name + "\" repeated");
                }
                members.put(name, value());
                skipSpace();
            } while (take(','));
            expect('}');
        }
        depth--;
        return Collections.unmodifiableMap(members);
    }

    private List<Object> array() throws JsonException {
        enter();
        List<Object> elements = new ArrayList<>();
        at++;
        skipSpace();
        if (!take(']')) {
            do {
                skipSpace();
                elements.add(value());
                skipSpace();
            } while (take(','));
            expect(']');
        }
        depth--;
        return Collections.unmodifiableList(elements);
    }

    private void enter() throws JsonException {
        if (++depth > MAX_DEPTH) {
            throw error("nested over " + MAX_DEPTH + " levels");
        }
    }

    private String string() throws JsonException {
        at++;
        StringBuilder out = new StringBuilder();
        while (true) {
            if (at == text.length()) {
                throw error("an unterminated string");
            }
            char c = text.charAt(at++);
            if (c == '"') {
                return out.toString();
            } else if (c == '\\') {
                escape(out);
            } else if (c < 0x20) {
                throw error("a control character in a string");
            } else {
                out.append(c);
            }
        }
    }

    private void escape(StringBuilder out) throws JsonException {
        if (at == text.length()) {
            throw error("an unterminated string");
        }
        char c = text.charAt(at++);
        switch (c) {
            case '"', '\\', '/' -> out.append(c);
            case 'b' -> out.append('\b');
            case 'f' -> out.append('\f');
            case 'n' -> out.append('\n');
            case 'r' -> out.append('\r');
            case 't' -> out.append('\t');
            case 'u' -> unicode(out);
            default -> throw error("an unknown escape \\" + c);
        }
    }

    private void unicode(StringBuilder out) throws JsonException {
        char c = hex();
        if (Character.isHighSurrogate(c)) {
            if (!text.startsWith("\\u", at)) {
                throw error("a lone surrogate");
            }
            at += 2;
            char low = hex();
            if (!Character.isLowSurrogate(low)) {
                throw error("a lone surrogate");
            }
            out.append(c).append(low);
        } else if (Character.isLowSurrogate(c)) {
            throw error("a lone surrogate");
        } else {
            out.append(c);
        }
    }

    private char hex() throws JsonException {
        if (at + 4 > text.length()) {
            throw error("a short \\u escape");
        }
        int value = 0;
        for (int i = 0; i < 4; i++) {
            int digit = Character.digit(text.charAt(at++), 16);
            if (digit < 0) {
                throw error("a bad \\u escape");
            }
            value = value << 4 | digit;
        }
        return (char) value;
    }

    private Object number() throws JsonException {
        int start = at;
        take('-');
        if (take('0')) {
            if (at < text.length() && isDigit(text.charAt(at))) {
                throw error("a leading zero");
            }
        } else {
            digits();
        }
        boolean integral = true;
        if (take('.')) {
            integral = false;
            digits();
        }
        if (take('e') || take('E')) {
            integral = false;
            if (!take('+')) {
                take('-');
            }
            digits();
        }
        String literal = text.substring(start, at);
        if (integral) {
            try {
                return Long.parseLong(literal);
            } catch (NumberFormatException outOfRange) {
                // an integer beyond a long: a double, as most readers make it
            }
        }
        double value = Double.parseDouble(literal);
        if (Double.isInfinite(value)) {
            throw error("a number out of range");
        }
        return value;
    }

    private void digits() throws JsonException {
        int start = at;
        while (at < text.length() && isDigit(text.charAt(at))) {
            at++;
        }
        if (at == start) {
            throw error("a digit expected");
        }
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private Object literal(String word, Object value) throws JsonException {
        if (!text.startsWith(word, at)) {
            throw error("a value expected");
        }
        at += word.length();
        return value;
    }

    private void skipSpace() {
        while (at < text.length()) {
            char c = text.charAt(at);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return;
            }
            at++;
        }
    }

    private boolean take(char c) {
        if (at < text.length() && text.charAt(at) == c) {
            at++;
            return true;
        }
        return false;
    }

    private void expect(char c) throws JsonException {
        if (!take(c)) {
            throw error("'" + c + "' expected");
        }
    }

    private JsonException error(String what) {
        return new JsonException(what + " at character " + at);
    }
}
