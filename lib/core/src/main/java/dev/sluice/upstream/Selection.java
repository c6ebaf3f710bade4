package dev.sluice.upstream;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import java.util.random.RandomGenerator;
import java.util.zip.CRC32;

/**
 * One request's walk through a group: pick a peer, report how the attempt went, pick again for a retry. What
 * nginx keeps in a request's peer data ({@code rr_peer_data}: the tried peers, the tries left, the hash state).
 *
 * <pre>{@code
 * Selection selection = group.newSelection();
 * selection.reset().hashKey("/img/1.png");
 * PeerState peer = selection.select();          // null: "no live upstreams", nginx answers 502
 * ...
 * selection.report(Outcome.FAILURE);
 * if (selection.triesLeft() > 0) peer = selection.select();   // never the same peer twice
 * }</pre>
 *
 * <p>A selection serves one request at a time and is not thread-safe; {@link #reset()} makes it ready for the
 * next request without allocating, so a connection can keep one. Many selections of one group may run on many
 * threads at once.
 */
public final class Selection {

    private static final byte[] NO_ADDRESS = new byte[0];

    final UpstreamGroup group;
    /** What this selection's picks and reports read the time from: the group's ticker, or its owner's reading of it. */
    private final Ticker clock;
    /** The peers of the current tier this request tried: a bit per peer, and the same peers as a list. */
    private long[] tried;
    int[] triedList;
    int triedCount;
    final CRC32 crc = new CRC32();
    final byte[] digits = new byte[20];

    Tier tier;
    /** The group's membership this selection's tier and tried peers belong to; null: the next pick looks again. */
    private Membership seen;
    private Balancer.Picker picker;
    private PeerState current;
    /** When the current attempt started, for {@code least_time inflight}. */
    private long currentStart;
    /** Whether this request got a peer at all; only a request that never did waits in the group's queue. */
    private boolean picked;
    /** Where this request is in the group's queue: in line, or admitted to pick ahead of newcomers. */
    boolean queued;
    boolean admitted;
    private Runnable onTurn;
    /** The peer a sticky session binds this request to, tried before the balancer. */
    private PeerState preferred;
    private int tries;
    /** The tries this request would have without {@code proxy_next_upstream_tries}: one per peer not yet tried. */
    private int untried;
    private int maxTries;
    private boolean started;

    byte[] clientAddress = NO_ADDRESS;
    byte[] key = NO_ADDRESS;
    int keyOffset;
    int keyLength;

    /** Per-request state of the hash methods: the running hash (or chash point index), rehash count and misses. */
    boolean hashStarted;
    long hash;
    int rehash;
    int hashTries;

    Selection(UpstreamGroup group, Ticker clock) {
        this.group = group;
        this.clock = clock;
        synchronized (group.lock) {
            this.tried = new long[0];
            this.triedList = new int[0];
            sync();
        }
        reset();
    }

    /**
     * Starts from the group's current tiers when its membership changed since this selection last looked: a
     * request whose peers changed under it forgets which it tried (it may try one again). Lock held.
     */
    private void sync() {
        Membership members = group.members;
        if (seen == members) {
            return;
        }
        seen = members;
        tier = members.primary;
        picker = members.primaryPicker;
        int most = members.mostPerTier();
        if (triedList.length < most) {
            tried = new long[(most + 63) >>> 6];
            triedList = new int[most];
        } else {
            Arrays.fill(tried, 0);
        }
        triedCount = 0;
    }

    /** Starts a new request: forgets the peers tried, the tries spent, the client address and the hash key. */
    public Selection reset() {
        if (queued || admitted) {
            leaveQueue();
        }
        picked = false;
        preferred = null;
        clearTried();
        if (seen != null) {
            tier = seen.primary; // the next select starts from the primary tier (a new membership's, if changed)
            picker = seen.primaryPicker;
        }
        current = null;
        started = false;
        maxTries = 0;
        clientAddress = NO_ADDRESS;
        key = NO_ADDRESS;
        keyOffset = 0;
        keyLength = 0;
        hashStarted = false;
        hash = 0;
        rehash = 0;
        hashTries = 0;
        return this;
    }

    /**
     * Sets the client's address as raw bytes, 4 for IPv4 and 16 for IPv6, for {@code ip_hash}; an empty array
     * stands for a client on a Unix socket. The array is kept, not copied.
     */
    public Selection clientAddress(byte[] address) {
        Objects.requireNonNull(address, "address");
        if (address.length != 0 && address.length != 4 && address.length != 16) {
            throw new IllegalArgumentException("client address must have 0, 4 or 16 bytes: " + address.length);
        }
        this.clientAddress = address;
        return this;
    }

    /** Sets the client's address for {@code ip_hash}. */
    public Selection clientAddress(InetAddress address) {
        return clientAddress(address.getAddress());
    }

