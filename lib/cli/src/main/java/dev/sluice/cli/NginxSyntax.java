package dev.sluice.cli;

import dev.sluice.ValueTemplate;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * nginx's syntax for the values of directives: times, sizes, numbers, on/off flags and the variables of a text.
 * Each method throws an {@link IllegalArgumentException} quoting the text it could not read ({@code invalid time
 * "5x"}); the caller adds the flag.
 *
 * <p>Times are numbers with units in decreasing order, as nginx writes them: {@code 500ms}, {@code 30s}, {@code
 * 5m}, {@code 1h}, {@code 2d}, {@code 1w}, and combinations such as {@code 1m30s} or {@code "1h 30m"}; a number
 * without a unit is seconds. {@link #time} reads millisecond-precision directives ({@code proxy_connect_timeout});
 * {@link #seconds} reads second-precision parameters ({@code fail_timeout}), which refuse {@code ms} and also
 * accept {@code M} (30 days) and {@code y} (365 days), exactly as nginx's {@code ngx_parse_time} does for each.
 * Sizes are bytes with an optional {@code k}, {@code m} or {@code g} (either case), as {@code ngx_parse_offset}.
 */
final class NginxSyntax {

    /** What an invalid time's message adds: the forms a time may take. */
    static final String TIME_FORMS = "; write numbers with units as nginx does: 500ms, 30s, 5m, 1h30m, 2d"
            + " (a number alone is seconds)";

    /** Units in the order nginx requires them, largest first. */
    private enum Unit {
        YEAR(365L * 86_400_000), MONTH(30L * 86_400_000), WEEK(7L * 86_400_000), DAY(86_400_000), HOUR(3_600_000),
        MINUTE(60_000), SECOND(1000), MILLISECOND(1);

        final long millis;

        Unit(long millis) {
            this.millis = millis;
        }
    }

    private NginxSyntax() {
    }

    /** A time for a millisecond-precision directive: {@code 500ms}, {@code 1m30s}, {@code 2} (seconds). */
    static Duration time(String text) {
        return Duration.ofMillis(parseTime(text, false));
    }

    /** A time for a second-precision parameter such as {@code fail_timeout}: {@code ms} is refused. */
    static Duration seconds(String text) {
        return Duration.ofMillis(parseTime(text, true));
    }

    /** A size in bytes: {@code 512}, {@code 64k}, {@code 1m}, {@code 1g}. */
    static long size(String text) {
        if (text.isEmpty()) {
            throw new IllegalArgumentException("invalid size \"\"");
        }
        char last = Character.toLowerCase(text.charAt(text.length() - 1));
        int shift = last == 'k' ? 10 : last == 'm' ? 20 : last == 'g' ? 30 : 0;
        String digits = shift == 0 ? text : text.substring(0, text.length() - 1);
        long value = digitsOrFail(digits, "size", text);
        if (value > Long.MAX_VALUE >> shift) {
            throw new IllegalArgumentException("invalid size \"" + text + "\" (too large)");
        }
        return value << shift;
    }

    /** A size that must fit an {@code int}, such as a buffer size. */
    static int intSize(String text) {
        long value = size(text);
        if (value > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("invalid size \"" + text + "\" (too large)");
        }
        return (int) value;
    }

    /** A whole number of 0 or more, without a sign, that fits an {@code int}. */
    static int number(String text) {
        long value = digitsOrFail(text, "number", text);
        if (value > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("invalid number \"" + text + "\" (too large)");
        }
        return (int) value;
    }

    /** {@code on} or {@code off}, in any case, as nginx's flag directives. */
    static boolean onOff(String text) {
        switch (text.toLowerCase(Locale.ROOT)) {
            case "on":
                return true;
            case "off":
                return false;
            default:
                throw new IllegalArgumentException("invalid value \"" + text + "\" (on or off)");
        }
    }

    /** Digits only; a sign, a fraction, an empty string or an overflow is an error naming {@code what}. */
    private static long digitsOrFail(String digits, String what, String text) {
        if (digits.isEmpty() || digits.length() > 18 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("invalid " + what + " \"" + text + "\"");
        }
        return Long.parseLong(digits);
    }

    /**
     * nginx's time grammar: numbers each followed by a unit, units strictly decreasing, spaces allowed after a
     * unit, and a last number without a unit counted as seconds (unless seconds or milliseconds were already
     * given). Returns milliseconds.
     */
    private static long parseTime(String text, boolean wholeSeconds) {
        long total = 0;
        long value = 0;
        boolean digits = false;
        boolean any = false;
        Unit previous = null;
        int i = 0;
        try {
            while (i < text.length()) {
                char c = text.charAt(i++);
                if (c >= '0' && c <= '9') {
                    value = Math.addExact(Math.multiplyExact(value, 10), c - '0');
                    digits = true;
                    any = true;
                    continue;
                }
                if (!digits) {
                    throw invalidTime(text);
                }
                Unit unit = unit(c, i < text.length() ? text.charAt(i) : 0, wholeSeconds);
                if (unit == null || previous != null && unit.ordinal() <= previous.ordinal()) {
                    throw invalidTime(text);
                }
                if (unit == Unit.MILLISECOND) {
                    i++;
                }
                total = Math.addExact(total, Math.multiplyExact(value, unit.millis));
                previous = unit;
                value = 0;
                digits = false;
                while (i < text.length() && text.charAt(i) == ' ') {
                    i++;
                }
            }
            if (!any || digits && previous != null && previous.ordinal() >= Unit.SECOND.ordinal()) {
                throw invalidTime(text);
            }
            return Math.addExact(total, Math.multiplyExact(value, Unit.SECOND.millis));
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("invalid time \"" + text + "\" (too large)" + TIME_FORMS);
        }
    }

    private static Unit unit(char c, char next, boolean wholeSeconds) {
        switch (c) {
            case 'y':
                return wholeSeconds ? Unit.YEAR : null;
            case 'M':
                return wholeSeconds ? Unit.MONTH : null;
            case 'w':
                return Unit.WEEK;
            case 'd':
                return Unit.DAY;
            case 'h':
                return Unit.HOUR;
            case 'm':
                if (next == 's') {
                    return wholeSeconds ? null : Unit.MILLISECOND;
                }
                return Unit.MINUTE;
            case 's':
                return Unit.SECOND;
            default:
                return null;
        }
    }

    private static IllegalArgumentException invalidTime(String text) {
        return new IllegalArgumentException("invalid time \"" + text + "\"" + TIME_FORMS);
    }

    /**
     * Checks text with variables ({@code $host}, {@code ${uri}}) as the proxy will read it: every variable must be
     * one of the proxy's own or one of {@code maps} (names without '$').
     *
     * @throws IllegalArgumentException naming {@code option} and the first unknown variable
     */
    static void variables(String option, String template, Set<String> maps) {
        String others = template;
        for (String map : maps) {
            String name = Pattern.quote(map);
            others = others.replaceAll("\\$(\\{" + name + "\\}|" + name + "(?![A-Za-z0-9_]))", "");
        }
        ValueTemplate.parse(option, others);
    }
}
