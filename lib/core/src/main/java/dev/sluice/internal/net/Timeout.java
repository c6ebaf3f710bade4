package dev.sluice.internal.net;

import java.util.Objects;

/**
 * A reusable timer of one event loop: the read, send, connect or idle timeout of one connection, re-armed between
 * two successive operations as nginx re-adds {@code ngx_add_timer} after each one.
 *
 * <p>Create it once per connection with {@link EventLoop#newTimeout(Runnable)}, then {@link #schedule(long)} and
 * {@link #cancel()} it as often as needed: nothing is allocated. Moving a scheduled timer later (the common case:
 * "data arrived, restart the read timeout") is O(1); scheduling, moving earlier and cancelling are O(log n) in the
 * number of scheduled timers of the loop. The task runs on the loop thread once the deadline has passed, at the
 * loop's cached clock resolution; timers due at the same instant fire in the order they were scheduled.
 *
 * <p>All methods must be called on the loop thread.
 */
public final class Timeout {

    final EventLoop loop;
    final Runnable task;

    /** Position in the heap, or -1 when not scheduled. */
    int index = -1;
    /** The key the heap is ordered by; may be earlier than {@link #deadline} after a lazy move later. */
    long heapKey;
    /** Tie-breaker for {@link #heapKey}. */
    long heapSeq;
    /** When the task is due. */
    long deadline;
    /** Order of the last schedule call, becomes {@link #heapSeq} when the heap catches up with a lazy move. */
    long seq;

    Timeout(EventLoop loop, Runnable task) {
        this.loop = loop;
        this.task = Objects.requireNonNull(task, "task");
    }

    /**
     * Schedules the task to run {@code delayNanos} after the loop's cached time, replacing any earlier schedule.
     * A delay of 0 or less runs it in the next loop iteration.
     */
    public void schedule(long delayNanos) {
        scheduleAt(loop.nanoTime() + Math.max(0, delayNanos));
    }

    /** Schedules the task at an absolute {@link EventLoop#nanoTime()} reading, replacing any earlier schedule. */
    public void scheduleAt(long deadlineNanos) {
        loop.checkInLoop();
        loop.timers.schedule(this, deadlineNanos);
    }

    /** Unschedules the task; does nothing if it is not scheduled (or already ran). */
    public void cancel() {
        loop.checkInLoop();
        loop.timers.cancel(this);
    }

    /** Whether the task is scheduled and has not run yet. */
    public boolean isScheduled() {
        return index >= 0;
    }

    /** The deadline of the current (or last) schedule, in {@link EventLoop#nanoTime()} units. */
    public long deadline() {
        return deadline;
    }
}
