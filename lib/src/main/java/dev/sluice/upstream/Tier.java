package dev.sluice.upstream;

import java.util.List;

/**
 * One tier of a group, primary or backup: its peers in configuration order and the sums nginx keeps for them
 * ({@code ngx_http_upstream_rr_peers_t}).
 */
final class Tier {

    final PeerState[] peers;
    /** Sum of all weights, down peers included, as nginx's {@code total_weight}. */
    final int totalWeight;
    /** {@code ranges[i]} = sum of the weights of peers 0..i-1; lets hash, ip_hash and random find a peer by
     * weight in O(log n). */
    final int[] ranges;
    /** nginx's {@code single}: exactly one primary peer and no backup tier. */
    final boolean single;

    Tier(List<PeerState> peers, boolean single) {
        this.peers = peers.toArray(new PeerState[0]);
        this.ranges = new int[this.peers.length];
        int sum = 0;
        for (int i = 0; i < this.peers.length; i++) {
            ranges[i] = sum;
            sum += this.peers[i].weight;
        }
        this.totalWeight = sum;
        this.single = single;
    }

    int size() {
        return peers.length;
    }

    /** The index of the peer whose weight range holds {@code w}, {@code 0 <= w < totalWeight}: what nginx's
     * {@code while (w >= peer->weight) { w -= peer->weight; p++; }} walk finds. */
    int byWeight(long w) {
        int lo = 0;
        int hi = ranges.length;
        while (hi - lo > 1) {
            int mid = (lo + hi) >>> 1;
            if (w < ranges[mid]) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        return lo;
    }

    /** Peers that are not down: nginx's {@code tries} for this tier. */
    int notDown() {
        int n = 0;
        for (PeerState p : peers) {
            if (!p.down) {
                n++;
            }
        }
        return n;
    }
}
