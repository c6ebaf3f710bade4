package dev.sluice.internal.pool;

import dev.sluice.internal.net.EventLoop;
import dev.sluice.internal.net.Timeout;
import java.nio.channels.SelectionKey;
import java.util.ArrayList;

/**
 * Tests of the limits a pool learned about its peers ({@link PeerLimits}). A learned limit, once in force, is never
 * met again (connections retire before it), so a limit that random closes taught (a fault, a restart, a worker
 * recycled) would hold as long as more random closes come at or below it. So a connection retired at a learned
 * limit is not closed at once but kept unused, one per peer at a time, to see whether the peer closes it where the
 * limit says: within {@value PeerLimits#QUICK_CLOSE_MILLIS} ms of its k-th response for a request limit, by the
 * idle limit plus the margin for an idle limit. If it does, the close renews the limit, as any close does; if not,
 * the limit is no limit of the peer's and is forgotten. A probe risks no request: the connection was to be closed
 * anyway, and it closes when the probe ends. One pool's probes; used on its loop only.
 */
final class LimitProbes {

    private final KeepalivePool pool;
    private final EventLoop loop;
    private final Timeout timer;
    private final ArrayList<PooledConnection> probes = new ArrayList<>(2);
    private long disproved;

    LimitProbes(KeepalivePool pool, EventLoop loop) {
        this.pool = pool;
        this.loop = loop;
        this.timer = loop.newTimeout(this::expire);
    }

    /** {@code c} served the learned request limit: probes it unless its peer is probed already. */
    boolean requestLimit(PooledConnection c, long now) {
        if (!c.peer.limits.beginRequestProbe(c.requests)) {
            return false;
        }
        c.releasedNanos = now;
        begin(c, now + PeerLimits.QUICK_CLOSE_NANOS, false);
        return true;
    }

    /** {@code c}, idle since its release, reached the learned idle limit: probes it unless its peer is probed already. */
    boolean idleLimit(PooledConnection c) {
        PeerLimits limits = c.peer.limits;
        if (!limits.beginIdleProbe()) {
            return false;
        }
        begin(c, c.releasedNanos + limits.idleLimitNanos() + limits.marginNanos(), true);
        return true;
    }

    private void begin(PooledConnection c, long deadline, boolean idle) {
        c.state = PooledConnection.PROBE;
        c.handler = null;
        c.probeDeadline = deadline;
        c.probesIdle = idle;
        if (c.key.interestOps() != SelectionKey.OP_READ) {
            c.key.interestOps(SelectionKey.OP_READ);
        }
        probes.add(c);
        if (!timer.isScheduled() || deadline - timer.deadline() < 0) {
            timer.scheduleAt(deadline);
        }
    }

    /** The peer closed a probe (or wrote to it): it ends, and what the close teaches is the caller's. */
    void closed(PooledConnection c) {
        probes.remove(c);
        c.peer.limits.probeEnded();
    }

    /** Ends every probe without a verdict: the pool closes or drains. */
    void closeAll() {
        for (int i = probes.size() - 1; i >= 0; i--) {
            PooledConnection c = probes.remove(i);
            c.peer.limits.probeEnded();
            pool.closeChannel(c);
        }
        timer.cancel();
    }

    /** How many learned limits probes proved wrong. */
    long disproved() {
        return disproved;
    }

    private void expire() {
        long now = loop.nanoTime();
        boolean any = false;
        long next = 0;
        for (int i = probes.size() - 1; i >= 0; i--) {
            PooledConnection c = probes.get(i);
            if (now - c.probeDeadline >= 0 && pool.peerClosed(c)) {
                probes.remove(i); // the close came with the deadline: the limit holds
                c.peer.limits.probeEnded();
                if (!c.probesIdle) {
                    c.peer.limits.learnRequests(now, c.requests);
                }
                pool.closeChannel(c);
            } else if (now - c.probeDeadline >= 0) {
                probes.remove(i);
                disproved++;
                if (c.probesIdle) {
                    c.peer.limits.disproveIdle(now, now - c.releasedNanos);
                } else {
                    c.peer.limits.disproveRequests(now, c.requests);
                }
                pool.closeChannel(c);
            } else if (!any || c.probeDeadline - next < 0) {
                next = c.probeDeadline;
                any = true;
            }
        }
        if (any) {
            timer.scheduleAt(next);
        }
    }
}
