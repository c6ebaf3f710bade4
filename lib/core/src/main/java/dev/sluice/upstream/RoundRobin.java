package dev.sluice.upstream;

/**
 * Weighted smooth round robin, as {@code ngx_http_upstream_get_round_robin_peer}: every eligible peer adds its
 * effective weight to its current weight, the highest current weight wins (the first in configuration order on a
 * tie) and gives back the sum of what was added. Also the fall-back of every other method.
 */
final class RoundRobin implements Balancer {

    static final RoundRobin BALANCER = new RoundRobin();

    private RoundRobin() {
    }

    @Override
    public Picker newPicker(PeerList peers) {
        Tier tier = peers.tier;
        return selection -> pick(tier, selection);
    }

    @Override
    public boolean supportsBackup() {
        return true;
    }

    @Override
    public boolean supportsSlowStart() {
        return true;
    }

    /**
     * nginx's round-robin get: the single-peer rule (down, unhealthy, full or draining, it takes no request that is
     * not bound to it), else a smooth weighted pass.
     */
    static PeerState pick(Tier tier, Selection selection) {
        if (tier.single) {
            PeerState only = tier.peers[0];
            boolean full = only.maxConns != 0 && only.conns >= only.maxConns;
            return only.down || only.draining || !only.healthy || full ? null : only;
        }
        return tier.rotation.roundRobin(selection);
    }

    /**
     * One peer's share of a smooth round-robin pass: adds its effective weight to its current weight and lets
     * the effective weight climb one step back toward the weight (which slow start may be holding lower).
     *
     * @return the effective weight added, for the pass's total
     */
    static int advance(PeerState peer, Now now) {
        int cap = peer.slowStartSince == PeerState.LONG_AGO ? peer.weight : PeerSlowStart.weight(peer, now.nanos());
        int effective = Math.min(peer.effectiveWeight, cap);
        peer.currentWeight += effective;
        peer.effectiveWeight = effective < cap ? effective + 1 : effective;
        return effective;
    }
}
