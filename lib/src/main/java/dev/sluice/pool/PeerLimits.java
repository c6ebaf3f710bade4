package dev.sluice.pool;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * What Sluice has learned about one peer's keepalive limits: how long it keeps an idle connection open and how many
 * requests it serves on one connection. Not in nginx; it exists so that a request is never written to a pooled
 * connection the peer is about to close. That race ("upstream prematurely closed connection", trac #1484) makes
 * nginx retry a GET, counted as a failure, and answer 502 to a POST; nginx's only cure is to configure
 * {@code keepalive_timeout} and {@code keepalive_requests} below every upstream's limits by hand.
 *
 * <h2>Where the limits come from</h2>
 * <ul>
 *   <li><b>Announced</b>: a {@code Keep-Alive: timeout=N, max=M} response header. {@code timeout=N} is the idle
 *       limit; {@code max=M} counts the requests still allowed on that connection (Apache sends 100, 99, ... on
 *       successive responses), so the request limit is the connection's requests so far plus M. Each header
 *       replaces the previous announcement: the peer's word is authoritative.</li>
 *   <li><b>Observed</b>: the peer closed a pooled connection while it was idle (or a reused connection failed
 *       before the first response byte). If that happened at least {@value #QUICK_CLOSE_MILLIS} ms after the
 *       connection was released, the idle age is an idle limit; sooner than that, the peer closed right after the
 *       k-th response, and k is a request limit (no common server has an idle timeout under a second, while a
 *       request limit closes within a round trip of the last response). The threshold sits well below a second
 *       because the idle age is measured from our release, which comes after the peer started its idle timer by
 *       the time it took to read and relay the end of the response: a peer that closes after 1 s idle is often
 *       seen closing a little sooner. Observations keep the minimum.</li>
 * </ul>
 * The effective limit is the lower of the two sources.
 *
 * <h2>Retiring before the limit</h2>
 * A pooled connection is retired once its idle age reaches the idle limit minus a margin of
 * max({@value #MIN_MARGIN_MILLIS} ms, 25%) — idle limit 5 s: retired at 3.75 s; 2 s (Gunicorn): 1.5 s; under
 * 250 ms: never pooled. A connection is also retired instead of reused when its next request would reach the
 * request limit, i.e. one request early, which absorbs off-by-one readings of {@code max}.
 *
 * <h2>Forgetting</h2>
 * One early close (a peer restarting closes every idle connection at whatever age) must not pin a low limit for
 * ever, yet once learned a limit is never observed again, because connections are retired before it. So observed
 * limits relax: every {@value #RELAX_PERIOD_SECONDS} s without a new observation each grows by 25% (requests by at
 * least one), and is forgotten once it passes the group's own {@code keepalive_timeout} / {@code keepalive_requests}.
 * A true limit L is thus probed again after about two periods (1.25 L minus the margin is still below L; 1.56 L is
 * not), at the cost of one connection the peer closes while idle, which the idle watch drops harmlessly; a wrong
 * low value recovers by 25% per period. Announced limits do not relax; the next header refreshes them.
 *
 * <p>Shared by every loop's pool of the group (it is about the peer, not the loop), thread-safe: reads are volatile
 * loads, writes (rare: a change, an observation) take a lock.
 */
public final class PeerLimits {

    static final long MIN_MARGIN_MILLIS = 250;
    static final long QUICK_CLOSE_MILLIS = 500;
    static final long RELAX_PERIOD_SECONDS = 30;

    static final long MIN_MARGIN_NANOS = TimeUnit.MILLISECONDS.toNanos(MIN_MARGIN_MILLIS);
    static final long QUICK_CLOSE_NANOS = TimeUnit.MILLISECONDS.toNanos(QUICK_CLOSE_MILLIS);
    static final long RELAX_PERIOD_NANOS = TimeUnit.SECONDS.toNanos(RELAX_PERIOD_SECONDS);
    /** Beyond this many periods every observation has been forgotten anyway. */
    private static final long MAX_RELAX_STEPS = 64;

    /** No idle limit known. */
    public static final long UNKNOWN_IDLE = Long.MAX_VALUE;
    /** No request limit known. */
    public static final int UNKNOWN_REQUESTS = Integer.MAX_VALUE;

    private final Object peer;
    private final long idleCeilingNanos;
    private final int requestCeiling;

    // sources, written under the lock, volatile for the lock-free "unchanged" check of announce()
    private volatile long announcedIdle = UNKNOWN_IDLE;
    private volatile int announcedRequests = UNKNOWN_REQUESTS;
    private long observedIdle = UNKNOWN_IDLE;
    private int observedRequests = UNKNOWN_REQUESTS;

    // published results, read lock-free on the hot path
    private volatile long idleLimit = UNKNOWN_IDLE;
    private volatile long retireIdle = UNKNOWN_IDLE;
    private volatile int requestLimit = UNKNOWN_REQUESTS;
    private volatile boolean relaxing;
    private volatile long relaxAt;

    PeerLimits(Object peer, KeepaliveSettings settings) {
        this.peer = peer;
        this.idleCeilingNanos = settings.idleTimeoutNanos();
        this.requestCeiling = settings.maxRequests();
    }

    /** The peer these limits are about: its socket address or the caller's peer key. */
    public Object peer() {
        return peer;
    }

    /** The learned idle limit in nanoseconds, or {@link #UNKNOWN_IDLE}. */
    public long idleLimitNanos() {
        return idleLimit;
    }

    /** The idle age at which pooled connections to this peer are retired, or {@link #UNKNOWN_IDLE}. */
    public long retireIdleNanos() {
        return retireIdle;
    }

    /** The learned number of requests one connection may carry, or {@link #UNKNOWN_REQUESTS}. */
    public int requestLimit() {
        return requestLimit;
    }

    /** {@link #retireIdleNanos()} after relaxing observations that are due; {@code now} is a loop's clock. */
    long retireIdleNanos(long now) {
        if (relaxing && now - relaxAt >= 0) {
            relax(now);
        }
        return retireIdle;
    }

    /** {@link #requestLimit()} after relaxing observations that are due. */
    int requestLimit(long now) {
        if (relaxing && now - relaxAt >= 0) {
            relax(now);
        }
        return requestLimit;
    }

    /**
     * A {@code Keep-Alive} header: {@code timeoutNanos} (or -1 when the header had no {@code timeout}) and the
     * request limit it implies for the connection (or -1 when it had no {@code max}). Free when nothing changes.
     */
    void announce(long timeoutNanos, int requests) {
        if ((timeoutNanos < 0 || timeoutNanos == announcedIdle) && (requests < 0 || requests == announcedRequests)) {
            return;
        }
        synchronized (this) {
            if (timeoutNanos >= 0) {
                announcedIdle = timeoutNanos;
            }
            if (requests >= 0) {
                announcedRequests = requests;
            }
            publish();
        }
    }

    /**
     * The peer closed a connection that had been idle for {@code idleNanos} after serving {@code requests}
     * requests; {@code now} is a loop's clock.
     */
    synchronized void observeClose(long now, long idleNanos, int requests) {
        relax(now);
        if (idleNanos < QUICK_CLOSE_NANOS) {
            if (requests < 1 || requests >= requestCeiling) {
                return; // nothing learned: our own keepalive_requests retires connections first anyway
            }
            observedRequests = Math.min(observedRequests, requests);
        } else {
            if (idleNanos >= idleCeilingNanos) {
                return;
            }
            observedIdle = Math.min(observedIdle, idleNanos);
        }
        relaxAt = now + RELAX_PERIOD_NANOS;
        relaxing = true;
        publish();
    }

    private synchronized void relax(long now) {
        if (!relaxing || now - relaxAt < 0) {
            return;
        }
        long steps = Math.min(MAX_RELAX_STEPS, (now - relaxAt) / RELAX_PERIOD_NANOS + 1);
        for (long i = 0; i < steps; i++) {
            if (observedIdle != UNKNOWN_IDLE) {
                observedIdle += Math.max(1, observedIdle / 4);
                if (observedIdle >= idleCeilingNanos) {
                    observedIdle = UNKNOWN_IDLE;
                }
            }
            if (observedRequests != UNKNOWN_REQUESTS) {
                observedRequests += Math.max(1, observedRequests / 4);
                if (observedRequests >= requestCeiling) {
                    observedRequests = UNKNOWN_REQUESTS;
                }
            }
        }
        relaxAt += steps * RELAX_PERIOD_NANOS;
        relaxing = observedIdle != UNKNOWN_IDLE || observedRequests != UNKNOWN_REQUESTS;
        publish();
    }

    private void publish() {
        long idle = Math.min(announcedIdle, observedIdle);
        idleLimit = idle;
        retireIdle = idle == UNKNOWN_IDLE ? UNKNOWN_IDLE : Math.max(0, idle - Math.max(MIN_MARGIN_NANOS, idle / 4));
        requestLimit = Math.min(announcedRequests, observedRequests);
    }

    @Override
    public String toString() {
        long idle = idleLimit;
        int requests = requestLimit;
        return "PeerLimits[" + peer + ": idle=" + (idle == UNKNOWN_IDLE ? "?" : Duration.ofNanos(idle))
                + ", requests=" + (requests == UNKNOWN_REQUESTS ? "?" : requests) + "]";
    }
}
