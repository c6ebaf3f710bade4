package dev.sluice.cli;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Set;

/**
 * nginx's signals for a running proxy: {@code SIGUSR1} reopens the access log, so that log rotation (move the file,
 * then signal) starts a new file without a restart, and {@code SIGHUP} reads the TLS certificates again. The JDK has
 * no supported API for signals; {@code sun.misc.Signal} (module {@code jdk.unsupported}) is the one every JDK ships.
 * It is reached by reflection, so that the build, which fails on warnings, does not warn about it; only the
 * runnable proxy uses it, never the library.
 */
final class Signals {

    /** The signals the JVM leaves ignored when the process started with them ignored. */
    private static final Set<String> KEPT_IGNORED = Set.of("HUP", "INT", "TERM");

    private Signals() {
    }

    /**
     * From now on, the signal {@code name} ({@code USR1}, {@code HUP}) runs {@code action} on the JDK's signal
     * thread.
     *
     * @return whether the handler is installed: false where the platform has no such signal or no {@code sun.misc},
     *     and for a signal the JVM leaves ignored: it keeps {@code HUP}, {@code INT} and {@code TERM} ignored in a
     *     process started with them ignored ({@code nohup} ignores {@code HUP}), and no handler of them ever runs
     */
    static boolean on(String name, Runnable action) {
        try {
            Class<?> signalClass = Class.forName("sun.misc.Signal");
            Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
            Object signal = signalClass.getConstructor(String.class).newInstance(name);
            InvocationHandler onSignal = (proxy, method, args) -> handle(method, name, action, proxy, args);
            Object handler = Proxy.newProxyInstance(Signals.class.getClassLoader(), new Class<?>[] {handlerClass},
                    onSignal);
            Object before = signalClass.getMethod("handle", signalClass, handlerClass).invoke(null, signal, handler);
            return !(KEPT_IGNORED.contains(name) && before == handlerClass.getField("SIG_IGN").get(null));
        } catch (ReflectiveOperationException | IllegalArgumentException | LinkageError e) {
            return false;
        }
    }

    private static Object handle(Method method, String name, Runnable action, Object proxy, Object[] args) {
        switch (method.getName()) {
            case "handle":
                action.run();
                return null;
            case "hashCode":
                return System.identityHashCode(proxy);
            case "equals":
                return proxy == args[0];
            default:
                return "on SIG" + name;
        }
    }
}
