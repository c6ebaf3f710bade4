package dev.sluice.internal.net;

import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Test helpers: run code on a loop and wait for it, poll a condition with a bound. */
public final class OnLoop {

    private static final long WAIT_SECONDS = 5;

    private OnLoop() {
    }

    /** Runs {@code task} on {@code loop} and returns its result, waiting at most 5 s. */
    public static <T> T call(EventLoop loop, Callable<T> task) {
        CompletableFuture<T> result = new CompletableFuture<>();
        loop.execute(() -> {
            try {
                result.complete(task.call());
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
        try {
            return result.get(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException) {
                throw (RuntimeException) e.getCause();
            }
            if (e.getCause() instanceof Error) {
                throw (Error) e.getCause();
            }
            throw new AssertionError(e.getCause());
        } catch (Exception e) {
            throw new AssertionError("the loop did not run the task in " + WAIT_SECONDS + " s", e);
        }
    }

    /** Runs {@code task} on {@code loop}, waiting at most 5 s. */
    public static void run(EventLoop loop, ThrowingRunnable task) {
        call(loop, () -> {
            task.run();
            return null;
        });
    }

    /**
     * Returns once {@code loop} has started a new iteration after this call: it has read its clock again and run
     * the timers then due. (Tasks alone do not promise that: one iteration runs every task queued meanwhile, all
     * with the clock read at its start.)
     */
    public static void nextIteration(EventLoop loop) {
        CompletableFuture<Void> ticked = new CompletableFuture<>();
        // the timer fires after the next clock reading; the task it queues runs after every timer of that pass
        loop.execute(() -> loop.newTimeout(() -> loop.execute(() -> ticked.complete(null))).schedule(0));
        try {
            ticked.get(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("the loop did not start a new iteration in " + WAIT_SECONDS + " s", e);
        }
    }

    /** Polls {@code condition} every 2 ms until it holds; fails after {@code max}. */
    public static void await(BooleanSupplier condition, Duration max, String what) {
        long deadline = System.nanoTime() + max.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("timed out after " + max.toMillis() + " ms waiting until " + what);
            }
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted waiting until " + what);
            }
        }
    }

    /** A runnable that may throw. */
    @FunctionalInterface
    public interface ThrowingRunnable {
        void run() throws Exception;
    }
}
