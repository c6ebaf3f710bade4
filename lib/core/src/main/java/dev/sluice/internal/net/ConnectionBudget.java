package dev.sluice.internal.net;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How many accepted connections may be open at once: per loop (nginx's {@code worker_connections}, counting client
 * connections only) and in the whole group. A listener reserves a place before it accepts, so a connection beyond
 * the budget waits in the kernel's backlog instead of being accepted and closed; a listener that finds no place stops
 * listening for accepts until a connection of the group closes, so it never spins. 0 means no limit.
 *
 * <p>A listener that finds no place also asks the loops it accepts for to close connections that wait for a
 * request ({@link #reclaimWith}), as nginx reuses its idle keep-alive connections and those that have not sent a
 * byte yet when {@code worker_connections} are not enough: otherwise idle clients (or silent ones) would keep new
 * clients out until their keep-alive or header timeout.
 *
 * <p>Thread-safe: listeners reserve on their loop, connections give back on theirs.
 */
public final class ConnectionBudget {

    private final int perLoop;
    private final int total;
    private final AtomicInteger open = new AtomicInteger();
    private final Map<EventLoop, AtomicInteger> byLoop = new IdentityHashMap<>();
    private final List<Runnable> waiting = new ArrayList<>();
    private volatile boolean anyWaiting;
    private final Map<EventLoop, Runnable> reclaimers = new ConcurrentHashMap<>();

    ConnectionBudget(List<EventLoop> loops, int perLoop, int total) {
        if (perLoop < 0 || total < 0) {
            throw new IllegalArgumentException("connection limits must not be negative: " + perLoop + ", " + total);
        }
        this.perLoop = perLoop;
        this.total = total;
        for (EventLoop loop : loops) {
            byLoop.put(loop, new AtomicInteger());
        }
    }

    /**
     * Reserves a place for one more connection on {@code loop}.
     *
     * @return whether there was one; when there was, {@link #giveBack} must follow once the connection closes
     */
    boolean reserve(EventLoop loop) {
        AtomicInteger onLoop = byLoop.get(loop);
        if (onLoop.incrementAndGet() > perLoop && perLoop > 0) {
            onLoop.decrementAndGet();
            return false;
        }
        if (open.incrementAndGet() > total && total > 0) {
            open.decrementAndGet();
            onLoop.decrementAndGet();
            return false;
        }
        return true;
    }

    /** Whether {@link #reserve} could succeed now on one of {@code loops}. */
    boolean hasRoom(List<EventLoop> loops) {
        if (total > 0 && open.get() >= total) {
            return false;
        }
        if (perLoop == 0) {
            return true;
        }
        for (EventLoop loop : loops) {
            if (byLoop.get(loop).get() < perLoop) {
                return true;
            }
        }
        return false;
    }

    /** Gives back the place of a connection of {@code loop} that closed, waking listeners that wait for one. */
    public void giveBack(EventLoop loop) {
        byLoop.get(loop).decrementAndGet();
        open.decrementAndGet();
        if (anyWaiting) {
            List<Runnable> wake;
            synchronized (waiting) {
                wake = new ArrayList<>(waiting);
                waiting.clear();
                anyWaiting = false;
            }
            for (Runnable resume : wake) {
                resume.run();
            }
        }
    }

    /**
     * Sets what closes some of {@code loop}'s connections that wait for a request, when a listener finds no place:
     * run on that loop, it gives places back by closing them.
     */
    public void reclaimWith(EventLoop loop, Runnable closeIdle) {
        reclaimers.put(loop, closeIdle);
    }

    /** Asks each of {@code loops} to close some of its connections that wait for a request. */
    void reclaim(List<EventLoop> loops) {
        for (EventLoop loop : loops) {
            Runnable closeIdle = reclaimers.get(loop);
            if (closeIdle != null) {
                try {
                    loop.execute(closeIdle);
                } catch (RejectedExecutionException e) {
                    // the loop has shut down: its connections are closing anyway
                }
            }
        }
    }

    /** Runs {@code resume} once, at the next {@link #giveBack}. */
    void whenRoom(Runnable resume) {
        synchronized (waiting) {
            waiting.add(resume);
            anyWaiting = true;
        }
    }

    /** How many connections are open in the group. */
    public int open() {
        return open.get();
    }
}
