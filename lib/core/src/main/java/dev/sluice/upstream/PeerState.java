package dev.sluice.upstream;

import java.net.SocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;

/**
 * The live state of one peer: one address of one {@code server} line, as nginx's {@code ngx_http_upstream_rr_peer_t}
 * holds it. Shared by every thread that picks from the group's shared state; an event loop with its own copy of
 * the group's state (see {@link UpstreamGroup#newSelection(int)}) picks a <em>twin</em> of it, the same peer with
 * that loop's own balancing fields.
 *
 * <p>The balancing fields ({@code current_weight}, {@code effective_weight}, {@code conns}, {@code fails},
 * {@code checked}, {@code accessed}) change only under their group's lock, inside {@link Selection#select()} and
 * {@link Selection#report(Outcome)}. The getters read them under the same lock, so what they return is a
 * consistent, if instantly outdated, view: enough for a status page or a test. A peer and its twins answer alike:
 * counts (requests, responses, active requests, failures, bytes) are added up over the loops, and what each loop
 * judges for itself (failures in the window, the time left resting, the effective weight) is the worst loop's.
 */
public final class PeerState {

    /** A time long before any reading, so that the first pick starts a new failure window, as nginx's 0 does. */
    static final long LONG_AGO = Long.MIN_VALUE / 4;

    /** The server line's parameters; replaced under the group's lock by a change at run time. */
    volatile Peer peer;
    /** The peer's place in its tier; set when a tier is built. */
    int index;
    /** The peer's id in the status document and the API: stable for its life, never reused in its group. */
    final int id;
    final SocketAddress address;
    final String name;
    /** The opaque id {@code sticky cookie} gives clients: the lowercase hex MD5 of {@code ip:port}, as NGINX Plus. */
    private final String stickyId;
    int weight;
    int maxFails;
    long failTimeoutSeconds;
    int maxConns;
    long slowStartNanos;
    final UpstreamGroup group;
    /** The peer of the group's own state that this one is a loop's twin of; this peer itself when it is that. */
    final PeerState original;
    /** This peer and its twins in the loops' copies of its group, one family for all of them. */
    final PeerFamily family;
    /** The tier this peer is in, set when a tier is built; null once the peer is removed from its group. */
    Tier tier;
    /**
     * NGINX Plus's {@code drain}: only requests bound to it (sticky, ntlm) come, until the peer is removed (one its
     * discovery source terminates: once none is left).
     */
    volatile boolean draining;
    /** Set with {@link #tier} null when the peer leaves its group, for readers without the lock. */
    private volatile boolean removed;
    /** Whether the group told its listeners that this peer is leaving. Lock held. */
    boolean leavingAnnounced;
    /** What the line's discovery source last said of this peer; null for a peer of a fixed address. */
    volatile Endpoint endpoint;

    /** nginx's {@code current_weight} while the peer is parked or recovering; see {@link Rotation#currentWeight}. */
    long currentWeight;
    int effectiveWeight;
    int conns;
    int fails;
    long accessed = LONG_AGO;
    long checked = LONG_AGO;
    /** Ticker reading at which the current slow start began, or {@link #LONG_AGO} when none is running. */
    long slowStartSince = LONG_AGO;
    long requests;
    long failures;
    /** Responses by status class, 1xx to 5xx; and the times {@code max_fails} made the peer unavailable. */
    final long[] responses = new long[5];
    long unavailTurns;
    /** Ticker reading at which the last reported attempt started, or {@link #LONG_AGO} before the first. */
    long selectedAt = LONG_AGO;
    /** Bytes sent to the peer and received from it, by every attempt that ended: added without the group's lock. */
    private final LongAdder sent = new LongAdder();
    private final LongAdder received = new LongAdder();
    /** Moving averages of the time to the response head and to its last byte, in nanoseconds; -1 before the first. */
    long headerTime = -1;
    long responseTime = -1;
    /** Ticker reading of the last time measured. */
    long timedAt;
    /** The sum of the ticker readings at which the attempts in flight started (least_time inflight only). */
    long inflightStarts;
    volatile boolean down;
    volatile boolean healthy = true;
    final Downtime downtime = new Downtime();
    private final CheckTally checkTally = new CheckTally();

