package dev.sluice.upstream;

/**
 * {@code random} and {@code random two least_conn}, as {@code ngx_http_upstream_get_random_peer} and {@code
 * ..._random2_peer}: peers drawn with probability proportional to weight, down peers included in the draw and
 * then skipped; with {@code two}, the less loaded of two distinct eligible draws (the second on a tie). After 20
 * misses, round robin.
 */
final class RandomPick implements Balancer {

    static final RandomPick ONE = new RandomPick(false);
    static final RandomPick TWO = new RandomPick(true);

    private final boolean two;

    private RandomPick(boolean two) {
        this.two = two;
    }

    @Override
    public Picker newPicker(PeerList peers) {
        Tier tier = peers.tier;
        return two ? selection -> pickTwo(tier, selection) : selection -> pickOne(tier, selection);
    }

    private static PeerState pickOne(Tier tier, Selection selection) {
        if (selection.hashTries > 20 || tier.size() < 2) {
            return RoundRobin.pick(tier, selection);
        }
        for (;;) {
            PeerState peer = peek(tier, selection);
            if (selection.isEligible(peer)) {
                return peer;
            }
            if (++selection.hashTries > 20) {
                return RoundRobin.pick(tier, selection);
            }
        }
    }

    private static PeerState pickTwo(Tier tier, Selection selection) {
        if (selection.hashTries > 20 || tier.size() < 2) {
            return RoundRobin.pick(tier, selection);
        }
        PeerState first = null;
        for (;;) {
            PeerState peer = peek(tier, selection);
            if (peer != first && selection.isEligible(peer)) {
                if (first != null) {
                    boolean secondBusier = (long) peer.conns * first.weight > (long) first.conns * peer.weight;
                    return secondBusier ? first : peer;
                }
                first = peer;
            }
            if (++selection.hashTries > 20) {
                return RoundRobin.pick(tier, selection);
            }
        }
    }

    private static PeerState peek(Tier tier, Selection selection) {
        return tier.peers[tier.byWeight(selection.random().nextInt(tier.totalWeight))];
    }
}
