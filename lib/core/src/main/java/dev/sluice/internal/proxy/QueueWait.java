package dev.sluice.internal.proxy;

import dev.sluice.internal.net.Timeout;
import dev.sluice.upstream.Selection;

/**
 * One request waiting in its group's {@code queue} (NGINX Plus's {@code queue N timeout=T}): woken on its own loop
 * when the group admits it, looking again once a second while it is first in line (for a peer that only time
 * frees, a {@code fail_timeout} ending), and given up at its deadline. One per exchange, reused; each wait has its
 * own number, so that a wake-up that comes after the wait ended (raced by the deadline or the client leaving) is
 * ignored.
 */
final class QueueWait {

    /** How often the first request in line looks again without being woken. */
    static final long LOOK_AGAIN_NANOS = 1_000_000_000L;

    private final Exchange exchange;
    private final LoopContext loop;
    private final Timeout timer;
    private Selection selection;
    /** The request's deadline, set when it first waits: a request admitted and back in line keeps it. */
    private long deadline;
    private boolean hasDeadline;
    private int wait;
    private boolean waiting;

    QueueWait(Exchange exchange, LoopContext loop) {
        this.exchange = exchange;
        this.loop = loop;
        this.timer = loop.eventLoop.newTimeout(this::onTimer);
    }

    /**
     * Puts {@code selection}'s request in line until {@code timeoutNanos} after it first waited; false when it
     * cannot wait (no queue, the line is full, or its time is up).
     */
    boolean begin(Selection selection, long timeoutNanos) {
        long now = loop.eventLoop.nanoTime();
        if (!hasDeadline) {
            hasDeadline = true;
            deadline = now + timeoutNanos;
        }
        int number = ++wait;
        if (deadline - now <= 0 || !selection.waitForPeer(() -> loop.eventLoop.execute(() -> turn(number)))) {
            return false;
        }
        this.selection = selection;
        this.waiting = true;
        timer.schedule(Math.min(LOOK_AGAIN_NANOS, deadline - now));
        return true;
    }

    /** The request ended: it leaves the line if it is in it, and the next request starts with no deadline. */
    void end() {
        hasDeadline = false;
        leave();
    }

    private void leave() {
        if (waiting) {
            waiting = false;
            timer.cancel();
            selection.leaveQueue();
        }
    }

    private void turn(int number) {
        if (waiting && number == wait) {
            waiting = false;
            timer.cancel();
            exchange.queueWaitEnded(true);
        }
    }

    private void onTimer() {
        if (!waiting) {
            return;
        }
        long left = deadline - loop.eventLoop.nanoTime();
        if (left <= 0) {
            leave();
            exchange.queueWaitEnded(false);
        } else if (selection.takeTurnIfFirst()) {
            waiting = false;
            exchange.queueWaitEnded(true);
        } else {
            timer.schedule(Math.min(LOOK_AGAIN_NANOS, left));
        }
    }
}
