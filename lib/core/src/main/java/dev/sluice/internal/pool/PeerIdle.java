package dev.sluice.internal.pool;

/** One pool's idle connections to one peer, most recent first, with the peer's shared {@link PeerLimits}. */
final class PeerIdle {

    final Object key;
    final PeerLimits limits;
    final IdleList idle = new IdleList();

    PeerIdle(Object key, PeerLimits limits) {
        this.key = key;
        this.limits = limits;
    }
}
