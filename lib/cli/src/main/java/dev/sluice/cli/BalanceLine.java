package dev.sluice.cli;

import dev.sluice.upstream.Balancer;
import java.util.Set;

/**
 * One {@code --balance} value: the balancing directive of an nginx {@code upstream} block, written as nginx
 * writes it: {@code round_robin} (nginx's default, which has no directive), {@code least_conn}, {@code ip_hash},
 * {@code hash KEY [consistent]}, {@code random [two [least_conn]]} or NGINX Plus's {@code least_time header |
 * last_byte [inflight]}.
 *
 * @param method the method, as code: {@code Balancer.hash().consistent()}
 * @param hashKey the KEY of {@code hash}, such as {@code $request_uri}, or null for the other methods
 */
record BalanceLine(Expr.Static method, String hashKey) {

    private static final String METHODS =
            "round_robin, least_conn, ip_hash, 'hash KEY [consistent]', 'random [two [least_conn]]' or "
            + "'least_time header|last_byte [inflight]'";

    /**
     * Reads a balancing method.
     *
     * @throws IllegalArgumentException quoting what is not understood
     */
    static BalanceLine parse(String text) {
        return parse(text, Set.of());
    }

    /** {@link #parse(String)} where a hash key may name {@code maps} (names without '$'). */
    static BalanceLine parse(String text, Set<String> maps) {
        String[] words = text.trim().split("\\s+");
        switch (words[0]) {
            case "round_robin":
                return only(words, 1, text, method("roundRobin"));
            case "least_conn":
                return only(words, 1, text, method("leastConn"));
            case "ip_hash":
                return only(words, 1, text, method("ipHash"));
            case "hash":
                return hash(words, text, maps);
            case "random":
                return random(words, text);
            case "least_time":
                return leastTime(words, text);
            default:
                throw new IllegalArgumentException("invalid method \"" + text + "\" (" + METHODS + ")");
        }
    }

    private static BalanceLine hash(String[] words, String text, Set<String> maps) {
        if (words.length < 2) {
            throw new IllegalArgumentException("hash needs a KEY, such as 'hash $request_uri': \"" + text + "\"");
        }
        String key = words[1];
        NginxSyntax.variables("hash key", key, maps);
        if (words.length == 2) {
            return new BalanceLine(Expr.Static.of(Balancer.class, "hash"), key);
        }
        if (!words[2].equals("consistent")) {
            throw new IllegalArgumentException("invalid parameter \"" + words[2] + "\" after the hash KEY (only consistent): \"" + text + "\"");
        }
        return only(words, 3, text, new BalanceLine(Expr.Static.of(Balancer.class, "hash").then("consistent"), key));
    }

    private static BalanceLine random(String[] words, String text) {
        if (words.length == 1) {
            return method("random");
        }
        if (!words[1].equals("two")) {
            throw new IllegalArgumentException("invalid parameter \"" + words[1] + "\" after random (only two): \"" + text + "\"");
        }
        if (words.length == 2) {
            return method("randomTwo");
        }
        if (!words[2].equals("least_conn")) {
            throw new IllegalArgumentException("invalid method \"" + words[2] + "\" after random two (only least_conn): \"" + text + "\"");
        }
        return only(words, 3, text, method("randomTwoLeastConn"));
    }

    private static BalanceLine leastTime(String[] words, String text) {
        if (words.length < 2 || !words[1].equals("header") && !words[1].equals("last_byte")) {
            throw new IllegalArgumentException("least_time needs header or last_byte: \"" + text + "\"");
        }
        BalanceLine method = method(words[1].equals("header") ? "leastTimeHeader" : "leastTimeLastByte");
        if (words.length == 2) {
            return method;
        }
        if (!words[2].equals("inflight")) {
            throw new IllegalArgumentException("invalid parameter \"" + words[2] + "\" after least_time " + words[1]
                    + " (only inflight): \"" + text + "\"");
        }
        return only(words, 3, text, new BalanceLine(method.method().then("inflight"), null));
    }

    /** The method, built. */
    Balancer balancer() {
        return (Balancer) new Evaluator().value(method, null);
    }

    private static BalanceLine method(String factory) {
        return new BalanceLine(Expr.Static.of(Balancer.class, factory), null);
    }

    private static BalanceLine only(String[] words, int count, String text, BalanceLine line) {
        if (words.length > count) {
            throw new IllegalArgumentException("unexpected \"" + words[count] + "\" in \"" + text + "\"");
        }
        return line;
    }
}
