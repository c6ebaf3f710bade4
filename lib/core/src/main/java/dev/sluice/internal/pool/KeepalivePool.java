package dev.sluice.internal.pool;

import dev.sluice.internal.net.Drainable;
import dev.sluice.internal.net.EventLoop;
import dev.sluice.internal.net.Timeout;
import dev.sluice.internal.net.Wire;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The idle upstream connections of one upstream group on one event loop: nginx's
 * {@code ngx_http_upstream_keepalive_module} cache, of which each worker has one per {@code upstream} block.
 *
 * <h2>Use</h2>
 * <pre>{@code
 * PooledConnection c = pool.acquire(peer.address());       // after the balancer chose the peer
 * if (c == null) { connect, then c = pool.register(peer.address(), key, wire, connectNanos); }
 * c.handler(exchange);                                       // receives readiness while in use
 * ... on a response read to its end, both sides allowing reuse: pool.release(c); otherwise pool.close(c)
 * ... or, when the response said Connection: close: pool.closeAnnounced(c, status)
 * ... Keep-Alive header seen: pool.keepAliveHeader(c, timeout, max)
 * ... a reused connection failed before the first response byte: pool.closeStale(c)
 * }</pre>
 *
 * <h2>nginx semantics</h2>
 * <ul>
 *   <li>{@code keepalive N}: at most N idle connections for the whole group on this loop; releasing one more closes
 *       the least recently used idle connection, whatever its peer. Unlike nginx, the surplus is closed once the
 *       loop has handled the whole batch of ready events the release came from ({@link EventLoop#afterBatch}), not
 *       at the release itself (a release from a timer or a task closes it at once): a connection released by one
 *       response and needed by a request of the same batch is then reused instead of being closed while another is
 *       opened. nginx with {@code keepalive 32} and 256 busy clients reconnects for about every other request;
 *       this keeps such churn to the batches whose releases outnumber their acquires by more than N.</li>
 *   <li>{@link #acquire} returns the most recently released idle connection to that peer (MRU), as nginx scans its
 *       cache from the head for the first matching address.</li>
 *   <li>{@link #release} keeps the connection only if it served fewer than {@code keepalive_requests} requests and is
 *       not older than {@code keepalive_time}; an idle connection is closed after {@code keepalive_timeout}.</li>
 *   <li>An idle connection stays registered for {@code OP_READ}: end of stream, a reset or any unsolicited byte
 *       closes it at once, as nginx's {@code recv(MSG_PEEK)} close handler does.</li>
 * </ul>
 * Beyond nginx, each peer's limits are learned and connections retired before them; see {@link PeerLimits}. And
 * with {@link KeepaliveSettings#adaptive()} ("keepalive auto"), {@code N} is a floor, not the cap: the pool keeps as
 * many idle connections as the group had in use at once during the current and the previous
 * {@value InUse#ADAPTIVE_WINDOW_SECONDS}-second window, up to {@value InUse#ADAPTIVE_MAX} per loop ({@link InUse}). With 256 requests in
 * flight a fixed {@code keepalive 32} closes most connections a response releases and connects again for the next
 * request; the adaptive cap keeps what the load needs, and what it stops needing expires after
 * {@code keepalive_timeout}.
 *
 * <h2>Cost</h2>
 * {@code acquire} and {@code release} are O(1) and allocate nothing (a test measures it): one identity look-up of the
 * peer key, intrusive list links, a few volatile reads of the peer's limits, no change to the key's interest set
 * when it is already {@code OP_READ}. Idle timeouts share one timer per pool, re-armed only when a release brings
 * the earliest deadline forward. Every method must run on the loop thread, so a benchmark drives pairs in batches
 * inside one task on the loop: {@code PoolBenchmark} in the benchmarks module ({@code java -jar
 * benchmarks/target/benchmarks.jar PoolBenchmark -prof gc}; figures in {@code benchmarks/RESULTS.md}), or
 * {@code KeepalivePoolMeasurement} in the tests (command in its Javadoc).
 *
 * <p>Counters ({@link #hits()}, {@link #misses()}...) may be read from any thread.
 */
public final class KeepalivePool {

    private static final Logger log = LoggerFactory.getLogger(KeepalivePool.class);

    private final EventLoop loop;
    private final PeerLimitsRegistry registry;
    private final KeepaliveSettings settings;
    private final boolean learn;
    private final HashMap<Object, PeerIdle> peers = new HashMap<>();
    /**
     * The same peers by the key instance they were registered with. Callers pass the same instance every time (the
     * proxy: the peer's address), and an identity look-up skips {@code InetSocketAddress.hashCode()}, which walks
     * three objects: a third of an acquire + release pair. Other equal keys fall back to {@link #peers}.
     */
    private final IdentityHashMap<Object, PeerIdle> peersByInstance = new IdentityHashMap<>();
    private final ArrayList<PeerIdle> peerList = new ArrayList<>();
    private final IdleList idle = new IdleList();
    private final Timeout sweep;
    private final LimitProbes probes;
    private final ByteBuffer scratch = ByteBuffer.allocateDirect(64);
    private final Drainable drainable = new Drainable() {
        @Override
        public void beginDrain() {
            draining = true;
            closeAllIdle();
        }

        @Override
        public int inFlight() {
            return 0;
        }
    };
    private final Runnable trim = this::trim;
    private boolean trimQueued;
    private boolean draining;
    private boolean closed;

    private final Counter hits = new Counter();
    private final Counter misses = new Counter();
    private final Counter evictions = new Counter();
    private final Counter expired = new Counter();
    private final Counter retired = new Counter();
    private final Counter closedByPeerWhileIdle = new Counter();
    /** Connections handed out and not yet released or closed. */
    private final InUse inUse;

    /**
     * A pool on {@code loop} for the upstream group whose shared state is {@code registry}. May be created on any
     * thread; used on the loop thread only. It joins the loop's graceful shutdown: idle connections are closed
     * when draining begins and nothing is pooled afterwards.
     */
    public KeepalivePool(EventLoop loop, PeerLimitsRegistry registry) {
        this.loop = Objects.requireNonNull(loop, "loop");
        this.registry = Objects.requireNonNull(registry, "registry");
        this.settings = registry.settings();
        this.learn = settings.learnLimits();
        this.sweep = loop.newTimeout(this::sweep);
        this.probes = new LimitProbes(this, loop);
        this.inUse = new InUse(settings, loop.nanoTime());
        loop.addDrainable(drainable);
        registry.joined(this);
    }

    // ------------------------------------------------------------------------------------------------ hot path

    /**
     * Takes the most recently released idle connection to {@code peerKey}, or returns null (a miss: connect a new
     * one). Connections found too old for the peer's learned limits on the way are closed, never returned. The
     * returned connection counts one more request, keeps interest {@code OP_READ} and has no handler: set yours.
     */
    public PooledConnection acquire(Object peerKey) {
        checkInLoop();
        PeerIdle peer = peersByInstance.get(peerKey);
        if (peer == null) {
            peer = peers.get(peerKey);
        }
        if (peer != null && peer.idle.size() > 0) {
            long now = loop.nanoTime();
            long cutoff = idleCutoff(peer, now);
            int retireRequests = learn ? peer.limits.retireRequests(now) : PeerLimits.UNKNOWN_REQUESTS;
            PooledConnection c;
            while ((c = peer.idle.first()) != null) {
                long idleNanos = now - c.releasedNanos;
                if (idleNanos >= cutoff || c.requests >= retireRequests) {
                    dropIdle(c, idleNanos, idleNanos >= cutoff);
                    continue;
                }
                unlinkIdle(c);
                c.state = PooledConnection.IN_USE;
                c.requests++;
                c.idleNanosAtAcquire = idleNanos;
                hits.increment();
                inUse.taken();
                return c;
            }
        }
        misses.increment();
        return null;
    }

    /**
     * Offers a connection back: call it only when the response was read to its end and neither side asked to
     * close (nginx's {@code u->keepalive}). The pool keeps it unless keepalive is off, the loop drains, it served
     * {@code keepalive_requests}, it is older than {@code keepalive_time}, or the peer's learned limits say its
     * next request would be too late; then it is closed.
     *
     * @return whether the connection is now idle in the pool
     */
    public boolean release(PooledConnection c) {
        checkOwned(c);
        if (c.state == PooledConnection.CLOSED) {
            return false;
        }
        if (c.state == PooledConnection.IDLE) {
            throw new IllegalStateException("released twice: " + c);
        }
        inUse.returned();
        long now = loop.nanoTime();
        if (closed || draining || settings.idle() == 0 || !c.key.isValid()) {
            closeChannel(c);
            return false;
        }
        PeerIdle peer = c.peer;
        if (learn) {
            peer.limits.served(now, c.requests, c.requests > 1 ? c.idleNanosAtAcquire : 0);
        }
        long cutoff = idleCutoff(peer, now);
        boolean ownLimit = c.requests >= settings.maxRequests() || now - c.createdNanos > settings.maxTimeNanos()
                || cutoff <= 0 || c.noIdleTime;
        if (ownLimit || learn && c.requests >= peer.limits.retireRequests(now)) {
            retired.increment();
            if (ownLimit || !probes.requestLimit(c, now)) {
                closeChannel(c);
            }
            return false;
        }
        c.handler = null;
        c.state = PooledConnection.IDLE;
        c.releasedNanos = now;
        idle.addFirst(c.byAge);
        peer.idle.addFirst(c.byPeer);
        if (c.key.interestOps() != SelectionKey.OP_READ) {
            c.key.interestOps(SelectionKey.OP_READ); // an atomic swap in the JDK: skip it when already so
        }
        if (idle.size() > inUse.idleCap(now) && !trimQueued) {
            trimQueued = true;
            loop.afterBatch(trim);
        }
        long due = now + cutoff;
        if (!sweep.isScheduled() || due - sweep.deadline() < 0) {
            sweep.scheduleAt(due);
        }
        return true;
    }

    // ------------------------------------------------------------------------------------------ the rest of the API

    /**
     * Takes charge of a freshly connected upstream connection that is about to carry its first request, its bytes
     * carried by {@code wire} (plain, or TLS once its handshake is done) over the key's channel. The key's
     * attachment becomes the connection's dispatcher: from now on set the exchange with
     * {@link PooledConnection#handler}, not {@link SelectionKey#attach}. {@code connectNanos}, how long the connect
     * took, is a sample of the round trip to the peer, which widens the margin kept before its idle limit.
     */
    public PooledConnection register(Object peerKey, SelectionKey key, Wire wire, long connectNanos) {
        checkInLoop();
        Objects.requireNonNull(peerKey, "peerKey");
        if (key.channel() != wire.channel()) {
            throw new IllegalArgumentException("the wire is not over the key's channel: " + key.channel());
        }
        if (connectNanos < 0) {
            throw new IllegalArgumentException("connectNanos must be >= 0: " + connectNanos);
        }
        PeerIdle peer = peer(peerKey);
        if (learn) {
            peer.limits.connected(connectNanos);
        }
        inUse.taken();
        return new PooledConnection(this, peer, key, wire, loop.nanoTime());
    }

    /** Closes a connection instead of pooling it: an error, an unread body, {@code Connection: close}. Idempotent. */
    public void close(PooledConnection c) {
        checkOwned(c);
        if (c.state == PooledConnection.IDLE) {
            unlinkIdle(c);
        } else if (c.state == PooledConnection.IN_USE) {
            inUse.returned();
        }
        closeChannel(c);
    }

    /**
     * Closes a reused connection that failed before the first response byte (a send error, a reset, end of stream):
     * the peer had closed it while it was idle. Its idle age at acquire teaches the peer's limits, as an idle close
     * seen by the idle watch does. The caller decides on the retry (nginx gives a stale connection a free one).
     */
    public void closeStale(PooledConnection c) {
        checkOwned(c);
        if (learn && c.requests > 1) {
            c.peer.limits.observeClose(loop.nanoTime(), c.idleNanosAtAcquire, c.requests - 1);
        }
        close(c);
    }

    /**
     * Closes a connection whose response said {@code Connection: close} (HTTP/1.1, its body framed by length or
     * chunks): the peer serves no more requests on it. The requests it carried teach the peer's request limit (see
     * {@link PeerLimits}), except after an error ({@code status} 400 or more, which nginx closes after 400 and 413,
     * Tomcat after 400, 408, 411, 413, 414, 500, 501 and 503, whatever their limits) and on the connection's first
     * response (a peer that says close at once keeps no connection, or closed for a reason of that request).
     */
    public void closeAnnounced(PooledConnection c, int status) {
        checkOwned(c);
        if (learn && status < 400 && c.requests > 1) {
            c.peer.limits.learnRequests(loop.nanoTime(), c.requests);
        }
        close(c);
    }

    /**
     * Reports a {@code Keep-Alive} response header received on {@code c}: {@code timeout=} in seconds and
     * {@code max=}, each -1 when absent. Sets the peer's announced limits (see {@link PeerLimits}); costs nothing
     * when they do not change. {@code timeout=0} leaves this connection no idle time, so it closes at its release,
     * but says nothing of the peer's other connections: an idle limit of 0 for the peer would close every one at
     * release, and with no connection reused no later response could ever say otherwise.
     */
    public void keepAliveHeader(PooledConnection c, long timeoutSeconds, long max) {
        checkOwned(c);
        if (!learn) {
            return;
        }
        c.noIdleTime = timeoutSeconds == 0;
        long timeoutNanos = timeoutSeconds <= 0 ? -1 : TimeUnit.SECONDS.toNanos(timeoutSeconds);
        int requests = max < 0 ? -1 : (int) Math.min(Integer.MAX_VALUE, c.requests + max);
        c.peer.limits.announce(timeoutNanos, requests);
    }

    /** The learned limits of a peer, shared by every loop. Any thread. */
    public PeerLimits peerLimits(Object peerKey) {
        return registry.get(peerKey);
    }

    public KeepaliveSettings settings() {
        return settings;
    }

    /** The loop this pool belongs to. */
    public EventLoop loop() {
        return loop;
    }

    /** Closes the idle connections to {@code peerKey}, a peer that left its group or drains. */
    public void closeIdle(Object peerKey) {
        checkInLoop();
        PeerIdle peer = peers.get(peerKey);
        PooledConnection c;
        while (peer != null && (c = peer.idle.first()) != null) {
            unlinkIdle(c);
            closeChannel(c);
        }
    }

    /**
     * Closes every idle connection and stops pooling: later releases close. For an upstream group that is removed;
     * loop shutdown does the same by itself.
     */
    public void close() {
        checkInLoop();
        closed = true;
        closeAllIdle();
        sweep.cancel();
        loop.removeDrainable(drainable);
    }

    // ---------------------------------------------------------------------------------------------- statistics

    /** Idle connections now in the pool. Any thread (a recent value). */
    public int idleCount() {
        return idle.size();
    }

    /** Acquires that returned a pooled connection. */
    public long hits() {
        return hits.get();
    }

    /** Acquires that found no usable connection. */
    public long misses() {
        return misses.get();
    }

    /** Connections handed out and not yet released or closed. Loop thread only. */
    public int inUse() {
        return inUse.count();
    }

    /** Idle connections closed because {@code keepalive N} were already idle (LRU). */
    public long evictions() {
        return evictions.get();
    }

    /** Idle connections closed after {@code keepalive_timeout}. */
    public long expired() {
        return expired.get();
    }

    /**
     * Connections closed instead of pooled or reused because of a limit: {@code keepalive_requests},
     * {@code keepalive_time}, or a peer's learned idle or request limit.
     */
    public long retired() {
        return retired.get();
    }

    /** Learned limits that a connection kept past them proved wrong, so that they were forgotten. */
    public long limitsDisproved() {
        return probes.disproved();
    }

    /** Idle connections the peer closed, reset or wrote to while they sat in the pool (or kept as a probe). */
    public long closedByPeerWhileIdle() {
        return closedByPeerWhileIdle.get();
    }

    // ------------------------------------------------------------------------------------------------ internals

    private PeerIdle peer(Object peerKey) {
        PeerIdle peer = peers.get(peerKey);
        if (peer == null) {
            peer = new PeerIdle(peerKey, registry.get(peerKey));
            peers.put(peerKey, peer);
            peersByInstance.put(peerKey, peer);
            peerList.add(peer);
        }
        return peer;
    }

    /** Idle age at which a connection to this peer must go: keepalive_timeout, or sooner by learned limits. */
    private long idleCutoff(PeerIdle peer, long now) {
        long timeout = settings.idleTimeoutNanos();
        return learn ? Math.min(timeout, peer.limits.retireIdleNanos(now)) : timeout;
    }

    /** Whether the peer closed, reset or wrote to {@code c}, idle or a probe: a read that does not wait says. */
    boolean peerClosed(PooledConnection c) {
        try {
            scratch.clear();
            return c.wire.read(scratch) != 0;
        } catch (IOException e) {
            return true; // reset
        }
    }

    /** The idle watch: the socket of an idle connection (or a probe) became readable. */
    void idleReadable(PooledConnection c) {
        if (!peerClosed(c)) {
            return;
        }
        long now = loop.nanoTime();
        long idleNanos = now - c.releasedNanos;
        if (c.state == PooledConnection.PROBE) {
            probes.closed(c);
        } else {
            unlinkIdle(c);
        }
        closeChannel(c);
        closedByPeerWhileIdle.increment();
        if (learn) {
            c.peer.limits.observeClose(now, idleNanos, c.requests);
        }
        log.debug("{} closed by the peer after {} ms idle", c, TimeUnit.NANOSECONDS.toMillis(idleNanos));
    }

    /** The loop closed the channel itself (a handler failed, or the loop shut down). */
    void closedByLoop(PooledConnection c) {
        if (c.state == PooledConnection.IDLE) {
            unlinkIdle(c);
        } else if (c.state == PooledConnection.IN_USE) {
            inUse.returned();
        } else if (c.state == PooledConnection.PROBE) {
            probes.closed(c);
        }
        c.state = PooledConnection.CLOSED;
    }

    /** Closes idle connections that reached their peer's cutoff and re-arms for the next one due. */
    private void sweep() {
        long now = loop.nanoTime();
        boolean any = false;
        long next = 0;
        for (int i = 0; i < peerList.size(); i++) {
            PeerIdle peer = peerList.get(i);
            if (peer.idle.size() == 0) {
                continue;
            }
            long cutoff = idleCutoff(peer, now);
            PooledConnection oldest;
            while ((oldest = peer.idle.last()) != null && now - oldest.releasedNanos >= cutoff) {
                dropIdle(oldest, now - oldest.releasedNanos, true);
            }
            if (oldest != null) {
                long due = oldest.releasedNanos + cutoff;
                if (!any || due - next < 0) {
                    next = due;
                    any = true;
                }
            }
        }
        if (any) {
            sweep.scheduleAt(next);
        }
    }

    /** Closes the least recently used idle connections beyond the cap ({@code keepalive N}, or adaptive). */
    private void trim() {
        trimQueued = false;
        int cap = inUse.idleCap(loop.nanoTime());
        while (idle.size() > cap) {
            PooledConnection lru = idle.last();
            unlinkIdle(lru);
            closeChannel(lru);
            evictions.increment();
        }
    }

    /**
     * Closes an idle connection our own limits retire: keepalive_timeout (expired) or a learned one (retired); one
     * that reached a learned idle limit ({@code atIdleCutoff}) may be kept to test it instead.
     */
    private void dropIdle(PooledConnection c, long idleNanos, boolean atIdleCutoff) {
        boolean timeout = idleNanos >= settings.idleTimeoutNanos();
        (timeout ? expired : retired).increment();
        unlinkIdle(c);
        if (timeout || !atIdleCutoff || !probes.idleLimit(c)) {
            closeChannel(c);
        }
    }

    private void closeAllIdle() {
        PooledConnection c;
        while ((c = idle.last()) != null) {
            unlinkIdle(c);
            closeChannel(c);
        }
        probes.closeAll();
    }

    private void unlinkIdle(PooledConnection c) {
        idle.remove(c.byAge);
        c.peer.idle.remove(c.byPeer);
    }

    void closeChannel(PooledConnection c) {
        c.state = PooledConnection.CLOSED;
        c.handler = null;
        try {
            c.wire.close();
        } catch (IOException e) {
            log.debug("closing {} failed", c, e);
        }
    }

    private void checkInLoop() {
        if (!loop.inEventLoop()) {
            throw new IllegalStateException("keepalive pool of " + loop + " used from " + Thread.currentThread().getName());
        }
    }

    private void checkOwned(PooledConnection c) {
        checkInLoop();
        if (c.pool != this) {
            throw new IllegalArgumentException(c + " belongs to another pool");
        }
    }
}
