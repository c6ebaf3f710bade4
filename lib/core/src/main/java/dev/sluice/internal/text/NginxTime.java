package dev.sluice.internal.text;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * nginx's simplest time values, as a state file or an API request writes them: a whole number with an optional
 * unit, {@code ms}, {@code s} (the default), {@code m}, {@code h} or {@code d}.
 */
public final class NginxTime {

    private static final Pattern TIME = Pattern.compile("([0-9]{1,9})(ms|s|m|h|d)?");

    private NginxTime() {
    }

    /** The time {@code text} says, or null when it is not one. */
    public static Duration parse(String text) {
        Matcher m = TIME.matcher(text);
        if (!m.matches()) {
            return null;
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        return switch (unit) {
            case "ms" -> Duration.ofMillis(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            case "d" -> Duration.ofDays(n);
            default -> Duration.ofSeconds(n);
        };
    }
}
