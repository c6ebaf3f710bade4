package dev.sluice.cli;

import dev.sluice.upstream.HealthCheck;
import dev.sluice.upstream.ResponseMatch;
import java.util.ArrayList;
import java.util.List;

/**
 * One {@code --health-check} value: NGINX Plus's {@code health_check} parameters and the conditions of its {@code
 * match} block on one line: {@code interval=T [jitter=T] [fails=N] [passes=N] [uri=/path] [port=N] [mandatory]
 * [timeout=T] [keepalive_time=T] [status=LIST] [header="NAME OP VALUE"]... [body~REGEX | body!~REGEX]}. A LIST is
 * codes and ranges separated by commas, {@code !} first to negate ({@code status=!500,502}); a value with spaces is
 * quoted.
 */
final class HealthCheckLine {

    private HealthCheckLine() {
    }

    /**
     * Reads a health check and builds it.
     *
     * @throws IllegalArgumentException naming the parameter that is not understood, or the value the library refuses
     */
    static HealthCheck parse(String text) {
        return (HealthCheck) new Evaluator().value(code(words(text), null), null);
    }

    /**
     * The health check of {@code words} as code: {@code HealthCheck.builder().interval(...)...build()}, with
     * {@code match} (a {@code ResponseMatch} built from a {@code match} block) when not null.
     *
     * @throws IllegalArgumentException naming the parameter that is not understood
     */
    static Expr.Static code(List<String> words, Expr.Static match) {
        Expr.Static check = Expr.Static.of(HealthCheck.class, "builder");
        Expr.Static conditions = Expr.Static.of(ResponseMatch.class, "builder");
        boolean matched = false;
        for (String word : words) {
            int eq = word.indexOf('=');
            String name = eq < 0 ? word : word.substring(0, eq);
            String value = eq < 0 ? null : word.substring(eq + 1);
            if (word.startsWith("body~") || word.startsWith("body!~")) {
                conditions = conditions.then("body", word.substring("body".length()));
                matched = true;
                continue;
            }
            switch (name) {
                case "interval" -> check = check.then("interval", NginxSyntax.time(need(name, value)));
                case "jitter" -> check = check.then("jitter", NginxSyntax.time(need(name, value)));
                case "fails" -> check = check.then("fails", NginxSyntax.number(need(name, value)));
                case "passes" -> check = check.then("passes", NginxSyntax.number(need(name, value)));
                case "uri" -> check = check.then("uri", need(name, value));
                case "port" -> check = check.then("port", NginxSyntax.number(need(name, value)));
                case "timeout" -> check = check.then("timeout", NginxSyntax.time(need(name, value)));
                case "keepalive_time" -> check = check.then("keepaliveTime", NginxSyntax.time(need(name, value)));
                case "mandatory" -> check = check.then("mandatory", flag(name, value));
                case "status" -> {
                    conditions = conditions.then("status", need(name, value).replace(',', ' '));
                    matched = true;
                }
                case "header" -> {
                    conditions = conditions.then("header", need(name, value));
                    matched = true;
                }
                case "persistent" -> throw new IllegalArgumentException("persistent keeps a peer's health across"
                        + " configuration reloads, which this version of sluice does not do");
                default -> throw new IllegalArgumentException("unknown parameter \"" + word + "\"");
            }
        }
        if (matched && match != null) {
            throw new IllegalArgumentException("give the conditions in the match block or on the line, not both");
        }
        if (matched || match != null) {
            check = check.then("match", matched ? conditions.then("build") : match);
        }
        return check.then("build");
    }

    private static String need(String name, String value) {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException(name + " needs a value: " + name + "=...");
        }
        return value;
    }

    private static boolean flag(String name, String value) {
        if (value != null) {
            throw new IllegalArgumentException(name + " takes no value");
        }
        return true;
    }

    /** The words of {@code text}, split at spaces outside double quotes; the quotes themselves are dropped. */
    private static List<String> words(String text) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (Character.isWhitespace(c) && !quoted) {
                if (word.length() > 0) {
                    words.add(word.toString());
                    word.setLength(0);
                }
            } else {
                word.append(c);
            }
        }
        if (quoted) {
            throw new IllegalArgumentException("a quote is not closed: " + text);
        }
        if (word.length() > 0) {
            words.add(word.toString());
        }
        return words;
    }
}
