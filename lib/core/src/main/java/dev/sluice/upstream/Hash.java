package dev.sluice.upstream;

/**
 * {@code hash KEY}, as {@code ngx_http_upstream_get_hash_peer}, compatible with Cache::Memcached: the running sum
 * of {@code (crc32([REHASH] KEY) >> 16) & 0x7fff} picks a peer by weight; an unavailable peer makes it rehash with
 * the decimal rehash count in front of the key; after 20 misses, or with no key, it falls back to round robin.
 */
final class Hash implements Balancer.HashBalancer {

    static final Hash BALANCER = new Hash();

    private Hash() {
    }

    @Override
    public boolean usesHashKey() {
        return true;
    }

    @Override
    public Picker newPicker(PeerList peers) {
        Tier tier = peers.tier;
        return selection -> pick(tier, selection);
    }

    @Override
    public Balancer consistent() {
        return ConsistentHash.BALANCER;
    }

    private static PeerState pick(Tier tier, Selection selection) {
        if (selection.hashTries > 20 || tier.size() < 2 || selection.keyLength == 0) {
            return RoundRobin.pick(tier, selection);
        }
        for (;;) {
            selection.crc.reset();
            if (selection.rehash > 0) {
                int n = writeDecimal(selection.rehash, selection.digits);
                selection.crc.update(selection.digits, selection.digits.length - n, n);
            }
            selection.updateCrcWithKey();
            int crc = (int) selection.crc.getValue();
            selection.hash = (selection.hash + ((crc >>> 16) & 0x7fff)) & 0xffffffffL;
            selection.rehash++;
            PeerState peer = tier.peers[tier.byWeight(selection.hash % tier.totalWeight)];
            if (selection.isEligible(peer)) {
                return peer;
            }
            if (++selection.hashTries > 20) {
                return RoundRobin.pick(tier, selection);
            }
        }
    }

    /** Writes {@code value} in decimal at the end of {@code into}; returns the number of digits. */
    private static int writeDecimal(int value, byte[] into) {
        int at = into.length;
        do {
            into[--at] = (byte) ('0' + value % 10);
            value /= 10;
        } while (value != 0);
        return into.length - at;
    }
}
