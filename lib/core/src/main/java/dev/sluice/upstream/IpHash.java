package dev.sluice.upstream;

/**
 * {@code ip_hash}, as {@code ngx_http_upstream_get_ip_hash_peer}: hashes the first three octets of an IPv4
 * client address (so a /24 network sticks to one peer) or all sixteen of an IPv6 one, walks the weights to a
 * peer, rehashes past unavailable peers, and falls back to round robin after 20 misses.
 */
final class IpHash implements Balancer {

    static final IpHash BALANCER = new IpHash();
    private static final byte[] UNIX_CLIENT = new byte[3];

    private IpHash() {
    }

    @Override
    public Picker newPicker(PeerList peers) {
        Tier tier = peers.tier;
        return selection -> pick(tier, selection);
    }

    private static PeerState pick(Tier tier, Selection selection) {
        if (!selection.hashStarted) {
            selection.hashStarted = true;
            selection.hash = 89;
        }
        if (selection.hashTries > 20 || tier.size() < 2) {
            return RoundRobin.pick(tier, selection);
        }
        byte[] address = selection.clientAddress;
        int length = address.length == 4 ? 3 : address.length;
        if (length == 0) {
            address = UNIX_CLIENT;
            length = 3;
        }
        long hash = selection.hash;
        for (;;) {
            for (int i = 0; i < length; i++) {
                hash = (hash * 113 + (address[i] & 0xff)) % 6271;
            }
            PeerState peer = tier.peers[tier.byWeight(hash % tier.totalWeight)];
            if (selection.isEligible(peer)) {
                selection.hash = hash;
                return peer;
            }
            if (++selection.hashTries > 20) {
                selection.hash = hash;
                return RoundRobin.pick(tier, selection);
            }
        }
    }
}
