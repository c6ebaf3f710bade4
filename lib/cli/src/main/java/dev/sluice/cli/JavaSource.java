package dev.sluice.cli;

import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * Prints {@link Expr} code as Java source: a class with one method that returns the {@code ProxyServer.Builder},
 * each local first ({@code UpstreamGroup backend = ...;}), one builder call per line, and a lambda for each
 * nested builder. What {@code --to-java} prints.
 */
final class JavaSource {

    private static final String INDENT = "        ";

    private final Set<String> imports = new TreeSet<>();

    private JavaSource() {
    }

    /**
     * The source of {@code className}: its method {@code proxy()} defines {@code locals} and returns {@code
     * proxy}, a builder.
     *
     * @param from what the code was made from, for its Javadoc
     */
    static String of(String className, String from, List<Expr.Local> locals, Expr.Static proxy) {
        JavaSource source = new JavaSource();
        StringBuilder body = new StringBuilder();
        for (Expr.Local local : locals) {
            body.append(INDENT).append(source.type(local.type())).append(' ').append(local.name()).append(" = ")
                    .append(source.expr(local.value(), 1)).append(";\n");
        }
        body.append(INDENT).append("return ").append(source.expr(proxy, 1)).append(";\n");
        Class<?> builder = ((Method) resolve(proxy.type(), proxy.method(), proxy.args(), true)).getReturnType();
        source.imports.add("java.io.IOException");
        StringBuilder out = new StringBuilder();
        source.imports.forEach(i -> out.append("import ").append(i).append(";\n"));
        out.append('\n')
                .append("/** The proxy of ").append(from).append(", in code: {@code ").append(className)
                .append(".proxy().start()}. */\n")
                .append("public final class ").append(className).append(" {\n\n")
                .append("    private ").append(className).append("() {\n    }\n\n")
                .append("    /** The proxy's builder; start() listens. */\n")
                .append("    public static ").append(source.type(builder)).append(" proxy() throws IOException {\n")
                .append(body)
                .append("    }\n}\n");
        return out.toString();
    }

    /** A value or expression; {@code depth} is the indentation of the line it starts on, in steps of 8. */
    private String expr(Object arg, int depth) {
        if (arg instanceof Expr.Local local) {
            return local.name();
        }
        if (arg instanceof Expr.Static s) {
            Executable made = resolve(s.type(), s.method(), s.args(), true);
            String head = (made instanceof Constructor ? "new " + type(s.type()) : type(s.type()) + "." + s.method())
                    + "(" + args(s.args(), made, depth) + ")";
            Class<?> returned = made instanceof Method m ? m.getReturnType() : s.type();
            return chain(head, returned, s.then(), depth);
        }
        if (arg instanceof String text) {
            return literal(text);
        }
        if (arg instanceof Long n) {
            return n + "L";
        }
        if (arg instanceof Duration d) {
            return duration(d);
        }
        if (arg instanceof Path p) {
            return type(Path.class) + ".of(" + literal(p.toString()) + ")";
        }
        if (arg instanceof Enum<?> e) {
            return type(e.getDeclaringClass()) + "." + e.name();
        }
        if (arg instanceof Object[] array) {
            List<String> items = new ArrayList<>();
            for (Object item : array) {
                items.add(expr(item, depth));
            }
            return String.join(", ", items);
        }
        return String.valueOf(arg);
    }

    /** {@code head} followed by {@code calls}: on one line when there is one short call, else a line each. */
    private String chain(String head, Class<?> type, List<Expr.Call> calls, int depth) {
        StringBuilder out = new StringBuilder(head);
        boolean lines = calls.size() > 1 || calls.stream().anyMatch(c -> c.args().stream().anyMatch(a -> a instanceof Expr.Lambda));
        Class<?> declared = type;
        for (Expr.Call call : calls) {
            Method method = (Method) resolve(declared, call.method(), call.args(), false);
            if (lines) {
                out.append('\n').append(INDENT.repeat(depth + 1));
            }
            out.append('.').append(call.method()).append('(').append(args(call.args(), method, depth + 1)).append(')');
            declared = method.getReturnType();
        }
        return out.toString();
    }

    private String args(List<Object> args, Executable executable, int depth) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            if (args.get(i) instanceof Expr.Lambda lambda) {
                Class<?> receiver = Evaluator.consumed(executable.getGenericParameterTypes()[i]);
                String name = parameterName(receiver);
                out.add(chain(name + " -> " + name, receiver, lambda.calls(), depth));
            } else {
                out.add(expr(args.get(i), depth));
            }
        }
        return String.join(", ", out);
    }

    /** {@code route} for {@code Route.Builder}: the builder's owner, with a lower-case first letter. */
    private static String parameterName(Class<?> receiver) {
        Class<?> owner = receiver.getEnclosingClass() == null ? receiver : receiver.getEnclosingClass();
        String simple = owner.getSimpleName();
        return simple.substring(0, 1).toLowerCase(Locale.ROOT) + simple.substring(1);
    }

    /**
     * The method (or constructor) a call means, by name, number of arguments and where its lambdas are: enough for
     * the library's builders, whose overloads differ in those or in types printed the same way.
     */
    private static Executable resolve(Class<?> owner, String name, List<Object> args, boolean statics) {
        return Evaluator.find(owner, name, statics, e -> e.getParameterCount() == args.size() && lambdasFit(e, args));
    }

    private static boolean lambdasFit(Executable e, List<Object> args) {
        Class<?>[] types = e.getParameterTypes();
        for (int i = 0; i < types.length; i++) {
            if (args.get(i) instanceof Expr.Lambda != (types[i] == Consumer.class)) {
                return false;
            }
        }
        return true;
    }

    /** The type's name as the source writes it, its top-level class imported unless it is in java.lang. */
    private String type(Class<?> type) {
        if (type.isArray()) {
            return type(type.getComponentType()) + "[]";
        }
        if (type.isPrimitive()) {
            return type.getName();
        }
        Class<?> top = type;
        while (top.getEnclosingClass() != null) {
            top = top.getEnclosingClass();
        }
        if (!top.getPackageName().equals("java.lang")) {
            imports.add(top.getName());
        }
        return type.getCanonicalName().substring(top.getPackageName().length() + 1);
    }

    private String duration(Duration d) {
        long millis = d.toMillis();
        String of;
        long n;
        if (millis % 86_400_000 == 0 && millis > 0) {
            of = "ofDays";
            n = millis / 86_400_000;
        } else if (millis % 3_600_000 == 0 && millis > 0) {
            of = "ofHours";
            n = millis / 3_600_000;
        } else if (millis % 60_000 == 0 && millis > 0) {
            of = "ofMinutes";
            n = millis / 60_000;
        } else if (millis % 1000 == 0) {
            of = "ofSeconds";
            n = millis / 1000;
        } else {
            of = "ofMillis";
            n = millis;
        }
        return type(Duration.class) + "." + of + "(" + n + ")";
    }

    /** A Java string literal. */
    static String literal(String text) {
        StringBuilder out = new StringBuilder("\"");
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
