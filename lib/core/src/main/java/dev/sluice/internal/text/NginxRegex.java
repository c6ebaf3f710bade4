package dev.sluice.internal.text;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * An nginx regex (PCRE's syntax) compiled to match what PCRE matches in nginx: {@code .} matches every character
 * but a newline, {@code $} and {@code \Z} match before a final newline only ({@link Pattern#UNIX_LINES}; Java's
 * defaults also stop at {@code \r} and U+0085), and a bracket expression reads as PCRE reads it: POSIX classes such
 * as {@code [[:digit:]]} name their characters, and a {@code [} or {@code &&} inside one is literal, where Java
 * would read a set of the letters, a nested class or an intersection. Caseless matching folds ASCII letters only,
 * as nginx's PCRE does without UTF mode, and a character beyond ASCII stands for its UTF-8 bytes, as the proxy holds
 * a request's bytes one char each ({@link ByteText}). PCRE's named groups ({@code (?P<name>...)}, names with '_') and their
 * references are written in Java's terms, and its comments {@code (?#...)} dropped.
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
        return Pattern.compile(toJava(ByteText.of(regex)), Pattern.UNIX_LINES | (caseless ? Pattern.CASE_INSENSITIVE : 0));
    }

    /**
     * The named groups of {@code regex} ({@code (?<name>...)}, {@code (?P<name>...)} or {@code (?'name'...)}) by
     * their numbers, which count every capturing group from the left as PCRE's do: what nginx makes a variable of.
     *
     * @throws PatternSyntaxException when two groups share a name
     */
    public static Map<String, Integer> groupNames(String regex) {
        Translation t = new Translation(regex);
        t.run();
        return Collections.unmodifiableMap(t.names);
    }

    /** {@code regex} in Java's syntax: its bracket expressions and named groups rewritten, the rest as it is. */
    static String toJava(String regex) {
        Translation t = new Translation(regex);
        t.run();
        return t.out.toString();
    }

    /**
     * One regex's rewriting: Java's group names allow no '_' and PCRE's do, so a named group becomes a plain group
     * of the same number, and a reference to it ({@code (?P=name)}, {@code \k<name>}, {@code \g{name}}) a numbered
     * back reference.
     */
    private static final class Translation {

        /** PCRE's longest group name. */
        private static final int MAX_NAME = 32;

        private final String regex;
        private final StringBuilder out;
        private final Map<String, Integer> names = new LinkedHashMap<>();
        private int groups;

        Translation(String regex) {
            this.regex = regex;
            this.out = new StringBuilder(regex.length() + 16);
        }

        void run() {
            int i = 0;
            while (i < regex.length()) {
                char c = regex.charAt(i);
                if (c == '\\') {
                    i = reference(i);
                } else if (c == '[') {
                    i = bracket(regex, i, out);
                } else if (c == '(') {
                    i = group(i);
                } else {
                    out.append(c);
                    i++;
                }
            }
        }

        /** Rewrites the group opening at {@code i}; returns the index after what it consumed. */
        private int group(int i) {
            if (regex.startsWith("(?#", i)) { // a comment, which Java lacks
                int end = regex.indexOf(')', i);
                if (end < 0) {
                    throw new PatternSyntaxException("missing ) after (?# comment", regex, i);
                }
                return end + 1;
            }
            String name = null;
            int after = i;
            if (regex.startsWith("(?P<", i)) {
                after = i + 4;
                name = newName(after, '>');
            } else if (regex.startsWith("(?<", i) && !regex.startsWith("(?<=", i) && !regex.startsWith("(?<!", i)) {
                after = i + 3;
                name = newName(after, '>');
            } else if (regex.startsWith("(?'", i)) {
                after = i + 3;
                name = newName(after, '\'');
            } else if (regex.startsWith("(?P=", i)) {
                after = i + 4;
                String target = nameUntil(after, ')');
                backReference(target, i);
                return after + target.length() + 1;
            } else if (regex.startsWith("(?P>", i)) {
                throw new PatternSyntaxException("recursion into a group is not supported", regex, i);
            }
            if (name != null) {
                if (names.putIfAbsent(name, ++groups) != null) {
                    throw new PatternSyntaxException("two named subpatterns have the same name", regex, i);
                }
                out.append('(');
                return after + name.length() + 1;
            }
            if (!regex.startsWith("(?", i) && !regex.startsWith("(*", i)) {
                groups++;
            }
            out.append('(');
            return i + 1;
        }

        /** The name of a new group at {@code from}, ending before {@code close}: as PCRE's, not a digit first and
         * up to 32 characters. */
        private String newName(int from, char close) {
            String name = nameUntil(from, close);
            if (Character.isDigit(name.charAt(0))) {
                throw new PatternSyntaxException("subpattern name must start with a non-digit", regex, from);
            }
            if (name.length() > MAX_NAME) {
                throw new PatternSyntaxException("subpattern name is too long (maximum " + MAX_NAME + " characters)",
                        regex, from);
            }
            return name;
        }

        /** The group name or number that starts at {@code from} and ends before {@code close}. */
        private String nameUntil(int from, char close) {
            int end = from;
            while (end < regex.length() && isNameChar(regex.charAt(end))) {
                end++;
            }
            if (end == from || end >= regex.length() || regex.charAt(end) != close) {
                throw new PatternSyntaxException("a group name must be letters, digits and '_', then "
                        + close, regex, from);
            }
            return regex.substring(from, end);
        }

        /** Copies the escape at {@code i}, rewriting {@code \k<name>}, {@code \k'name'}, {@code \k{name}} and
         * {@code \g{name}} into numbered back references. */
        private int reference(int i) {
            char kind = i + 2 < regex.length() ? regex.charAt(i + 1) : 0;
            char open = kind == 0 ? 0 : regex.charAt(i + 2);
            char close = open == '<' ? '>' : open == '\'' ? '\'' : open == '{' ? '}' : 0;
            if ((kind == 'k' && close != 0) || (kind == 'g' && open == '{')) {
                String target = nameUntil(i + 3, close);
                backReference(target, i);
                return i + 3 + target.length() + 1;
            }
            return escape(regex, i, out);
        }

        /** Writes a numbered back reference to group {@code target}, a name or a number. */
        private void backReference(String target, int at) {
            Integer number = target.chars().allMatch(Character::isDigit) ? Integer.valueOf(target)
                    : names.get(target);
            if (number == null) {
                throw new PatternSyntaxException("reference to non-existent subpattern", regex, at);
            }
            out.append("(?:\\").append(number).append(')');
        }

        private static boolean isNameChar(char c) {
            return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z';
        }
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
