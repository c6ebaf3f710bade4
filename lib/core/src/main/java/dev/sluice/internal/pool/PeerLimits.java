package dev.sluice.internal.pool;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * What Sluice has learned about one peer's keepalive limits: how long it keeps an idle connection open and how many
 * requests it serves on one connection. Not in nginx; it exists so that requests are not written to pooled
 * connections the peer is about to close. That race ("upstream prematurely closed connection", trac #1484) makes
 * nginx retry a GET, counted as a failure, and answer 502 to a POST; nginx's only cure is to configure
 * {@code keepalive_timeout} and {@code keepalive_requests} below every upstream's limits by hand.
 *
 * <h2>Where the limits come from</h2>
 * <ul>
 *   <li><b>Announced</b>: a {@code Keep-Alive: timeout=N, max=M} response header. {@code timeout=N} is the idle
 *       limit; {@code max=M} counts the requests still allowed on that connection (Apache sends 100, 99, ... on
 *       successive responses), so the request limit is the connection's requests so far plus M. Each header
 *       replaces the previous announcement: the peer's word is authoritative, and is never stretched (Node announces
 *       {@code timeout=5} and closes after 6 s, yet Apache's event MPM closes up to 100 ms before what it
 *       announced). {@code timeout=0} only closes the connection it came on
 *       ({@link KeepalivePool#keepAliveHeader}).</li>
 *   <li><b>Said close</b>: a response with {@code Connection: close} (HTTP/1.1, its body framed) to the k-th request
 *       of a connection: the peer serves k requests on a connection, as nginx ({@code keepalive_requests}), Tomcat
 *       ({@code maxKeepAliveRequests}) and a Gunicorn worker at {@code --max-requests} say. Not from an error
 *       response (status 400 or more), which many servers send on a closing connection whatever their limits, nor
 *       from a connection's first response (a peer that says close at once keeps no connection anyway).</li>
 *   <li><b>Observed</b>: the peer closed a pooled connection while it was idle (or a reused connection failed
 *       before the first response byte). If that happened at least {@value #QUICK_CLOSE_MILLIS} ms after the
 *       connection was released, the idle age is an idle limit; sooner than that, the peer closed right after the
 *       k-th response, and k is a request limit (no common server has an idle timeout under a second, while a
 *       request limit closes within a round trip of the last response). The threshold sits well below a second
 *       because the idle age is measured from our release, which comes after the peer started its idle timer by
 *       the time it took to read and relay the end of the response: a peer that closes after 1 s idle is often
 *       seen closing a little sooner.</li>
 * </ul>
 * The first close of either kind teaches the limit at once, and it applies on every loop from then on, with one
 * exception: a close after k requests (after an idle time d) teaches no request (idle) limit while another
 * connection to the peer served more than k requests (was reused after more than d idle) in the last {@value
 * #HOLD_SECONDS} s, since such a limit would have closed that one too: a peer that drops connections at random, or
 * a restart that closes every connection, would otherwise teach a limit of one request and end all reuse. Learned values keep the minimum (a close above a learned value teaches nothing: a connection
 * taken before the value was learned); the effective limit is the lower of announced and learned.
 *
 * <h2>Retiring before the limit</h2>
 * A pooled connection is retired once its idle age reaches the idle limit minus a margin of
 * {@value #BASE_MARGIN_MILLIS} ms plus twice the round trip to the peer. The round trip is the peer's connect time,
 * smoothed over connects as TCP smooths its RTT (each new sample weighs 1/8). Twice, because the idle age is
 * measured from our release, up to half a round trip after the peer started its timer, and the next request
 * reaches the peer half a round trip after it was written, with as much again for jitter. The base covers what
 * does not shrink with the path: a peer whose timers fire early (Apache's event MPM, by up to 100 ms), our own
 * loop's and collector's pauses. Idle limit 5 s on a local network: retired at 4.75 s; 60 s: 59.75 s; 2 s
 * (Gunicorn): 1.75 s; 250 ms or less: never pooled. A connection is also retired instead of reused when its next
 * request would go beyond the request limit; for an announced {@code max} one request early, which absorbs
 * off-by-one readings of it, while a learned limit is exact (the peer answered the k-th request before it closed).
 *
 * <h2>Forgetting</h2>
 * A peer that restarts closes every connection at once, whatever its idle age or request count, and so teaches
 * limits it does not have; once learned, a limit is never met again, because connections are retired before it.
 * So a learned idle or request limit holds for {@value #HOLD_SECONDS} s after the last close that taught or
 * confirmed it (a close at or below it), and is then forgotten until a close teaches it again. Relearning a true
 * limit costs nothing when the peer announces its close or closes idle connections; a peer that silently closes
 * after its k-th response can then meet one request on each connection that reaches k before the first such close
 * is seen, as at the start. Learned values at or beyond the group's own {@code keepalive_timeout} /
 * {@code keepalive_requests} are not kept: those retire connections first anyway. Announced limits do not expire;
 * the next header refreshes them.
 *
 * <p>Random closes at or below a learned limit (faults, a worker recycled after a number of requests over all its
 * connections) would keep renewing it. So the limit is also tested: a connection retired at it is kept unused, one
 * per peer at a time, until the peer should have closed it ({@link LimitProbes}); if the peer did not, the limit is
 * forgotten at once, and a close at or below what that connection survived teaches nothing for {@value
 * #HOLD_SECONDS} s.
 *
 * <h2>What it promises</h2>
 * Together with the proxy's free resend of an idempotent request that meets a closed pooled connection, and its
 * check for an arrived close before a non-idempotent request takes one: a POST, PATCH or LOCK gets 502 because of a
 * pooled connection the peer closed only when the close crosses the request on the wire, and then at most once per
 * connection open to the peer while a limit of it is unknown (at first, and for a peer that closes silently after k
 * requests, again when the limit is relearned), or per connection the peer drops for a reason that is not a limit
 * (a restart, a worker recycled after a number of requests over all its connections).
 *
 * <p>Shared by every loop's pool of the group (it is about the peer, not the loop), thread-safe: reads are volatile
 * loads, writes (rare: a change, an observation) take a lock; the smoothed round trip is a plain volatile update,
 * where a sample lost to a concurrent connect on another loop does no harm.
 */
public final class PeerLimits {

    static final long BASE_MARGIN_MILLIS = 250;
    static final long QUICK_CLOSE_MILLIS = 500;
    static final long HOLD_SECONDS = 30;

    static final long BASE_MARGIN_NANOS = TimeUnit.MILLISECONDS.toNanos(BASE_MARGIN_MILLIS);
    static final long QUICK_CLOSE_NANOS = TimeUnit.MILLISECONDS.toNanos(QUICK_CLOSE_MILLIS);
    static final long HOLD_NANOS = TimeUnit.SECONDS.toNanos(HOLD_SECONDS);

    /** No idle limit known. */
    public static final long UNKNOWN_IDLE = Long.MAX_VALUE;
    /** No request limit known. */
    public static final int UNKNOWN_REQUESTS = Integer.MAX_VALUE;
    /** No connect time measured yet. */
    private static final long UNKNOWN_ROUND_TRIP = -1;

    private final Object peer;
    private final long idleCeilingNanos;
    private final int requestCeiling;

    // sources, written under the lock, volatile for the lock-free "unchanged" check of announce()
    private volatile long announcedIdle = UNKNOWN_IDLE;
    private volatile int announcedRequests = UNKNOWN_REQUESTS;
    private long learnedIdle = UNKNOWN_IDLE;
    private int learnedRequests = UNKNOWN_REQUESTS;
    private long learnedIdleUntil;
    private long learnedRequestsUntil;

    // published results, read lock-free on the hot path
    private volatile long idleLimit = UNKNOWN_IDLE;
    private volatile int requestLimit = UNKNOWN_REQUESTS;
    private volatile int retireRequests = UNKNOWN_REQUESTS;
    private volatile boolean holding;
    private volatile long nextExpiry;
    private volatile long roundTrip = UNKNOWN_ROUND_TRIP;
    /** Whether a connection kept past a learned limit tests it now, on some loop ({@link LimitProbes}). */
    private boolean probing;
    /** The most requests one connection was seen to serve whole, and when: a close at fewer teaches no limit. */
    private volatile int mostServed;
    private volatile long mostServedAt;
    /** The longest idle a reused connection was seen to survive, and when: a close sooner teaches no idle limit. */
    private volatile long longestSurvived;
    private volatile long longestSurvivedAt;

    PeerLimits(Object peer, KeepaliveSettings settings) {
        this.peer = peer;
        this.idleCeilingNanos = settings.idleTimeoutNanos();
        this.requestCeiling = settings.maxRequests();
    }

    /** The peer these limits are about: its socket address or the caller's peer key. */
    public Object peer() {
        return peer;
    }

    /** The idle limit, announced or learned, in nanoseconds, or {@link #UNKNOWN_IDLE}. */
    public long idleLimitNanos() {
        return idleLimit;
    }

    /** The idle age at which pooled connections to this peer are retired, or {@link #UNKNOWN_IDLE}. */
    public long retireIdleNanos() {
        long idle = idleLimit;
        return idle == UNKNOWN_IDLE ? UNKNOWN_IDLE : Math.max(0, idle - marginNanos());
    }

    /** How long before the idle limit connections are retired: 250 ms plus twice the smoothed connect time. */
    public long marginNanos() {
        long rtt = roundTrip;
        return BASE_MARGIN_NANOS + (rtt == UNKNOWN_ROUND_TRIP ? 0 : 2 * rtt);
    }

    /** The number of requests one connection may carry, announced or learned, or {@link #UNKNOWN_REQUESTS}. */
    public int requestLimit() {
        return requestLimit;
    }

    /** {@link #retireIdleNanos()} after forgetting learned limits that are due; {@code now} is a loop's clock. */
    long retireIdleNanos(long now) {
        if (holding && now - nextExpiry >= 0) {
            expire(now);
        }
        return retireIdleNanos();
    }

    /**
     * How many requests a connection to this peer may carry before it is retired, or {@link #UNKNOWN_REQUESTS}: a
     * learned limit whole, an announced one less one; after forgetting learned limits that are due ({@code now} is
     * a loop's clock).
     */
    int retireRequests(long now) {
        if (holding && now - nextExpiry >= 0) {
            expire(now);
        }
        return retireRequests;
    }

    /** A connect to the peer took {@code connectNanos}: one sample of the round trip. */
    void connected(long connectNanos) {
        long rtt = roundTrip;
        roundTrip = rtt == UNKNOWN_ROUND_TRIP ? connectNanos : rtt + (connectNanos - rtt) / 8;
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
    void observeClose(long now, long idleNanos, int requests) {
        if (idleNanos < QUICK_CLOSE_NANOS) {
            learnRequests(now, requests);
        } else {
            learnIdle(now, idleNanos);
        }
    }

    /**
     * A connection to the peer served its {@code requests}-th request whole, after {@code idleNanos} idle in the
     * pool (0 for a new connection); {@code now} is a loop's clock. Both are kept for {@value #HOLD_SECONDS} s as
     * proof against request limits below the one and idle limits below the other.
     */
    void served(long now, int requests, long idleNanos) {
        if (requests > mostServed || now - mostServedAt >= HOLD_NANOS) {
            mostServed = requests;
            mostServedAt = now;
        }
        if (idleNanos > longestSurvived || idleNanos > 0 && now - longestSurvivedAt >= HOLD_NANOS) {
            longestSurvived = idleNanos;
            longestSurvivedAt = now;
        }
    }

    /** The peer closes a connection after its {@code requests}-th response (it said so, or did so at once). */
    synchronized void learnRequests(long now, int requests) {
        expire(now);
        if (requests < 1 || requests >= requestCeiling || requests > learnedRequests) {
            return; // our own keepalive_requests retires connections first; above the limit: nothing new
        }
        if (mostServed > requests && now - mostServedAt < HOLD_NANOS) {
            return; // another connection served more than that lately: this close is no limit (a fault, a restart)
        }
        learnedRequests = requests;
        learnedRequestsUntil = now + HOLD_NANOS;
        hold();
    }

    private synchronized void learnIdle(long now, long idleNanos) {
        expire(now);
        if (idleNanos >= idleCeilingNanos || idleNanos > learnedIdle) {
            return;
        }
        if (longestSurvived > idleNanos && now - longestSurvivedAt < HOLD_NANOS) {
            return; // another connection was reused after a longer idle lately: this close is no idle limit
        }
        learnedIdle = idleNanos;
        learnedIdleUntil = now + HOLD_NANOS;
        hold();
    }

    /**
     * Whether a connection retired after {@code requests} requests by the learned request limit should test it: no
     * other test is under way, and the limit in force is learned (an announced one is the peer's word).
     */
    synchronized boolean beginRequestProbe(int requests) {
        if (probing || learnedRequests > requests || learnedRequests >= announcedRequests - 1) {
            return false;
        }
        probing = true;
        return true;
    }

    /** Whether a connection retired by the learned idle limit should test it; as {@link #beginRequestProbe}. */
    synchronized boolean beginIdleProbe() {
        if (probing || learnedIdle == UNKNOWN_IDLE || learnedIdle >= announcedIdle) {
            return false;
        }
        probing = true;
        return true;
    }

    /** A test ended with the peer's close, which teaches as any close does. */
    synchronized void probeEnded() {
        probing = false;
    }

    /**
     * A connection served {@code requests} requests and stayed open past where a request limit would have closed
     * it: a learned request limit at or below that is no limit of the peer's, and a close at or below it teaches
     * none for {@value #HOLD_SECONDS} s.
     */
    synchronized void disproveRequests(long now, int requests) {
        probing = false;
        mostServed = requests + 1;
        mostServedAt = now;
        if (learnedRequests <= requests) {
            learnedRequests = UNKNOWN_REQUESTS;
            forgot();
        }
    }

    /**
     * A connection stayed open {@code idleNanos} idle, past the learned idle limit and its margin: the limit is no
     * limit of the peer's, and a close sooner teaches none for {@value #HOLD_SECONDS} s.
     */
    synchronized void disproveIdle(long now, long idleNanos) {
        probing = false;
        longestSurvived = idleNanos;
        longestSurvivedAt = now;
        if (learnedIdle <= idleNanos) {
            learnedIdle = UNKNOWN_IDLE;
            forgot();
        }
    }

    private void forgot() {
        if (learnedIdle == UNKNOWN_IDLE && learnedRequests == UNKNOWN_REQUESTS) {
            holding = false;
            publish();
        } else {
            hold();
        }
    }

    private void hold() {
        holding = true;
        nextExpiry = learnedIdle == UNKNOWN_IDLE ? learnedRequestsUntil
                : learnedRequests == UNKNOWN_REQUESTS ? learnedIdleUntil
                : learnedIdleUntil - learnedRequestsUntil < 0 ? learnedIdleUntil : learnedRequestsUntil;
        publish();
    }

    private synchronized void expire(long now) {
        if (!holding || now - nextExpiry < 0) {
            return;
        }
        if (learnedIdle != UNKNOWN_IDLE && now - learnedIdleUntil >= 0) {
            learnedIdle = UNKNOWN_IDLE;
        }
        if (learnedRequests != UNKNOWN_REQUESTS && now - learnedRequestsUntil >= 0) {
            learnedRequests = UNKNOWN_REQUESTS;
        }
        forgot();
    }

    private void publish() {
        idleLimit = Math.min(announcedIdle, learnedIdle);
        requestLimit = Math.min(announcedRequests, learnedRequests);
        retireRequests = Math.min(announcedRequests == UNKNOWN_REQUESTS ? UNKNOWN_REQUESTS : announcedRequests - 1,
                learnedRequests);
    }

    @Override
    public String toString() {
        long idle = idleLimit;
        int requests = requestLimit;
        return "PeerLimits[" + peer + ": idle=" + (idle == UNKNOWN_IDLE ? "?" : Duration.ofNanos(idle))
                + ", requests=" + (requests == UNKNOWN_REQUESTS ? "?" : requests) + "]";
    }
}