    PeerState(UpstreamGroup group, Peer peer, int id, SocketAddress address) {
        this.group = group;
        this.original = this;
        this.family = new PeerFamily(this);
        this.id = id;
        this.address = address;
        this.name = PeerNames.printable(address);
        this.stickyId = PeerNames.stickyId(name);
        configure(peer);
        this.effectiveWeight = weight;
        this.down = peer.down();
        this.draining = peer.drain();
        HealthCheck check = group.healthCheck();
        if (check != null && check.mandatory()) {
            this.healthy = false; // NGINX Plus's "checking": no request until its first check, however it joined
            downtime.unhealthy(group.ticker.nanos(), true);
        }
    }

    /** A twin of {@code original} for a loop's {@code copy} of its group, as the original is now. */
    private PeerState(UpstreamGroup copy, PeerState original) {
        this.group = copy;
        this.original = original;
        this.family = original.family;
        this.id = original.id;
        this.address = original.address;
        this.name = original.name;
        this.stickyId = original.stickyId;
        this.slowStartSince = original.slowStartSince;
        takeLine();
        this.effectiveWeight = weight;
    }

    /** A twin of this peer for {@code copy}, registered as its twin for the copy's loop. Lock of the origin held. */
    PeerState newTwin(UpstreamGroup copy) {
        PeerState twin = new PeerState(copy, this);
        family.add(twin, copy.loop);
        return twin;
    }

    /** A twin takes its original's server line and flags, before its copy rebuilds. Both locks held. */
    void takeLine() {
        configure(original.peer);
        down = original.down;
        healthy = original.healthy;
        draining = original.draining;
        endpoint = original.endpoint;
    }

    /** Takes the parameters of {@code line}; down is the caller's to set. Lock held, or not yet shared. */
    void configure(Peer line) {
        this.peer = line;
        this.weight = line.weight();
        this.maxFails = line.maxFails();
        this.failTimeoutSeconds = line.failTimeout().toSeconds();
        this.maxConns = line.maxConns();
        this.slowStartNanos = line.slowStart().toNanos();
    }

    /** The peer's id in its group, as the status document and the API show it; stable, never reused. */
    public int id() {
        return id;
    }

    /**
     * Whether the peer drains: only requests bound to it come. A drain asked for ({@link UpstreamGroup#drainServer})
     * lasts until the peer is removed; one its discovery source began leaves the group once none is in flight.
     */
    public boolean isDraining() {
        return draining;
    }

    /** Whether the peer drains because its discovery source says it terminates: it leaves once idle. */
    boolean leavesWhenIdle() {
        return draining && endpoint != null && endpoint.condition() == Endpoint.Condition.TERMINATING;
    }

    /** Takes the peer out of its group: no tier, no new request. Lock held. */
    void leave() {
        tier = null;
        removed = true;
    }

    /**
     * Whether the peer drains or left its group: the requests in flight to it end normally, but its connections
     * close as they come back instead of waiting in the keepalive pool for requests that will not come.
     */
    public boolean isLeaving() {
        return draining || removed;
    }

    /** What the line's discovery source last said of this peer (its zone, metadata, condition), if it has one. */
    public Optional<Endpoint> endpoint() {
        return Optional.ofNullable(endpoint);
    }

    /** Whether the peer was removed from its group; requests in flight to it still end normally. */
    public boolean isRemoved() {
        synchronized (original.group.lock) {
            return original.tier == null;
        }
    }

    /** The {@code server} line this peer comes from. */
    public Peer peer() {
        return peer;
    }

    /** The address as written in the {@code server} line (shared by every address a name resolves to). */
    public String server() {
        return peer.server();
    }

    /** The socket address to connect to. */
    public SocketAddress address() {
        return address;
    }

    /** The printed socket address, as nginx writes it in {@code $upstream_addr}. */
    public String name() {
        return name;
    }

    /** The id {@code sticky cookie} binds clients with: the lowercase hex MD5 of {@link #name()}, as NGINX Plus's. */
    public String stickyId() {
        return stickyId;
    }

    /** Whether this is a backup peer. */
    public boolean isBackup() {
        return peer.backup();
    }

    /** Whether the peer is marked down (by configuration or by {@link #setDown(boolean)}). */
    public boolean isDown() {
        return down;
    }

