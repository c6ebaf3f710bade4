package dev.sluice.cli;

import dev.sluice.observe.AccessLog;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;

/**
 * nginx's {@code SIGUSR1}: reopen the access log, so that log rotation (move the file, then signal) starts a new
 * file without a restart. The JDK has no supported API for signals; {@code sun.misc.Signal} (module
 * {@code jdk.unsupported}) is the one every JDK ships. It is reached by reflection, so that the build, which fails
 * on warnings, does not warn about it; only the runnable proxy uses it, never the library.
 */
final class ReopenOnSignal {

    private ReopenOnSignal() {
    }

    /**
     * From now on, SIGUSR1 reopens {@code log}.
     *
     * @return whether the handler is installed: false where the platform has no SIGUSR1 or no {@code sun.misc}
     */
    static boolean install(AccessLog log) {
        try {
            Class<?> signalClass = Class.forName("sun.misc.Signal");
            Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
            Object signal = signalClass.getConstructor(String.class).newInstance("USR1");
            InvocationHandler onSignal = (proxy, method, args) -> handle(method, log, proxy, args);
            Object handler = Proxy.newProxyInstance(ReopenOnSignal.class.getClassLoader(), new Class<?>[] {handlerClass},
                    onSignal);
            signalClass.getMethod("handle", signalClass, handlerClass).invoke(null, signal, handler);
            return true;
        } catch (ReflectiveOperationException | IllegalArgumentException | LinkageError e) {
            return false;
        }
    }

    private static Object handle(Method method, AccessLog log, Object proxy, Object[] args) {
        switch (method.getName()) {
            case "handle":
                log.reopen();
                return null;
            case "hashCode":
                return System.identityHashCode(proxy);
            case "equals":
                return proxy == args[0];
            default:
                return "reopen " + log;
        }
    }
}
