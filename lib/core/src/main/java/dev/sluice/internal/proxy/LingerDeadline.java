package dev.sluice.internal.proxy;

import dev.sluice.ClientLimits;
import dev.sluice.internal.net.EventLoop;
import dev.sluice.internal.net.Timeout;

/**
 * The time a connection may spend reading what a client still sends that no request will use (a lingering close,
 * a dropped body): lingering_time in all, and lingering_timeout between two reads, as nginx bounds both; when either
 * runs out, {@code expired} runs.
 */
final class LingerDeadline {

    /** How many reads one readiness event drops at most, so one client cannot hold its loop. */
    static final int READS_PER_EVENT = 16;

    private final EventLoop loop;
    private final ClientLimits limits;
    private final Timeout timer;
    private long until;

    LingerDeadline(LoopContext loop, Runnable expired) {
        this.loop = loop.eventLoop;
        this.limits = loop.engine.limits;
        this.timer = loop.eventLoop.newTimeout(expired);
    }

    /** Starts the lingering_time from now. */
    void start() {
        until = loop.nanoTime() + limits.lingeringTime().toNanos();
    }

    /** Waits at most lingering_timeout for more; false, and nothing scheduled, when lingering_time is over. */
    boolean awaitMore() {
        long now = loop.nanoTime();
        if (now >= until) {
            return false;
        }
        timer.schedule(Math.min(limits.lingeringTimeout().toNanos(), until - now));
        return true;
    }

    void stop() {
        timer.cancel();
    }
}
