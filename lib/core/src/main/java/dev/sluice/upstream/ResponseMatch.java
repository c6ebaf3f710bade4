package dev.sluice.upstream;

import dev.sluice.internal.text.NginxRegex;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * What a health check's response must look like for the peer to pass: NGINX Plus's {@code match} block, its
 * conditions written as nginx writes them and all of them required. Without any condition a response passes when
 * its status is 2xx or 3xx, as NGINX Plus's default.
 *
 * <ul>
 *   <li>{@code status("200")}, {@code status("200 204")}, {@code status("200-399")}, {@code status("! 500")},
 *       {@code status("! 400-599")}: the status is (not) one of the codes or ranges;</li>
 *   <li>{@code header("Content-Type = text/html")}, {@code header("Content-Type != text/html")},
 *       {@code header("Connection ~ close")}, {@code header("Connection !~ close")}, {@code header("Host")} (present),
 *       {@code header("! X-Accel-Redirect")} (absent): names are case-insensitive, the first field of a name counts,
 *       regexes match anywhere in the value;</li>
 *   <li>{@code body("~ Welcome")}, {@code body("!~ error")}: a regex over the first {@value #BODY_LIMIT} bytes of
 *       the body, read as ISO-8859-1.</li>
 * </ul>
 */
public final class ResponseMatch {

    /** The most body bytes a body condition reads. */
    public static final int BODY_LIMIT = 64 * 1024;

    /** 2xx and 3xx: the match of a check that names none. */
    public static final ResponseMatch DEFAULT = builder().status("200-399").build();

    private final List<Condition> conditions;
    private final boolean needsBody;
    private final String source;

    private ResponseMatch(Builder b) {
        this.conditions = List.copyOf(b.conditions);
        this.needsBody = b.needsBody;
        this.source = String.join("; ", b.written);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Whether a condition reads the body: a check then reads up to {@link #BODY_LIMIT} bytes of it. */
    public boolean needsBody() {
        return needsBody;
    }

    /**
     * Whether a response passes: {@code header} gives the first value of a field by name (any case) or null; {@code
     * body} is the start of the body (empty when no condition needs it).
     */
    public boolean matches(int status, Function<String, String> header, CharSequence body) {
        for (Condition condition : conditions) {
            if (!condition.test(status, header, body)) {
                return false;
            }
        }
        return true;
    }

    /** The conditions as written, separated by "; ". */
    @Override
    public String toString() {
        return source;
    }

    @FunctionalInterface
    private interface Condition {
        boolean test(int status, Function<String, String> header, CharSequence body);
    }

    /** Builds a {@link ResponseMatch}; each condition is checked as it is added and names what is wrong. */
    public static final class Builder {

        private final List<Condition> conditions = new ArrayList<>();
        private final List<String> written = new ArrayList<>();
        private boolean needsBody;

        private Builder() {
        }

        /** {@code status [!] CODE|FROM-TO ...}: the status is (not, with "!") one of the codes or ranges. */
        public Builder status(String spec) {
            String[] words = words("status", spec);
            boolean not = words[0].equals("!");
            int first = not ? 1 : 0;
            if (first >= words.length) {
                throw new IllegalArgumentException("status needs a code or a range: \"" + spec + "\"");
            }
            int[][] ranges = new int[words.length - first][];
            for (int i = first; i < words.length; i++) {
                ranges[i - first] = range(words[i], spec);
            }
            add("status " + spec, (status, header, body) -> {
                boolean in = false;
                for (int[] range : ranges) {
                    in |= status >= range[0] && status <= range[1];
                }
                return in != not;
            });
            return this;
        }

        /** {@code header [!] NAME [= | != | ~ | !~ VALUE]}: the field is present, absent, equal, different, matching. */
        public Builder header(String spec) {
            String[] words = words("header", spec);
            if (words[0].equals("!")) {
                if (words.length != 2) {
                    throw new IllegalArgumentException("header ! takes one name: \"" + spec + "\"");
                }
                String name = words[1];
                add("header " + spec, (status, header, body) -> header.apply(name) == null);
                return this;
            }
            String name = words[0];
            if (words.length == 1) {
                add("header " + spec, (status, header, body) -> header.apply(name) != null);
                return this;
            }
            String op = words[1];
            int at = spec.indexOf(op, spec.indexOf(name) + name.length()) + op.length();
            String value = unquote(spec.substring(at).trim());
            if (value.isEmpty()) {
                throw new IllegalArgumentException("header " + name + " " + op + " needs a value: \"" + spec + "\"");
            }
            switch (op) {
                case "=":
                    add("header " + spec, (status, header, body) -> value.equals(header.apply(name)));
                    break;
                case "!=":
                    add("header " + spec, (status, header, body) -> !value.equals(header.apply(name)));
                    break;
                case "~":
                case "!~":
                    Pattern pattern = regex(value, spec);
                    boolean not = op.equals("!~");
                    add("header " + spec, (status, header, body) -> {
                        String v = header.apply(name);
                        return v != null && pattern.matcher(v).find() != not;
                    });
                    break;
                default:
                    throw new IllegalArgumentException("header takes =, !=, ~ or !~, not " + op + ": \"" + spec + "\"");
            }
            return this;
        }

        /** {@code body ~ REGEX} or {@code body !~ REGEX}: the start of the body does (not) match. */
        public Builder body(String spec) {
            String trimmed = Objects.requireNonNull(spec, "body").trim();
            boolean not = trimmed.startsWith("!~");
            if (!not && !trimmed.startsWith("~")) {
                throw new IllegalArgumentException("body takes ~ REGEX or !~ REGEX: \"" + spec + "\"");
            }
            Pattern pattern = regex(trimmed.substring(not ? 2 : 1).trim(), spec);
            needsBody = true;
            add("body " + spec, (status, header, body) -> pattern.matcher(body).find() != not);
            return this;
        }

        public ResponseMatch build() {
            if (conditions.isEmpty()) {
                throw new IllegalArgumentException("a match needs at least one condition: use ResponseMatch.DEFAULT");
            }
            return new ResponseMatch(this);
        }

        private void add(String text, Condition condition) {
            written.add(text);
            conditions.add(condition);
        }

        private static String[] words(String what, String spec) {
            String trimmed = Objects.requireNonNull(spec, what).trim();
            if (trimmed.isEmpty()) {
                throw new IllegalArgumentException(what + " needs a condition");
            }
            if (trimmed.startsWith("!") && !trimmed.startsWith("! ") && trimmed.length() > 1) {
                trimmed = "! " + trimmed.substring(1); // "!500" as "! 500"
            }
            return trimmed.split("\\s+");
        }

        private static int[] range(String word, String spec) {
            int dash = word.indexOf('-');
            try {
                int from = Integer.parseInt(dash < 0 ? word : word.substring(0, dash));
                int to = dash < 0 ? from : Integer.parseInt(word.substring(dash + 1));
                if (from < 100 || to > 599 || from > to) {
                    throw new NumberFormatException();
                }
                return new int[] {from, to};
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("status takes codes and ranges from 100 to 599, not \"" + word
                        + "\": \"" + spec + "\"");
            }
        }

        private static String unquote(String value) {
            return value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")
                    ? value.substring(1, value.length() - 1) : value;
        }

        private static Pattern regex(String regex, String spec) {
            try {
                return NginxRegex.compile(unquote(regex), false);
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException("not a regex: \"" + spec + "\": " + e.getDescription()
                        .toLowerCase(Locale.ROOT));
            }
        }
    }
}
