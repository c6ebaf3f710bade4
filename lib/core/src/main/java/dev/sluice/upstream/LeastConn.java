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
        return tier.single ? RoundRobin.pick(tier, selection) : tier.rotation.leastConn(selection);
    }
}
