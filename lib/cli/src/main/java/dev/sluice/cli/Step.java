package dev.sluice.cli;

import java.util.List;
import java.util.function.UnaryOperator;

/**
 * What one flag does to one of the library's builders, kept with the flag and the value it came from, so that
 * when the builder refuses the value the error names them: {@code sluice: --server: "a:1 weight=0": weight must
 * be between 1 and 1000000: 0 (server a:1)}.
 *
 * @param <T> the builder (or immutable value, such as {@code NextUpstream}) it changes
 * @param flag the flag, such as {@code --proxy-connect-timeout}
 * @param value the flag's value as written
 * @param change the builder call; returns the builder, or the new value for an immutable one
 */
record Step<T>(String flag, String value, UnaryOperator<T> change) {

    /** Applies the change, turning the builder's {@link IllegalArgumentException} into a {@link UsageException}. */
    T applyTo(T target) {
        try {
            return change.apply(target);
        } catch (IllegalArgumentException e) {
            throw UsageException.rejected(flag, value, e);
        }
    }

    /** Applies every step in order. */
    static <T> T applyAll(T target, List<Step<T>> steps) {
        T result = target;
        for (Step<T> step : steps) {
            result = step.applyTo(result);
        }
        return result;
    }
}
