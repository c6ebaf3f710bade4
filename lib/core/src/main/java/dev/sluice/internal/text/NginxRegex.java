package dev.sluice.internal.text;

import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * An nginx regex (PCRE's syntax) compiled to match what PCRE matches in nginx: {@code .} matches every character
 * but a newline, {@code $} and {@code \Z} match before a final newline only ({@link Pattern#UNIX_LINES}; Java's
 * defaults also stop at {@code \r} and U+0085), and a bracket expression reads as PCRE reads it: POSIX classes such
 * as {@code [[:digit:]]} name their characters, and a {@code [} or {@code &&} inside one is literal, where Java
 * would read a set of the letters, a nested class or an intersection. Caseless matching folds ASCII letters only,
 * as nginx's PCRE does without UTF mode.
 */
public final class NginxRegex {

    private static final Map<String, String> POSIX_CLASSES = Map.ofEntries(
            Map.entry("alnum", "Alnum"), Map.entry("alpha", "Alpha"), Map.entry("ascii", "ASCII"),
            Map.entry("blank", "Blank"), Map.entry("cntrl", "Cntrl"), Map.entry("digit", "Digit"),
            Map.entry("graph", "Graph"), Map.entry("lower", "Lower"), Map.entry("print", "Print"),
            Map.entry("punct", "Punct"), Map.entry("space", "Space"), Map.entry("upper", "Upper"),
            Map.entry("word", "Word"), Map.entry("xdigit", "XDigit"));

    private NginxRegex() {
    }

    /**
     * Compiles {@code regex}, caseless ({@code ~*}) or not ({@code ~}).
     *
     * @throws PatternSyntaxException when it is not a regex, or names a POSIX class PCRE does not have
     */
    public static Pattern compile(String regex, boolean caseless) {
        return Pattern.compile(toJava(regex), Pattern.UNIX_LINES | (caseless ? Pattern.CASE_INSENSITIVE : 0));
    }

    /** {@code regex} in Java's syntax: its bracket expressions rewritten, everything else as it is. */
    static String toJava(String regex) {
        StringBuilder out = new StringBuilder(regex.length() + 16);
        int i = 0;
        while (i < regex.length()) {
            char c = regex.charAt(i);
            if (c == '\\') {
                i = escape(regex, i, out);
            } else if (c == '[') {
                i = bracket(regex, i, out);
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    /** Copies the escape at {@code i} ({@code \x}, or a whole {@code \Q...\E}); returns the index after it. */
    private static int escape(String regex, int i, StringBuilder out) {
        if (i + 1 >= regex.length()) {
            out.append('\\');
            return i + 1;
        }
        if (regex.charAt(i + 1) == 'Q') {
            int end = regex.indexOf("\\E", i + 2);
            int stop = end < 0 ? regex.length() : end + 2;
            out.append(regex, i, stop);
            return stop;
        }
        out.append(regex, i, i + 2);
        return i + 2;
    }

    /** Rewrites the bracket expression that opens at {@code open}; returns the index after its {@code ]}. */
    private static int bracket(String regex, int open, StringBuilder out) {
        int i = open + 1;
        out.append('[');
        if (i < regex.length() && regex.charAt(i) == '^') {
            out.append('^');
            i++;
        }
        if (i < regex.length() && regex.charAt(i) == ']') {
            out.append("\\]"); // a ']' first in the set is one of its characters
            i++;
        }
        while (i < regex.length()) {
            char c = regex.charAt(i);
            if (c == ']') {
                out.append(']');
                return i + 1;
            }
            if (c == '\\') {
                i = escape(regex, i, out);
            } else if (c == '[' && regex.startsWith("[:", i)) {
                i = posixClass(regex, i, out);
            } else if (c == '[' || c == '&') {
                out.append('\\').append(c);
                i++;
            } else {
                out.append(c);
                i++;
            }
        }
        return i; // unclosed: Java reports it
    }

    /** Writes the POSIX class {@code [:name:]} or {@code [:^name:]} at {@code i}; returns the index after it. */
    private static int posixClass(String regex, int i, StringBuilder out) {
        int end = regex.indexOf(":]", i + 2);
        if (end < 0) {
            out.append("\\[");
            return i + 1;
        }
        boolean negated = regex.charAt(i + 2) == '^';
        String name = regex.substring(i + (negated ? 3 : 2), end);
        String property = POSIX_CLASSES.get(name);
        if (property == null) {
            throw new PatternSyntaxException("unknown POSIX class name \"" + name + "\"", regex, i);
        }
        if (property.equals("Word")) {
            out.append(negated ? "\\W" : "\\w");
        } else {
            out.append(negated ? "\\P{" : "\\p{").append(property).append('}');
        }
        return end + 2;
    }
}
