package dev.sluice.cli;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A catalogue of command-line flags and the tokeniser over it: turns {@code String[] args} into the flags
 * given, in order, each with its value, and writes the help text. It knows nothing of what a flag means.
 *
 * <p>A value follows its flag as the next argument ({@code --listen 127.0.0.1:8080}) or after an equals sign
 * ({@code --listen=127.0.0.1:8080}). The tokeniser refuses, each time with a {@link UsageException} naming the
 * flag: a flag it does not know, a missing value, a value given to a
 * flag that takes none, and a second occurrence of a flag that is not repeatable.
 */
final class Flags {

    /**
     * One flag.
     *
     * @param section the heading it is listed under in the help
     * @param name such as {@code --proxy-connect-timeout}
     * @param value its value's placeholder, such as {@code T}, or null when it takes none
     * @param repeatable whether it may be given more than once
     * @param help one line of help
     */
    record Flag(String section, String name, String value, boolean repeatable, String help) {

        boolean takesValue() {
            return value != null;
        }
    }

    /**
     * A flag as given on the command line.
     *
     * @param flag which flag
     * @param value its value, or null for a flag that takes none
     */
    record Given(Flag flag, String value) {
    }

    private final Map<String, Flag> byName = new LinkedHashMap<>();

    Flags(List<Flag> flags) {
        for (Flag flag : flags) {
            if (byName.put(flag.name(), flag) != null) {
                throw new IllegalStateException("flag listed twice: " + flag.name());
            }
        }
    }

    /** Every flag, in catalogue order. */
    List<Flag> all() {
        return List.copyOf(byName.values());
    }

    /**
     * Splits the arguments into flags and values.
     *
     * @throws UsageException for the first argument that is not right, naming its flag
     */
    List<Given> tokenise(String[] args) {
        List<Given> given = new ArrayList<>();
        Map<String, String> once = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            boolean shortFlag = byName.containsKey(arg) && !arg.startsWith("--");
            if (!shortFlag && (!arg.startsWith("--") || arg.length() == 2)) {
                throw new UsageException(null, "unexpected argument \"" + arg + "\" (flags start with --; see --help)");
            }
            int eq = arg.indexOf('=');
            String name = eq < 0 ? arg : arg.substring(0, eq);
            String value = eq < 0 ? null : arg.substring(eq + 1);
            Flag flag = known(name);
            if (flag.takesValue() && value == null) {
                if (i + 1 == args.length || args[i + 1].startsWith("--")) {
                    throw new UsageException(name, "missing value " + flag.value());
                }
                value = args[++i];
            } else if (!flag.takesValue() && value != null) {
                throw new UsageException(name, "takes no value, got \"" + value + "\"");
            }
            if (!flag.repeatable()) {
                String earlier = once.putIfAbsent(name, value == null ? "" : value);
                if (earlier != null) {
                    throw new UsageException(name, flag.takesValue()
                            ? "given twice (\"" + earlier + "\" and \"" + value + "\"); it is not repeatable"
                            : "given twice");
                }
            }
            given.add(new Given(flag, value));
        }
        return given;
    }

    /** The help: a line for every flag, under its section's heading, aligned. */
    String help() {
        int width = 0;
        for (Flag flag : byName.values()) {
            width = Math.max(width, Math.min(usage(flag).length(), 40));
        }
        Map<String, StringBuilder> sections = new LinkedHashMap<>(); // each section once, where it first appears
        for (Flag flag : byName.values()) {
            String usage = usage(flag);
            sections.computeIfAbsent(flag.section(), section -> new StringBuilder())
                    .append("  ").append(usage).append(" ".repeat(Math.max(2, width + 2 - usage.length())))
                    .append(flag.help()).append('\n');
        }
        StringBuilder sb = new StringBuilder();
        sections.forEach((section, lines) -> sb.append('\n').append(section).append(":\n").append(lines));
        return sb.toString();
    }

    /** The known flag nearest to {@code name} by edit distance, if it is near enough to be a misspelling. */
    private Flag nearest(String name) {
        Flag best = null;
        int bestDistance = Math.max(2, name.length() / 5) + 1;
        for (Flag flag : byName.values()) {
            int d = editDistance(name, flag.name());
            if (d < bestDistance) {
                best = flag;
                bestDistance = d;
            }
        }
        return best;
    }

    /** Levenshtein distance: insertions, deletions and substitutions, one each. */
    static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    private static String usage(Flag flag) {
        return flag.name() + (flag.takesValue() ? " " + flag.value() : "") + (flag.repeatable() ? " (r)" : "");
    }

    private Flag known(String name) {
        Flag flag = byName.get(name);
        if (flag == null) {
            Flag nearest = nearest(name.replace('_', '-'));
            throw new UsageException(name, "unknown flag" + (nearest == null
                    ? " (see --help)" : "; did you mean " + nearest.name() + "?"));
        }
        return flag;
    }
}
