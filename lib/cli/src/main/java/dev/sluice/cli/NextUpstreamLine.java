package dev.sluice.cli;

import dev.sluice.NextUpstream;
import dev.sluice.NextUpstream.Condition;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * One {@code --proxy-next-upstream} value: nginx's {@code proxy_next_upstream} conditions, such as {@code error
 * timeout http_500 non_idempotent}, or {@code off}. Names are nginx's, in any case; a repeated name counts once,
 * as nginx only warns about it.
 */
final class NextUpstreamLine {

    private NextUpstreamLine() {
    }

    /**
     * Reads the conditions.
     *
     * @throws IllegalArgumentException quoting an unknown condition, or {@code off} mixed with conditions
     */
    static NextUpstream parse(String text) {
        return (NextUpstream) new Evaluator().value(code(text), null);
    }

    /**
     * The conditions as code: {@code NextUpstream.on(Condition.ERROR, ...)} or {@code NextUpstream.off()}.
     *
     * @throws IllegalArgumentException quoting an unknown condition, or {@code off} mixed with conditions
     */
    static Expr.Static code(String text) {
        String[] words = text.trim().split("\\s+");
        if (words.length == 1 && words[0].equalsIgnoreCase("off")) {
            return Expr.Static.of(NextUpstream.class, "off");
        }
        Set<Condition> conditions = EnumSet.noneOf(Condition.class);
        for (String word : words) {
            if (word.equalsIgnoreCase("off")) {
                throw new IllegalArgumentException("off cannot be combined with conditions: \"" + text + "\"");
            }
            conditions.add(condition(word, text));
        }
        Condition[] all = conditions.toArray(new Condition[0]);
        return Expr.Static.of(NextUpstream.class, "on", all[0], Arrays.copyOfRange(all, 1, all.length));
    }

    private static Condition condition(String word, String text) {
        try {
            return Condition.valueOf(word.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            StringBuilder known = new StringBuilder();
            for (Condition c : Condition.values()) {
                known.append(c.name().toLowerCase(Locale.ROOT)).append(' ');
            }
            throw new IllegalArgumentException("invalid condition \"" + word + "\" in \"" + text + "\" (" + known + "or off)");
        }
    }
}
