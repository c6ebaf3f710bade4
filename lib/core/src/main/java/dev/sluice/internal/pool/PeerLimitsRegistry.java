package dev.sluice.internal.pool;

import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;

/**
 * The keepalive state of one upstream group that every loop shares: its {@link KeepaliveSettings}, each peer's
 * {@link PeerLimits}, and the group's {@link KeepalivePool} of every loop, which join it as they are made. Create one
 * per upstream group and give it to that group's pool on every loop. Thread-safe.
 */
public final class PeerLimitsRegistry {

    private final KeepaliveSettings settings;
    private final ConcurrentHashMap<Object, PeerLimits> peers = new ConcurrentHashMap<>();
    private final Queue<KeepalivePool> pools = new ConcurrentLinkedQueue<>();

    public PeerLimitsRegistry(KeepaliveSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    public KeepaliveSettings settings() {
        return settings;
    }

    /** The limits of a peer (its socket address, or any key with value equality), created on first use. */
    public PeerLimits get(Object peerKey) {
        Objects.requireNonNull(peerKey, "peerKey");
        PeerLimits limits = peers.get(peerKey);
        return limits != null ? limits : peers.computeIfAbsent(peerKey, k -> new PeerLimits(k, settings));
    }

    /** A loop's pool of the group joins. */
    void joined(KeepalivePool pool) {
        pools.add(pool);
    }

    /**
     * A peer left its group or drains: every loop's pool closes the idle connections it keeps to {@code peerKey},
     * on its own thread. Any thread.
     */
    public void peerLeaving(Object peerKey) {
        for (KeepalivePool pool : pools) {
            try {
                pool.loop().execute(() -> pool.closeIdle(peerKey));
            } catch (RejectedExecutionException stopped) {
                // a loop that stopped holds no connection any more
            }
        }
    }

    /** The idle connections every loop's pool holds now: NGINX Plus's {@code keepalive} of the group. */
    public int idleConnections() {
        int idle = 0;
        for (KeepalivePool pool : pools) {
            idle += pool.idleCount();
        }
        return idle;
    }
}
