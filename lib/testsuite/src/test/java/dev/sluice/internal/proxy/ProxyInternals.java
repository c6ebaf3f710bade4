package dev.sluice.internal.proxy;

import dev.sluice.ProxyServer;
import dev.sluice.internal.net.EventLoopGroup;
import dev.sluice.internal.pool.KeepalivePool;
import dev.sluice.upstream.UpstreamGroup;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.lang.reflect.Field;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * What a running proxy keeps inside, for assertions a socket cannot make: the keepalive pool of a group, the
 * loop's state. Reads private fields, so it works only for a proxy started with {@code workers(1)}; each read runs
 * on the loop thread, as the pool requires.
 */
final class ProxyInternals {

    private ProxyInternals() {
    }

    /** The keepalive pool the proxy's single loop keeps for {@code group}. */
    static KeepalivePool pool(ProxyServer proxy, UpstreamGroup group) {
        return onLoop(proxy, loop -> loop.pool(group));
    }

    /** Runs {@code action} on the proxy's single loop and returns its result. */
    static <T> T onLoop(ProxyServer proxy, Function<LoopContext, T> action) {
        LoopContext loop = loop(proxy);
        CompletableFuture<T> result = new CompletableFuture<>();
        loop.eventLoop.execute(() -> {
            try {
                result.complete(action.apply(loop));
            } catch (RuntimeException | Error e) {
                result.completeExceptionally(e);
            }
        });
        try {
            return result.get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("cannot run on the proxy's loop", e);
        }
    }

    /** Whether every event loop thread of the proxy has ended. */
    static boolean loopsTerminated(ProxyServer proxy) {
        return ((EventLoopGroup) field(engine(proxy), "loops")).isTerminated();
    }

    static LoopContext loop(ProxyServer proxy) {
        Map<?, ?> contexts = (Map<?, ?>) field(engine(proxy), "contexts");
        if (contexts.size() != 1) {
            throw new IllegalArgumentException("start the proxy with workers(1): it has " + contexts.size() + " loops");
        }
        return (LoopContext) contexts.values().iterator().next();
    }

    /** CPU time the proxies' event loop threads used so far, in nanoseconds: a loop that spins shows in it. */
    static long loopCpuNanos() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long total = 0;
        for (ThreadInfo info : threads.dumpAllThreads(false, false)) {
            if (info.getThreadName().startsWith("sluice-loop-")) {
                total += threads.getThreadCpuTime(info.getThreadId());
            }
        }
        return total;
    }

    static ProxyEngine engine(ProxyServer proxy) {
        return (ProxyEngine) field(proxy, "engine");
    }

    static Object field(Object owner, String name) {
        try {
            Field field = owner.getClass().getDeclaredField(name);
            field.setAccessible(true);
            return field.get(owner);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError("no field " + name + " in " + owner.getClass(), e);
        }
    }
}
