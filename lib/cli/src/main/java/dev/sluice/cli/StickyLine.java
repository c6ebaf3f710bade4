package dev.sluice.cli;

import dev.sluice.upstream.Sticky;
import java.util.Arrays;
import java.util.Set;

/**
 * One {@code --sticky} value: NGINX Plus's {@code sticky} directive as nginx writes it: {@code cookie NAME
 * [expires=T|max] [domain=D] [path=P] [httponly] [secure] [samesite=strict|lax|none]}, {@code route $variable ...}
 * or {@code learn create=$upstream_cookie_NAME lookup=$variable [timeout=T] [size=N]} (NGINX Plus's {@code
 * zone=name:size} is a session count here).
 */
final class StickyLine {

    private StickyLine() {
    }

    /**
     * Reads a sticky line and builds it.
     *
     * @throws IllegalArgumentException naming what is not understood, or the value the library refuses
     */
    static Sticky parse(String text) {
        return (Sticky) new Evaluator().value(code(text, Set.of()), null);
    }

    /**
     * The sticky line as code: {@code Sticky.cookie("srv").expires(...).build()}; its lookup variables may be the
     * {@code maps}' (names without '$').
     *
     * @throws IllegalArgumentException naming what is not understood, or a variable that is neither the proxy's nor
     *     a map's
     */
    static Expr.Static code(String text, Set<String> maps) {
        String[] words = text.trim().split("\\s+");
        switch (words[0]) {
            case "cookie":
                return cookie(words, text);
            case "route":
                if (words.length < 2) {
                    throw new IllegalArgumentException("sticky route needs at least one variable: \"" + text + "\"");
                }
                for (int i = 1; i < words.length; i++) {
                    NginxSyntax.variables("sticky route", words[i], maps);
                }
                return Expr.Static.of(Sticky.class, "route", (Object) Arrays.copyOfRange(words, 1, words.length));
            case "learn":
                return learn(words, text, maps);
            default:
                throw new IllegalArgumentException("invalid method \"" + words[0] + "\" (cookie, route or learn)");
        }
    }

    private static Expr.Static cookie(String[] words, String text) {
        if (words.length < 2 || words[1].contains("=")) {
            throw new IllegalArgumentException("sticky cookie needs a NAME: \"" + text + "\"");
        }
        Expr.Static cookie = Expr.Static.of(Sticky.class, "cookie", words[1]);
        for (int i = 2; i < words.length; i++) {
            String word = words[i];
            int eq = word.indexOf('=');
            String name = eq < 0 ? word : word.substring(0, eq);
            String value = eq < 0 ? null : word.substring(eq + 1);
            switch (name) {
                case "expires" -> {
                    if ("max".equals(value)) {
                        cookie = cookie.then("expiresMax");
                    } else {
                        cookie = cookie.then("expires", NginxSyntax.time(need(name, value)));
                    }
                }
                case "domain" -> cookie = cookie.then("domain", need(name, value));
                case "path" -> cookie = cookie.then("path", need(name, value));
                case "samesite" -> cookie = cookie.then("sameSite", need(name, value));
                case "httponly" -> cookie = cookie.then("httpOnly");
                case "secure" -> cookie = cookie.then("secure");
                default -> throw new IllegalArgumentException("unknown parameter \"" + word + "\"");
            }
        }
        return cookie.then("build");
    }

    private static Expr.Static learn(String[] words, String text, Set<String> maps) {
        String create = null;
        String lookup = null;
        String timeout = null;
        String size = null;
        for (int i = 1; i < words.length; i++) {
            String word = words[i];
            int eq = word.indexOf('=');
            String name = eq < 0 ? word : word.substring(0, eq);
            String value = need(name, eq < 0 ? null : word.substring(eq + 1));
            switch (name) {
                case "create" -> create = value;
                case "lookup" -> lookup = value;
                case "timeout" -> timeout = value;
                case "size" -> size = value;
                default -> throw new IllegalArgumentException("unknown parameter \"" + word + "\"");
            }
        }
        if (create == null || lookup == null) {
            throw new IllegalArgumentException("sticky learn needs create= and lookup=: \"" + text + "\"");
        }
        NginxSyntax.variables("sticky learn lookup", lookup, maps);
        Expr.Static learn = Expr.Static.of(Sticky.class, "learn", create, lookup);
        if (timeout != null) {
            learn = learn.then("timeout", NginxSyntax.time(timeout));
        }
        if (size != null) {
            learn = learn.then("size", NginxSyntax.number(size));
        }
        return learn.then("build");
    }

    private static String need(String name, String value) {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException(name + " needs a value, as " + name + "=VALUE");
        }
        return value;
    }
}
