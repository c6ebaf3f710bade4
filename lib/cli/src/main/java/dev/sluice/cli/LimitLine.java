package dev.sluice.cli;

import dev.sluice.ConnectionLimit;
import dev.sluice.RequestLimit;

/**
 * The values of {@code --limit-req} and {@code --limit-conn}: nginx's {@code limit_req_zone ... rate=R} with {@code
 * limit_req zone=Z [burst=N] [nodelay | delay=N]} and {@code limit_req_status}, and {@code limit_conn Z N} with
 * {@code limit_conn_status}, each keyed by the client address. One zone per flag, shared by every route.
 */
final class LimitLine {

    private LimitLine() {
    }

    /**
     * Reads {@code 'rate=R [burst=N] [nodelay | delay=N] [status=CODE]'}.
     *
     * @throws IllegalArgumentException naming the parameter that is wrong
     */
    static RequestLimit requests(String text) {
        return (RequestLimit) new Evaluator().value(requests("limit-req", text), null);
    }

    /**
     * {@link #requests(String)} as code, for the zone named {@code zone}: {@code RequestLimit.builder(zone)...build()}.
     *
     * @throws IllegalArgumentException naming the parameter that is wrong
     */
    static Expr.Static requests(String zone, String text) {
        Expr.Static limit = Expr.Static.of(RequestLimit.class, "builder", zone);
        boolean rate = false;
        for (String word : words(text)) {
            if (word.equals("nodelay")) {
                limit = limit.then("nodelay");
            } else if (word.startsWith("rate=")) {
                limit = limit.then("rate", word.substring(5));
                rate = true;
            } else if (word.startsWith("burst=")) {
                limit = limit.then("burst", NginxSyntax.number(word.substring(6)));
            } else if (word.startsWith("delay=")) {
                limit = limit.then("delay", NginxSyntax.number(word.substring(6)));
            } else if (word.startsWith("status=")) {
                limit = limit.then("status", NginxSyntax.number(word.substring(7)));
            } else {
                throw new IllegalArgumentException("unknown parameter \"" + word
                        + "\"; expected rate=R, burst=N, nodelay, delay=N or status=CODE");
            }
        }
        if (!rate) {
            throw new IllegalArgumentException("rate=R is required, such as rate=10r/s, got \"" + text + "\"");
        }
        return limit.then("build");
    }

    /**
     * Reads {@code 'N [status=CODE]'}.
     *
     * @throws IllegalArgumentException naming the parameter that is wrong
     */
    static ConnectionLimit connections(String text) {
        return (ConnectionLimit) new Evaluator().value(connections("limit-conn", text), null);
    }

    /**
     * {@link #connections(String)} as code, for the zone named {@code zone}: {@code ConnectionLimit.perClient(...)}.
     *
     * @throws IllegalArgumentException naming the parameter that is wrong
     */
    static Expr.Static connections(String zone, String text) {
        String[] words = words(text);
        if (words.length == 0 || words.length > 2) {
            throw new IllegalArgumentException("expected 'N [status=CODE]', got \"" + text + "\"");
        }
        int status = 503;
        if (words.length == 2) {
            if (!words[1].startsWith("status=")) {
                throw new IllegalArgumentException("unknown parameter \"" + words[1] + "\"; expected status=CODE");
            }
            status = NginxSyntax.number(words[1].substring(7));
        }
        return Expr.Static.of(ConnectionLimit.class, "perClient", zone, NginxSyntax.number(words[0]), status);
    }

    private static String[] words(String text) {
        String trimmed = text.strip();
        return trimmed.isEmpty() ? new String[0] : trimmed.split("\\s+");
    }
}