    /** Marks the peer down or up at run time, as the NGINX Plus API's {@code "down": true} does. */
    public void setDown(boolean down) {
        if (original != this) {
            original.setDown(down);
            return;
        }
        Selection admitted;
        synchronized (group.lock) {
            admitted = PeerFlags.markDown(this, down);
            group.copiesFollow();
        }
        Selection.turn(admitted);
    }

    /** Whether active health checks consider the peer healthy; always true without health checks. */
    public boolean isHealthy() {
        return healthy;
    }

    /**
     * Records an active health check's verdict. A peer that turns healthy again starts its slow start, if it has
     * one, as NGINX Plus does.
     */
    public void setHealthy(boolean healthy) {
        if (original != this) {
            original.setHealthy(healthy);
            return;
        }
        Selection admitted;
        synchronized (group.lock) {
            admitted = PeerFlags.markHealthy(this, healthy);
            group.copiesFollow();
        }
        Selection.turn(admitted);
    }

    /**
     * Records one active health check: after {@code fails} failed checks in a row a healthy peer turns unhealthy,
     * after {@code passes} passed ones an unhealthy peer turns healthy (through its slow start). Returns whether the
     * peer's health changed.
     */
    public boolean recordCheck(boolean passed, int fails, int passes) {
        if (original != this) {
            return original.recordCheck(passed, fails, passes);
        }
        synchronized (group.lock) {
            boolean turnsTo = checkTally.record(passed, healthy, fails, passes);
            if (turnsTo == healthy) {
                return false;
            }
            setHealthy(turnsTo);
            return true;
        }
    }

    /**
     * Sets the peer's statistics back to none, in its group and every loop's copy: requests, responses, bytes,
     * failures, times made unavailable, health checks counted, down time and the last selection. Its state (health,
     * failures in the current window, requests in flight) and the time averages {@code least_time} picks by stay.
     */
    void resetStatistics() {
        for (PeerState member : family.members()) {
            synchronized (member.group.lock) {
                member.requests = 0;
                member.failures = 0;
                Arrays.fill(member.responses, 0);
                member.unavailTurns = 0;
                member.selectedAt = LONG_AGO;
                member.sent.reset();
                member.received.reset();
                member.downtime.reset(member.group.ticker.nanos(), member.healthy);
                member.checkTally.reset();
            }
        }
    }

    /** NGINX Plus's {@code health_checks} of this peer: checks made, failed, turns to unhealthy, the last verdict. */
    public HealthChecks healthChecks() {
        return original.checkTally.snapshot();
    }

    /**
     * What the active health checks of a peer found so far.
     *
     * @param checks checks made
     * @param fails checks failed
     * @param unhealthy times the peer turned unhealthy
     * @param lastPassed whether the last check passed; null before the first
     */
    public record HealthChecks(long checks, long fails, long unhealthy, Boolean lastPassed) {
    }

    /** Requests in flight to this peer ({@code conns}); idle keepalive connections do not count. */
    public int activeConnections() {
        return (int) family.sum(p -> p.conns);
    }

    /** Failures counted since the last successful probe ({@code fails}). */
    public int fails() {
        return (int) family.most(p -> p.fails);
    }

    /** The weight smooth round robin uses now ({@code effective_weight}): lowered by failures, recovering by one
     * per pass. */
    public int effectiveWeight() {
        return (int) family.least(p -> p.effectiveWeight);
    }

    /** Smooth round robin's running score ({@code current_weight}) in this peer's own group or loop. */
    public long currentWeight() {
        synchronized (group.lock) {
            return tier == null ? currentWeight : tier.rotation.currentWeight(this);
        }
    }

    /** How much longer the peer stays unavailable after reaching {@code max_fails}; zero when it is available. */
    public Duration unavailableFor() {
        return Duration.ofNanos(family.most(PeerStatusFigures::unavailableNanos));
    }

    /** Requests sent to this peer, including failed attempts. */
    public long requests() {
        return family.sum(p -> p.requests);
    }

    /**
     * NGINX Plus's {@code responses}: how many responses of each status class the peer gave, {@code [1xx, 2xx,
     * 3xx, 4xx, 5xx]}, a copy.
     */
    public long[] responses() {
        return PeerStatusFigures.responses(this);
    }

