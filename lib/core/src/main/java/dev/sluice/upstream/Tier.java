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
    /** Peers that are not down: nginx's {@code tries} for this tier. Changed under the group's lock. */
    int notDown;
    /** The smooth round-robin state of the tier's peers. */
    final Rotation rotation;

    /**
     * @param byLoad whether the tier balances by load (least_conn), which groups its round-robin passes by load
     */
    Tier(List<PeerState> peers, boolean single, Now now, boolean byLoad) {
        this.peers = peers.toArray(new PeerState[0]);
        for (int i = 0; i < this.peers.length; i++) {
            PeerState peer = this.peers[i];
            peer.tier = this;
            peer.index = i;
            if (!peer.down) {
                notDown++;
            }
        }
        this.ranges = new int[this.peers.length];
        int sum = 0;
        for (int i = 0; i < this.peers.length; i++) {
            ranges[i] = sum;
            sum += this.peers[i].weight;
        }
        this.totalWeight = sum;
        this.single = single;
        this.rotation = new Rotation(this.peers, now, byLoad);
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
}
