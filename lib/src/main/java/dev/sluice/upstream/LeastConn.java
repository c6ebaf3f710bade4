package dev.sluice.upstream;

/**
 * {@code least_conn}, as {@code ngx_http_upstream_get_least_conn_peer}: the eligible peer with the fewest active
 * requests relative to its weight; several such peers share by smooth round robin among themselves, starting at
 * the first of them.
 */
final class LeastConn implements Balancer {

    static final LeastConn BALANCER = new LeastConn();

    private LeastConn() {
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

    private static PeerState pick(Tier tier, Selection selection) {
        if (tier.single) {
            return RoundRobin.pick(tier, selection);
        }
        PeerState[] peers = tier.peers;
        PeerState best = null;
        int first = -1;
        boolean many = false;
        for (int i = 0; i < peers.length; i++) {
            PeerState peer = peers[i];
            if (!selection.isEligible(peer)) {
                continue;
            }
            long mine = (long) peer.conns * (best == null ? 1 : best.weight);
            long theirs = best == null ? 0 : (long) best.conns * peer.weight;
            if (best == null || mine < theirs) {
                best = peer;
                first = i;
                many = false;
            } else if (mine == theirs) {
                many = true;
            }
        }
        if (best == null || !many) {
            return best;
        }
        long total = 0;
        PeerState least = best;
        for (int i = first; i < peers.length; i++) {
            PeerState peer = peers[i];
            if ((long) peer.conns * least.weight != (long) least.conns * peer.weight || !selection.isEligible(peer)) {
                continue;
            }
            total += RoundRobin.advance(peer, selection.nowNanos);
            if (peer.currentWeight > best.currentWeight) {
                best = peer;
            }
        }
        best.currentWeight -= total;
        return best;
    }
}
