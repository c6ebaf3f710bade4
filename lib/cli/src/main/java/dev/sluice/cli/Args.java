package dev.sluice.cli;

import java.time.Duration;
import java.util.function.Function;

/**
 * The arguments of a configuration file's directive, checked as nginx checks them: how many there are, and each
 * read by the same parsers as the flags ({@link NginxSyntax}), with an error naming the file, the line and the
 * directive.
 */
final class Args {

    private Args() {
    }

    /** Checks that {@code d} has {@code min} to {@code max} arguments. */
    static void args(Directive d, int min, int max) {
        if (d.args().size() < min || d.args().size() > max) {
            throw d.error("invalid number of arguments in \"" + d.name() + "\"");
        }
    }

    /** The one argument of {@code d}. */
    static String one(Directive d) {
        args(d, 1, 1);
        return d.args().get(0);
    }

    /** The one argument, a number. */
    static int number(Directive d) {
        return parsed(d, NginxSyntax::number);
    }

    /** The one argument, a time. */
    static Duration time(Directive d) {
        return parsed(d, NginxSyntax::time);
    }

    /** The one argument, {@code on} or {@code off}. */
    static boolean onOff(Directive d) {
        return parsed(d, NginxSyntax::onOff);
    }

    /**
     * The arguments joined by spaces (the one argument, for a parser of a single value such as {@link
     * NginxSyntax#time}), read by {@code parser}; what it refuses is an error naming the directive.
     */
    static <T> T parsed(Directive d, Function<String, T> parser) {
        try {
            return parser.apply(d.joined());
        } catch (IllegalArgumentException e) {
            throw d.error("\"" + d.name() + "\": " + e.getMessage());
        }
    }

    /** Refuses a block where a simple directive is due. */
    static void noBlock(Directive d) {
        if (d.isBlock()) {
            throw d.error("\"" + d.name() + "\" takes no block");
        }
    }

    /** The error for a directive that Sluice does not know in {@code context}. */
    static UsageException unknown(Directive d, String context) {
        return d.error("unknown directive \"" + d.name() + "\" in " + context);
    }

    /** The error for a directive that Sluice knows but does not implement, saying why. */
    static UsageException unsupported(Directive d, String why) {
        return d.error("not supported: \"" + d.name() + "\": " + why);
    }
}
