package dev.sluice.cli;

import java.util.List;

/**
 * One directive of an nginx configuration file, as {@link ConfigFile} reads it: {@code proxy_pass http://backend;}
 * or a block such as {@code location /api/ { ... }}.
 *
 * @param name the directive's name, such as {@code proxy_pass}
 * @param args its arguments, unquoted, in order
 * @param block the directives inside its braces, or null when it is not a block
 * @param origin where it was written: {@code FILE:LINE}
 */
record Directive(String name, List<String> args, List<Directive> block, String origin) {

    Directive {
        args = List.copyOf(args);
        block = block == null ? null : List.copyOf(block);
    }

    /** Whether it is a block ({@code name args { ... }}). */
    boolean isBlock() {
        return block != null;
    }

    /** The arguments joined by spaces, as a flag's value is written. */
    String joined() {
        return String.join(" ", args);
    }

    /** An error about this directive: {@code nginx.conf:12: "proxy_pass" ...}. */
    UsageException error(String detail) {
        return new UsageException(origin, detail);
    }
}
