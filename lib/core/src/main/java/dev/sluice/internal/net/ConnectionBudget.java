package dev.sluice.internal.net;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How many accepted connections may be open at once: per loop (nginx's {@code worker_connections}, counting client
 * connections only) and in the whole group. A listener reserves a place before it accepts, so a connection beyond
 * the budget waits in the kernel's backlog instead of being accepted and closed; a listener that finds no place stops
 * listening for accepts until a connection of the group closes, so it never spins. 0 means no limit.
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
