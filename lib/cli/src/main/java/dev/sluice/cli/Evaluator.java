package dev.sluice.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.WildcardType;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Runs {@link Expr} code against the library's builders: each call finds the public method of that name whose
 * parameters take its arguments, on the type the code declares (the builder a factory returns, the type a {@code
 * Consumer} parameter names), and invokes it. A {@link Expr.Local} is computed once, however often it is used.
 *
 * <p>A value the library refuses ({@link IllegalArgumentException}) or a file it cannot read becomes a {@link
 * UsageException} naming the origin of the call, such as {@code nginx.conf:12}; code without an origin (a flag's,
 * whose caller names the flag) throws what the library threw.
 */
final class Evaluator {

    private final Map<Expr.Local, Object> locals = new IdentityHashMap<>();

    /** Applies {@code calls} in order to {@code target}, whose declared type is {@code type}; returns the result. */
    Object apply(Object target, Class<?> type, List<Expr.Call> calls, String origin) {
        Object result = target;
        Class<?> declared = type;
        for (Expr.Call call : calls) {
            String at = call.origin() == null ? origin : call.origin();
            List<Object> args = values(call.args(), at);
            Method method = (Method) find(declared, call.method(), false, e -> takes(e, call.args(), args));
            result = invoke(method, result, arguments(method, call.args(), args, at), at);
            declared = method.getReturnType();
        }
        return result;
    }

    /** The value of an argument: itself, or what an expression computes. */
    Object value(Object arg, String origin) {
        if (arg instanceof Expr.Local local) {
            if (!locals.containsKey(local)) {
                locals.put(local, value(local.value(), local.origin()));
            }
            return locals.get(local);
        }
        if (arg instanceof Expr.Static s) {
            List<Object> args = values(s.args(), origin);
            Executable made = find(s.type(), s.method(), true, e -> takes(e, s.args(), args));
            Object[] actual = arguments(made, s.args(), args, origin);
            Object start = made instanceof Method m ? invoke(m, null, actual, origin) : construct((Constructor<?>) made, actual, origin);
            Class<?> type = made instanceof Method m ? m.getReturnType() : s.type();
            return apply(start, type, s.then(), origin);
        }
        if (arg instanceof Expr.Call) {
            throw new IllegalStateException("a call is not a value: " + arg);
        }
        return arg;
    }

    private List<Object> values(List<Object> args, String origin) {
        List<Object> values = new ArrayList<>(args.size());
        for (Object arg : args) {
            values.add(arg instanceof Expr.Lambda ? arg : value(arg, origin));
        }
        return values;
    }

    private Object[] arguments(Executable executable, List<Object> raw, List<Object> values, String origin) {
        Object[] actual = values.toArray();
        for (int i = 0; i < actual.length; i++) {
            if (raw.get(i) instanceof Expr.Lambda lambda) {
                Class<?> receiver = consumed(executable.getGenericParameterTypes()[i]);
                actual[i] = (Consumer<Object>) builder -> apply(builder, receiver, lambda.calls(), origin);
            }
        }
        return actual;
    }

    /** The type a {@code Consumer<T>} (or {@code Consumer<? super T>}) parameter hands to its lambda. */
    static Class<?> consumed(Type parameter) {
        Type t = ((ParameterizedType) parameter).getActualTypeArguments()[0];
        if (t instanceof WildcardType w) {
            t = w.getLowerBounds().length > 0 ? w.getLowerBounds()[0] : w.getUpperBounds()[0];
        }
        return (Class<?>) t;
    }

    /**
     * The public method of {@code owner} named {@code name} (static or not, as {@code statics} says), or its
     * constructor when {@code name} is {@code "new"}, that {@code fits}; one must.
     */
    static Executable find(Class<?> owner, String name, boolean statics, Predicate<Executable> fits) {
        boolean constructor = name.equals("new");
        for (Executable e : constructor ? owner.getConstructors() : owner.getMethods()) {
            if ((constructor || e.getName().equals(name) && Modifier.isStatic(e.getModifiers()) == statics)
                    && fits.test(e)) {
                return e;
            }
        }
        throw new IllegalStateException("no " + owner.getName() + "." + name + " fits the call");
    }

    /** Whether {@code e} takes these arguments: {@code raw} as written, {@code values} as computed. */
    private static boolean takes(Executable e, List<Object> raw, List<Object> values) {
        Class<?>[] types = e.getParameterTypes();
        if (types.length != values.size()) {
            return false;
        }
        for (int i = 0; i < types.length; i++) {
            boolean ok = raw.get(i) instanceof Expr.Lambda ? types[i] == Consumer.class
                    : values.get(i) == null ? !types[i].isPrimitive() : boxed(types[i]).isInstance(values.get(i));
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static Class<?> boxed(Class<?> type) {
        if (type == int.class) {
            return Integer.class;
        }
        if (type == long.class) {
            return Long.class;
        }
        if (type == boolean.class) {
            return Boolean.class;
        }
        return type;
    }

    private static Object invoke(Method method, Object target, Object[] args, String origin) {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw refused(e.getCause(), origin);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Object construct(Constructor<?> constructor, Object[] args, String origin) {
        try {
            return constructor.newInstance(args);
        } catch (InvocationTargetException e) {
            throw refused(e.getCause(), origin);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static RuntimeException refused(Throwable thrown, String origin) {
        Throwable cause = thrown instanceof UncheckedIOException unchecked && origin != null ? unchecked.getCause() : thrown;
        if (cause instanceof UsageException || origin == null && cause instanceof RuntimeException) {
            return (RuntimeException) cause;
        }
        if (cause instanceof IllegalArgumentException || cause instanceof IOException
                || cause instanceof UncheckedIOException) {
            String message = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
            if (cause instanceof java.nio.file.NoSuchFileException) {
                message = "cannot read " + message + " (no such file)";
            }
            return new UsageException(origin, message);
        }
        if (cause instanceof RuntimeException r) {
            return r;
        }
        return new IllegalStateException(cause);
    }
}
