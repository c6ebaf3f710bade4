package dev.sluice.cli;

import dev.sluice.upstream.Sticky;
import java.util.Arrays;

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
     * Reads a sticky line.
     *
     * @throws IllegalArgumentException naming what is not understood
     */
    static Sticky parse(String text) {
        String[] words = text.trim().split("\\s+");
        switch (words[0]) {
            case "cookie":
                return cookie(words, text);
            case "route":
                if (words.length < 2) {
                    throw new IllegalArgumentException("sticky route needs at least one variable: \"" + text + "\"");
                }
                return Sticky.route(Arrays.copyOfRange(words, 1, words.length));
            case "learn":
                return learn(words, text);
            default:
                throw new IllegalArgumentException("invalid method \"" + words[0] + "\" (cookie, route or learn)");
        }
    }

    private static Sticky cookie(String[] words, String text) {
        if (words.length < 2 || words[1].contains("=")) {
            throw new IllegalArgumentException("sticky cookie needs a NAME: \"" + text + "\"");
        }
        Sticky.Builder cookie = Sticky.cookie(words[1]);
        for (int i = 2; i < words.length; i++) {
            String word = words[i];
            int eq = word.indexOf('=');
            String name = eq < 0 ? word : word.substring(0, eq);
            String value = eq < 0 ? null : word.substring(eq + 1);
            switch (name) {
                case "expires" -> {
                    if ("max".equals(value)) {
                        cookie.expiresMax();
                    } else {
                        cookie.expires(NginxSyntax.time(need(name, value)));
                    }
                }
                case "domain" -> cookie.domain(need(name, value));
                case "path" -> cookie.path(need(name, value));
                case "samesite" -> cookie.sameSite(need(name, value));
                case "httponly" -> cookie.httpOnly();
                case "secure" -> cookie.secure();
                default -> throw new IllegalArgumentException("unknown parameter \"" + word + "\"");
            }
        }
        return cookie.build();
    }

    private static Sticky learn(String[] words, String text) {
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
        Sticky.Builder learn = Sticky.learn(create, lookup);
        if (timeout != null) {
            learn.timeout(NginxSyntax.time(timeout));
        }
        if (size != null) {
            learn.size(NginxSyntax.number(size));
        }
        return learn.build();
    }

    private static String need(String name, String value) {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException(name + " needs a value, as " + name + "=VALUE");
        }
        return value;
    }
}