    /** Sets the hash key ({@code hash KEY}'s evaluated value) as bytes; the array is kept, not copied. */
    public Selection hashKey(byte[] key, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, key.length);
        this.key = key;
        this.keyOffset = offset;
        this.keyLength = length;
        return this;
    }

    /** Sets the hash key ({@code hash KEY}'s evaluated value), hashed as UTF-8. */
    public Selection hashKey(String key) {
        byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
        return hashKey(bytes, 0, bytes.length);
    }

    /**
     * The peer a sticky session binds this request to ({@link UpstreamGroup#stickyPeer}): its first attempt goes
     * there if the peer is eligible, without the balancer; otherwise, and for any retry, the balancer picks. Null
     * for none.
     */
    public Selection prefer(PeerState peer) {
        if (peer != null && peer.original.group != group.origin) {
            throw new IllegalArgumentException(peer + " is not a peer of group " + group.name());
        }
        this.preferred = peer == null ? null : group.own(peer);
        return this;
    }

    /** Caps the attempts of this request, as {@code proxy_next_upstream_tries}; 0 (the default) means one per
     * peer that is not down, backups included. */
    public Selection maxTries(int maxTries) {
        if (maxTries < 0) {
            throw new IllegalArgumentException("maxTries must not be negative: " + maxTries);
        }
        this.maxTries = maxTries;
        return this;
    }

    /**
     * Picks the peer for the next attempt and counts it as an active connection. Returns null when no peer may
     * serve ("no live upstreams"): every peer is down, failed, at {@code max_conns} or already tried by this
     * request. When the primary peers are exhausted and the group has backups, switches to them for the rest of
     * the request.
     *
     * @throws IllegalStateException if the previous pick was not reported
     */
    public PeerState select() {
        if (current != null) {
            throw new IllegalStateException("report the attempt on " + current.name + " before selecting again");
        }
        synchronized (group.lock) {
            Now now = group.now;
            now.forget(clock);
            sync();
            if (!started) {
                started = true;
                tries = seen.primary.notDown + (seen.backup == null ? 0 : seen.backup.notDown);
                untried = tries;
                if (maxTries != 0 && tries > maxTries) {
                    tries = maxTries;
                }
            }
            RequestQueue queue = group.queue;
            if (queue != null && !picked && queue.holdsBack(this)) {
                return null;
            }
            PeerState peer = preferred != null && preferred.tier == tier && isNotTried(preferred)
                    && preferred.usableWhileDraining(now) ? preferred : picker.pick(this);
            preferred = null;
            if (peer == null && tier != seen.backup && seen.backup != null) {
                tier = seen.backup;
                picker = seen.backupPicker;
                clearTried();
                peer = picker.pick(this);
            }
            if (peer == null) {
                return null;
            }
            if (queue != null) {
                queue.picked(this);
            }
            picked = true;
            tried[peer.index >>> 6] |= 1L << peer.index;
            triedList[triedCount++] = peer.index;
            // nginx moves checked on every pick once fail_timeout has passed since; while fails is 0 nothing reads
            // checked before a failure sets it, so the clock is read only for a peer with failures.
            if (peer.fails > 0 && now.seconds() - peer.checked > peer.failTimeoutSeconds) {
                peer.checked = now.seconds();
            }
            peer.conns++;
            peer.requests++;
            if (group.tracksInflight) {
                currentStart = now.nanos();
                peer.inflightStarts += currentStart;
            }
            tier.rotation.changed(peer);
            current = peer;
            return peer;
        }
    }

    /**
     * Reports how the attempt on the current peer ended, as nginx's {@code free} does: a failure counts toward
     * {@code max_fails} and lowers the peer's effective weight; a success after the failure window clears the
     * peer's failures. Either way the attempt uses up one try.
     *
     * @throws IllegalStateException if no peer is selected
     */
    public void report(Outcome outcome) {
        report(outcome, 0, -1, -1);
    }

    /**
     * {@link #report(Outcome)} with what the peer answered: the status of its response (0 when none came), counted
     * by class for the status document ({@link PeerState#responses()}), and the attempt's times, which {@code
     * least_time} balances by and the peer's averages ({@link PeerState#averageHeaderTime()}, {@link
     * PeerState#averageResponseTime()}) keep: from the start of the attempt (its connect included) to the response
     * head and to the response's last byte, in nanoseconds, each -1 when the attempt did not get that far.
     *
     * @throws IllegalStateException if no peer is selected
     */
    public void report(Outcome outcome, int status, long headerNanos, long lastByteNanos) {
        Objects.requireNonNull(outcome, "outcome");
        PeerState peer = current;
        if (peer == null) {
            throw new IllegalStateException("no peer is selected");
        }
        current = null;
        Selection next = null;
        boolean drained;
        synchronized (group.lock) {
            Now now = group.now;
            now.forget(clock);
            peer.conns--;
            if (group.queue != null) {
                next = group.queue.admitFirst();
            }
            if (group.tracksInflight) {
                peer.inflightStarts -= currentStart;
            }
            if (headerNanos >= 0) {
                peer.recordTimes(headerNanos, lastByteNanos, now.nanos());
            }
            peer.countResponse(status);
            // the attempt started when the peer was selected: its times run from then
            peer.selectedAt = now.nanos() - Math.max(0, Math.max(headerNanos, lastByteNanos));
            if (outcome == Outcome.FAILURE) {
                peer.failures++;
            }
            Tier at = peer.tier; // null once the peer was removed: nothing of it to keep
            if (at != null && at.single) {
                peer.fails = 0;
                tries = 0;
                at.rotation.changed(peer);
            } else if (at != null) {
                FailureAccounting.record(peer, outcome, now);
            }
            drained = at != null && peer.conns == 0 && peer.leavesWhenIdle();
            if (drained && group.origin == group) {
                group.changes.remove(peer);
            }
        }
        if (drained && group.origin != group) {
            group.origin.changes.leaveIfDrained(peer.original);
        }
        turn(next);
        if (tries > 0) {
            tries--;
        }
        if (untried > 0) {
            untried--;
        }
    }

    /**
     * Gives back the try the last {@link #report} spent, for an attempt that provably never reached its peer's
     * application (refused, or broken before the peer had the whole request): a retry on another peer then does
     * not count against {@code proxy_next_upstream_tries}. Each peer is still tried at most once per request, so the
     * retries end when every peer was tried; a tier of one peer has no other to try.
     *
     * @return whether the request may try another peer now
     */
    public boolean refundTry() {
        if (tier != null && !tier.single) {
            tries = Math.min(tries + 1, untried);
        }
        return tier != null && !tier.single && tries > 0;
    }

    /**
     * After {@link #select()} returned null for a request that has not had a peer yet: puts the request in the
     * group's {@code queue}, where {@code onTurn} is run when it may select again, on whichever thread freed a
     * peer (keep it short: hand the turn over to the request's own thread). Returns false, and the request should
     * fail as without a queue, when the group has none, its line is full, or the request already had a peer.
     */
    public boolean waitForPeer(Runnable onTurn) {
        Objects.requireNonNull(onTurn, "onTurn");
        if (group.queue == null || picked) {
            return false;
        }
        seen = null; // having tried no peer, it starts again from the primary tier
        synchronized (group.lock) {
            this.onTurn = onTurn;
            return group.queue.add(this);
        }
    }

    /**
     * A request in the queue looks again without being woken, for what only time frees (a {@code fail_timeout}
     * ending): true when it is first in line and now admitted to select.
     */
    public boolean takeTurnIfFirst() {
        if (group.queue == null) {
            return false;
        }
        synchronized (group.lock) {
            return group.queue.admitIfFirst(this);
        }
    }

    /** Leaves the group's queue (the request timed out or its client left); an unused turn passes to the next. */
    public void leaveQueue() {
        if (group.queue == null) {
            return;
        }
        Selection next;
        synchronized (group.lock) {
            next = group.queue.remove(this);
        }
        turn(next);
    }

    /** Wakes a request the queue admitted, outside the group's lock. */
    static void turn(Selection admitted) {
        if (admitted != null) {
            admitted.onTurn.run();
        }
    }

    /** Attempts this request may still make ({@code pc->tries}); a retry needs at least one. */
    public int triesLeft() {
        return tries;
    }

    /**
     * The attempts this request may still make once the current one is reported: what {@link #triesLeft()} will be
     * after {@link #report}. With a single peer and no backup that is none, as nginx's {@code single} gives up
     * after one failure.
     */
    public int triesLeftAfterReport() {
        return tier != null && tier.single ? 0 : Math.max(0, tries - 1);
    }

    /** The peer selected and not yet reported, or null. */
    public PeerState current() {
        return current;
    }

    /** The group this selection picks from (the group itself, also when it picks from a loop's own copy). */
    public UpstreamGroup group() {
        return group.origin;
    }

    /**
     * Whether {@code peer} may serve this attempt: not tried by this request, not down, healthy, not resting after
     * {@code max_fails} failures, and below {@code max_conns}: nginx's test, in nginx's order. For {@link
     * Balancer.Picker}s; call it only from {@link Balancer.Picker#pick}.
     */
    public boolean isEligible(PeerState peer) {
        return isNotTried(peer) && peer.usable(group.now);
    }

    private boolean isNotTried(PeerState peer) {
        return (tried[peer.index >>> 6] & (1L << peer.index)) == 0;
    }

    /** The group's random source, for pickers; use it only from {@link Balancer.Picker#pick}. */
    public RandomGenerator random() {
        return group.random;
    }

    /** The time of this pick, in {@link Ticker} nanoseconds; use it only from {@link Balancer.Picker#pick}. */
    public long nowNanos() {
        return group.now.nanos();
    }

    /** The length of the hash key, 0 when none is set. */
    public int hashKeyLength() {
        return keyLength;
    }

    private void clearTried() {
        for (int k = 0; k < triedCount; k++) {
            tried[triedList[k] >>> 6] = 0;
        }
        triedCount = 0;
    }

    /** Feeds the hash key into {@link #crc} after whatever it holds. */
    void updateCrcWithKey() {
        crc.update(key, keyOffset, keyLength);
    }
}