    /**
     * Counts the bytes an attempt sent to this peer and received from it (NGINX Plus's {@code sent} and {@code
     * received}), for a proxy built on {@link Selection}s; the proxy counts its own attempts.
     */
    public void countTraffic(long sent, long received) {
        this.sent.add(sent);
        this.received.add(received);
    }

    /** NGINX Plus's {@code sent}: bytes sent to the peer by attempts that ended. */
    public long bytesSent() {
        return family.sum(p -> p.sent.sum());
    }

    /** NGINX Plus's {@code received}: bytes received from the peer by attempts that ended. */
    public long bytesReceived() {
        return family.sum(p -> p.received.sum());
    }

    /**
     * NGINX Plus's {@code selected}: when the peer was last selected for a request, as of the last attempt that
     * ended (an attempt that failed before a response counts from when it failed); empty before the first.
     */
    public Optional<Instant> lastSelected() {
        return PeerStatusFigures.lastSelected(this);
    }

    /**
     * NGINX Plus's {@code downtime}: how long the peer was unavailable after {@code max_fails}, unhealthy, or not
     * yet checked under a mandatory health check, the current such period included; a peer marked {@code down}
     * is not counted, as NGINX Plus does not.
     */
    public Duration downtime() {
        return Duration.ofNanos(family.most(p -> p.downtime.total(p.group.ticker.nanos(), p.healthy)));
    }

    /** NGINX Plus's {@code downstart}: when the peer's current {@link #downtime()} began; empty while it is up. */
    public Optional<Instant> downStart() {
        return PeerStatusFigures.downStart(this);
    }

    /** A failure at {@code now} left the peer unavailable until its failure window ends. Lock held. */
    void unavailable(long now, long untilSecond) {
        downtime.unavailable(now, untilSecond * 1_000_000_000L, healthy);
    }

    /** NGINX Plus's {@code unavail}: how many times reaching {@code max_fails} made the peer unavailable. */
    public long unavailableTimes() {
        return family.sum(p -> p.unavailTurns);
    }

    /** Counts a response of {@code status}; 0 (no response) counts nothing. Lock held. */
    void countResponse(int status) {
        if (status >= 100 && status < 600) {
            responses[status / 100 - 1]++;
        }
    }

    /** Attempts on this peer that failed ({@link Outcome#FAILURE}). */
    public long failures() {
        return family.sum(p -> p.failures);
    }

    /** The moving average of the time to the response head ({@code header_time}); empty before the first. */
    public Optional<Duration> averageHeaderTime() {
        return PeerStatusFigures.average(family.latestMeasured(p -> p.headerTime));
    }

    /** The moving average of the time to the response's last byte ({@code response_time}); empty before the first. */
    public Optional<Duration> averageResponseTime() {
        return PeerStatusFigures.average(family.latestMeasured(p -> p.responseTime));
    }

    /**
     * Folds an attempt's times into the moving averages, each new time weighing {@link
     * LeastTime#NEW_SAMPLE_WEIGHT_PERCENT}%; -1 for a time the attempt did not reach. Lock held.
     */
    void recordTimes(long header, long response, long now) {
        if (header >= 0) {
            headerTime = average(headerTime, header);
            timedAt = now;
        }
        if (response >= 0) {
            responseTime = average(responseTime, response);
        }
    }

    private static long average(long average, long sample) {
        return average < 0 ? sample : average + (sample - average) * LeastTime.NEW_SAMPLE_WEIGHT_PERCENT / 100;
    }

    /** Whether this peer may serve a request now, ignoring what a particular request already tried. Lock held. */
    boolean usable(Now now) {
        return !draining && usableWhileDraining(now);
    }

    /** {@link #usable} for a request bound to this peer, which a drain lets through. Lock held. */
    boolean usableWhileDraining(Now now) {
        return !down
                && healthy
                && (maxFails == 0 || fails < maxFails || now.seconds() - checked > failTimeoutSeconds)
                && (maxConns == 0 || conns < maxConns);
    }

    /** Whether the peer rests after {@code max_fails} failures: inside its failure window. Lock held. */
    boolean resting(Now now) {
        return maxFails != 0 && fails >= maxFails && now.seconds() - checked <= failTimeoutSeconds;
    }

    @Override
    public String toString() {
        return name + " (" + peer + ")";
    }
}
