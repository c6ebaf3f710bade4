package dev.sluice.internal.text;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * nginx's syntax for text with variables, as {@code proxy_set_header} values and {@code log_format} strings are
 * written: {@code $name} (letters, digits and '_') or {@code ${name}}, everything else literal. Splits such text once
 * into its parts, so that each use evaluates them without parsing again.
 */
public final class VariableText {

    private VariableText() {
    }

    /**
     * The parts of {@code text}, in order: a {@link String} for each run of literal text, and what {@code variable}
     * makes of each variable's name.
     *
     * @param option what the text belongs to, named in an error
     * @param variable turns a name into the caller's variable, or throws an {@link IllegalArgumentException}
     * @throws IllegalArgumentException for a '$' without a name or an unclosed '${', or from {@code variable}
     */
    public static Object[] split(String option, String text, Function<String, Object> variable) {
        List<Object> parts = new ArrayList<>();
        StringBuilder literal = new StringBuilder();
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c != '$') {
                literal.append(c);
                i++;
                continue;
            }
            int start = i + 1;
            int end;
            String name;
            if (start < text.length() && text.charAt(start) == '{') {
                end = text.indexOf('}', start);
                if (end < 0) {
                    throw new IllegalArgumentException(option + " has an unclosed '${': \"" + text + "\"");
                }
                name = text.substring(start + 1, end);
                end++;
            } else {
                end = start;
                while (end < text.length() && isNameChar(text.charAt(end))) {
                    end++;
                }
                name = text.substring(start, end);
            }
            if (name.isEmpty()) {
                throw new IllegalArgumentException(option + " has a '$' without a variable name: \"" + text + "\"");
            }
            if (literal.length() > 0) {
                parts.add(literal.toString());
                literal.setLength(0);
            }
            parts.add(variable.apply(name));
            i = end;
        }
        if (literal.length() > 0) {
            parts.add(literal.toString());
        }
        return parts.toArray();
    }

    private static boolean isNameChar(char c) {
        return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9';
    }
}
