package dev.sluice;

import dev.sluice.Route.Match;
import dev.sluice.internal.text.NginxRegex;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A route's location, nginx's {@code location [=|^~|~|~*] PATH} or {@code location @NAME}, parsed into its modifier's {@link Match}, its path
 * or regex ({@code prefix}), and the compiled regex of a regex route ({@code pattern}, else null; it matches as
 * nginx's PCRE does, see {@link NginxRegex}) and the numbers of its named groups ({@code groupNames}, which the
 * route's values may name as variables, as nginx's named captures); it writes itself back in nginx's form.
 */
record RouteLocation(String prefix, Match match, Pattern pattern, Map<String, Integer> groupNames) {

    /** Parses {@code location}, refusing a regex that does not compile and a path that is not one. */
    static RouteLocation parse(String location) {
        Objects.requireNonNull(location, "location");
        if (location.startsWith("@")) {
            if (!isName(location)) {
                throw new IllegalArgumentException("route \"" + location + "\": a named route is '@' and a name of"
                        + " letters, digits, '_', '-' or '.'");
            }
            return new RouteLocation(location, Match.NAMED, null, Map.of());
        }
        int space = location.indexOf(' ');
        String modifier = space < 0 ? "" : location.substring(0, space);
        Match match = modifier.equals("=") ? Match.EXACT : modifier.equals("^~") ? Match.PREFIX_NO_REGEX
                : modifier.equals("~") ? Match.REGEX : modifier.equals("~*") ? Match.REGEX_CASELESS : Match.PREFIX;
        String prefix = match == Match.PREFIX ? location : location.substring(space + 1).stripLeading();
        if (match == Match.REGEX || match == Match.REGEX_CASELESS) {
            Pattern pattern;
            Map<String, Integer> names;
            try {
                pattern = NginxRegex.compile(prefix, match == Match.REGEX_CASELESS);
                names = RouteChecks.groupNames("route \"" + location + "\"", prefix);
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException("route \"" + location + "\": not a regex: " + e.getDescription());
            }
            return new RouteLocation(prefix, match, pattern, names);
        }
        if (!prefix.startsWith("/") || prefix.chars().anyMatch(c -> c <= ' ' || c >= 0x7f)) {
            throw new IllegalArgumentException("route \"" + location + "\": the path must start with '/' and"
                    + " hold no spaces or controls (a modifier is =, ^~, ~ or ~*, then a space)");
        }
        return new RouteLocation(prefix, match, null, Map.of());
    }

    /** Whether {@code text} names a named route: {@code @} and letters, digits, '_', '-' or '.'. */
    static boolean isName(String text) {
        return text.length() > 1 && text.charAt(0) == '@' && text.chars().skip(1).allMatch(c -> c < 0x80
                && (Character.isLetterOrDigit(c) || c == '_' || c == '-' || c == '.'));
    }

    /** The location as nginx writes it, e.g. {@code "^~ /static/"}. */
    @Override
    public String toString() {
        switch (match) {
            case EXACT:
                return "= " + prefix;
            case PREFIX_NO_REGEX:
                return "^~ " + prefix;
            case REGEX:
                return "~ " + prefix;
            case REGEX_CASELESS:
                return "~* " + prefix;
            default:
                return prefix;
        }
    }
}
