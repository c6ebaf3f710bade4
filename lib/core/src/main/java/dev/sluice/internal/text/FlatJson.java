package dev.sluice.internal.text;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads one flat JSON object, {@code {"name": value, ...}}, whose values are strings, numbers, {@code true}, {@code
 * false} or {@code null}: what an API request body that sets parameters holds. A nested object or array, a
 * duplicate name or anything after the object is an error, as is any text that is not JSON.
 */
public final class FlatJson {

    private final String text;
    private int at;

    private FlatJson(String text) {
        this.text = text;
    }

    /**
     * The members of the object in {@code text}, in order: a {@link String}, a {@link Double} (every JSON number),
     * a {@link Boolean}, or {@code null} for each.
     *
     * @throws IllegalArgumentException saying where the text stops being such an object
     */
    public static Map<String, Object> parse(String text) {
        FlatJson json = new FlatJson(text);
        json.space();
        Map<String, Object> members = json.object();
        json.space();
        if (json.at != text.length()) {
            throw json.error("nothing may follow the object");
        }
        return members;
    }

    private Map<String, Object> object() {
        Map<String, Object> members = new LinkedHashMap<>();
        expect('{');
        space();
        if (peek() == '}') {
            at++;
            return members;
        }
        for (;;) {
            space();
            String name = string();
            space();
            expect(':');
            space();
            if (members.containsKey(name)) {
                throw error("\"" + name + "\" is given twice");
            }
            members.put(name, value());
            space();
            char c = next();
            if (c == '}') {
                return members;
            }
            if (c != ',') {
                throw error("expected ',' or '}'");
            }
        }
    }

    private Object value() {
        char c = peek();
        if (c == '"') {
            return string();
        }
        if (c == '-' || c >= '0' && c <= '9') {
            return number();
        }
        for (String word : new String[] {"true", "false", "null"}) {
            if (text.startsWith(word, at)) {
                at += word.length();
                return word.equals("null") ? null : Boolean.valueOf(word);
            }
        }
        throw error(c == '{' || c == '[' ? "values are strings, numbers, true, false or null" : "expected a value");
    }

    private Double number() {
        int start = at;
        while (at < text.length() && "+-0123456789.eE".indexOf(text.charAt(at)) >= 0) {
            at++;
        }
        String number = text.substring(start, at);
        if (!number.matches("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?")) {
            throw error("invalid number \"" + number + "\"");
        }
        return Double.valueOf(number);
    }

    private String string() {
        expect('"');
        StringBuilder out = new StringBuilder();
        for (;;) {
            char c = next();
            if (c == '"') {
                return out.toString();
            }
            if (c < ' ') {
                throw error("a control character in a string");
            }
            if (c != '\\') {
                out.append(c);
                continue;
            }
            char escaped = next();
            switch (escaped) {
                case '"', '\\', '/' -> out.append(escaped);
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case 'u' -> {
                    if (at + 4 > text.length()) {
                        throw error("a \\u escape needs four hex digits");
                    }
                    try {
                        out.append((char) Integer.parseInt(text.substring(at, at + 4), 16));
                    } catch (NumberFormatException e) {
                        throw error("a \\u escape needs four hex digits");
                    }
                    at += 4;
                }
                default -> throw error("invalid escape \\" + escaped);
            }
        }
    }

    private void space() {
        while (at < text.length() && " \t\r\n".indexOf(text.charAt(at)) >= 0) {
            at++;
        }
    }

    private void expect(char c) {
        if (next() != c) {
            at--;
            throw error("expected '" + c + "'");
        }
    }

    private char peek() {
        if (at >= text.length()) {
            throw error("the text ends too soon");
        }
        return text.charAt(at);
    }

    private char next() {
        char c = peek();
        at++;
        return c;
    }

    private IllegalArgumentException error(String what) {
        return new IllegalArgumentException("invalid JSON at offset " + at + ": " + what);
    }
}
