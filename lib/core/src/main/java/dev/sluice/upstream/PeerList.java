package dev.sluice.upstream;

import java.util.AbstractList;
import java.util.RandomAccess;

/**
 * The peers of one tier of a group, in configuration order, as a {@link Balancer} sees them: a read-only list
 * with the weight sums nginx keeps beside it.
 */
public final class PeerList extends AbstractList<PeerState> implements RandomAccess {

    final Tier tier;

    PeerList(Tier tier) {
        this.tier = tier;
    }

    @Override
    public PeerState get(int index) {
        return tier.peers[index];
    }

    @Override
    public int size() {
        return tier.peers.length;
    }

    /** The sum of every peer's weight, down peers included, as nginx's {@code total_weight}. */
    public int totalWeight() {
        return tier.totalWeight;
    }

    /** The index of the peer whose share of {@code [0, totalWeight())} holds {@code w}. */
    public int indexByWeight(long w) {
        return tier.byWeight(w);
    }
}
