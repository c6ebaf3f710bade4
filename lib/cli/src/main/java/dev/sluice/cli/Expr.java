package dev.sluice.cli;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * A piece of Java builder code held as data, so that one mapping of a configuration serves both ways it is used:
 * {@link Evaluator} runs it to build the proxy ({@code -c}), {@link JavaSource} prints it ({@code --to-java}).
 * The two cannot disagree, since both walk the same calls.
 *
 * <p>Arguments of a call are {@code String}, {@code Integer}, {@code Long}, {@code Boolean}, {@code Duration},
 * {@code Path}, an enum constant, an array (for a varargs parameter), null (a parameter left to its default), or
 * another {@code Expr}.
 */
sealed interface Expr {

    /**
     * {@code .method(args)} on whatever comes before it.
     *
     * @param origin where the call comes from ({@code nginx.conf:12}), for an error the library raises, or null
     *               to take the origin of the call around it
     */
    record Call(String origin, String method, List<Object> args) implements Expr {

        public Call {
            args = Collections.unmodifiableList(new ArrayList<>(args));
        }

        static Call of(String origin, String method, Object... args) {
            return new Call(origin, method, Arrays.asList(args));
        }
    }

    /**
     * {@code Type.method(args).then...}, or {@code new Type(args).then...} when {@code method} is {@code "new"}.
     */
    record Static(Class<?> type, String method, List<Object> args, List<Call> then) implements Expr {

        public Static {
            args = Collections.unmodifiableList(new ArrayList<>(args));
            then = List.copyOf(then);
        }

        static Static of(Class<?> type, String method, Object... args) {
            return new Static(type, method, Arrays.asList(args), List.of());
        }

        /** This expression followed by {@code .method(args)}. */
        Static then(String method, Object... args) {
            List<Call> calls = new ArrayList<>(then);
            calls.add(Call.of(null, method, args));
            return new Static(type, this.method, this.args, calls);
        }
    }

    /** {@code x -> x.call().call()}: the argument of a {@code Consumer<Builder>} parameter. */
    record Lambda(List<Call> calls) implements Expr {

        public Lambda {
            calls = List.copyOf(calls);
        }
    }

    /**
     * A value computed once before the builder and named, as a local variable of the generated code: an upstream
     * group that several routes share, or a file read at start (which may throw, so it cannot sit in a lambda).
     *
     * @param origin where it was written, for errors in calls that have none of their own
     */
    record Local(String name, Class<?> type, Expr value, String origin) implements Expr {
    }
}
