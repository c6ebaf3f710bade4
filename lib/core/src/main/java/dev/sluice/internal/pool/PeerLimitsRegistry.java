package dev.sluice.internal.pool;

import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The keepalive state of one upstream group that every loop shares: its {@link KeepaliveSettings} and each peer's
 * {@link PeerLimits}. Create one per upstream group and give it to that group's {@link KeepalivePool} on every
 * loop. Thread-safe.
 */
public final class PeerLimitsRegistry {

    private final KeepaliveSettings settings;
    private final ConcurrentHashMap<Object, PeerLimits> peers = new ConcurrentHashMap<>();

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
}
