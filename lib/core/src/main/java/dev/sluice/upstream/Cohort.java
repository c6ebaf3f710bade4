package dev.sluice.upstream;

import static dev.sluice.upstream.PeerHeaps.NONE;

import java.util.Arrays;

/**
 * Peers that take part in the same smooth weighted round-robin passes, each pass adding every member's effective
 * weight to its current weight: for round robin, the eligible peers of a tier; for {@code least_conn}, the eligible
 * peers at one level of load. Peers outside keep their current weight frozen, as nginx's do.
 *
 * <p>A pass gives exactly nginx's result without visiting every member. A steady member, whose effective weight
 * is its weight, gains its weight on every pass, so among the steady members of one weight the order of current
 * weights changes only when one of them is picked. They are kept in a heap per weight, keyed by
 * {@code current_weight - weight * step}, which stays put between picks; a pass compares the top of each weight's
 * heap and re-places the one picked. The other members, whose effective weight is still climbing back after a
 * failure or during a slow start, are few and short-lived: a side list, advanced one by one as nginx does, from
 * which they rejoin a heap once steady. A pass costs O(weights + side members + log n).
 */
final class Cohort {

    /** Passes after which steps are folded into the keys, long before {@code weight * step} could overflow. */
    static final long REBASE_STEP = 1L << 16;

    private final Rotation rotation;
    /** Passes made since the keys were last rebased. */
    private long step;
    int size;
    /** The sum of the weights of the steady members: what they add to a pass's total. */
    private long steadyWeight;
    /** Per weight class of the tier: the heap of its steady members here, and how many they are. */
    private final int[] heap;
    private final int[] heapSize;
    /** The weight classes with steady members here, in no particular order, and where each one is listed. */
    private final int[] listed;
    private final int[] listedAt;
    private int listedCount;
    /** Per listed class, side by side for the pass to scan: its weight, its top peer and that peer's key. */
    private final long[] listedWeight;
    private final int[] listedTop;
    private final long[] listedTopKey;
    private int sideFirst = NONE;
    /** For least_conn: the load of every member, {@code conns / weight}, as the pair of one member's. */
    int loadConns;
    int loadWeight;

    Cohort(Rotation rotation) {
        this.rotation = rotation;
        int classes = rotation.classCount;
        this.heap = new int[classes];
        this.heapSize = new int[classes];
        this.listed = new int[classes];
        this.listedAt = new int[classes];
        this.listedWeight = new long[classes];
        this.listedTop = new int[classes];
        this.listedTopKey = new long[classes];
        Arrays.fill(heap, NONE);
    }

    /** Adds peer {@code i}, parked with its current weight in its {@link PeerState}. */
    void join(int i, boolean steady) {
        Rotation r = rotation;
        PeerState peer = r.peers[i];
        if (steady) {
            int c = r.classOf[i];
            r.heaps.key[i] = peer.currentWeight - (long) peer.weight * step;
            if (heapSize[c]++ == 0) {
                listed[listedCount] = c;
                listedAt[c] = listedCount;
                listedWeight[listedCount] = peer.weight;
                listedCount++;
            }
            heap[c] = r.heaps.insert(heap[c], i);
            showTop(c);
            steadyWeight += peer.weight;
        } else {
            r.sidePrev[i] = NONE;
            r.sideNext[i] = sideFirst;
            if (sideFirst != NONE) {
                r.sidePrev[sideFirst] = i;
            }
            sideFirst = i;
        }
        r.cohortOf[i] = this;
        r.steady[i] = steady;
        size++;
    }

    /** Removes peer {@code i}, leaving its current weight in its {@link PeerState}. */
    void leave(int i) {
        Rotation r = rotation;
        PeerState peer = r.peers[i];
        if (r.steady[i]) {
            int c = r.classOf[i];
            peer.currentWeight = r.heaps.key[i] + (long) peer.weight * step;
            heap[c] = r.heaps.remove(heap[c], i);
            if (--heapSize[c] == 0) {
                int last = listed[--listedCount];
                int at = listedAt[c];
                listed[at] = last;
                listedAt[last] = at;
                listedWeight[at] = listedWeight[listedCount];
                listedTop[at] = listedTop[listedCount];
                listedTopKey[at] = listedTopKey[listedCount];
            } else {
                showTop(c);
            }
            steadyWeight -= peer.weight;
        } else {
            int p = r.sidePrev[i];
            int n = r.sideNext[i];
            if (p == NONE) {
                sideFirst = n;
            } else {
                r.sideNext[p] = n;
            }
            if (n != NONE) {
                r.sidePrev[n] = p;
            }
        }
        r.cohortOf[i] = null;
        r.steady[i] = false;
        size--;
    }

    /** The current weight of member {@code i}. */
    long currentWeight(int i) {
        Rotation r = rotation;
        return r.steady[i] ? r.heaps.key[i] + (long) r.peers[i].weight * step : r.peers[i].currentWeight;
    }

    /** The member when there is exactly one. */
    int only() {
        return listedCount == 1 ? listedTop[0] : sideFirst;
    }

    /** Copies the top of class {@code c}'s heap, and its key, where the pass reads them. */
    private void showTop(int c) {
        int at = listedAt[c];
        int top = heap[c];
        listedTop[at] = top;
        listedTopKey[at] = rotation.heaps.key[top];
    }

    /**
     * One pass of nginx's smooth weighted round robin over the members: each gains its effective weight, the
     * highest current weight wins (the lowest index on a tie) and gives back the sum of what was gained.
     *
     * @return the index of the peer picked; the cohort must not be empty
     */
    int pass(Now now) {
        if (step == REBASE_STEP) {
            rebase();
        }
        long s = ++step;
        int best = NONE;
        int bestListed = NONE;
        long bestWeight = 0;
        if (listedCount > 0) {
            best = listedTop[0];
            bestListed = 0;
            bestWeight = listedTopKey[0] + listedWeight[0] * s;
        }
        for (int k = 1; k < listedCount; k++) {
            long weight = listedTopKey[k] + listedWeight[k] * s;
            int top = listedTop[k];
            if (weight > bestWeight || weight == bestWeight && top < best) {
                best = top;
                bestListed = k;
                bestWeight = weight;
            }
        }
        long total = steadyWeight;
        if (sideFirst != NONE) {
            Rotation r = rotation;
            for (int i = sideFirst; i != NONE; i = r.sideNext[i]) {
                PeerState peer = r.peers[i];
                total += RoundRobin.advance(peer, now);
                if (best == NONE || peer.currentWeight > bestWeight || peer.currentWeight == bestWeight && i < best) {
                    best = i;
                    bestListed = NONE;
                    bestWeight = peer.currentWeight;
                }
            }
        }
        if (total == 0 && best != NONE && allRampingUp()) {
            best = shareEqually(); // slow starts that began together
        }
        if (bestListed != NONE) {
            int c = listed[bestListed];
            rotation.heaps.key[best] -= total;
            heap[c] = rotation.heaps.sink(heap[c]);
            showTop(c);
        } else {
            rotation.peers[best].currentWeight -= total;
        }
        if (sideFirst != NONE) {
            settleSide();
        }
        return best;
    }

    /**
     * A pass among side members that all weigh 0 now (each in the first moments of a slow start begun with the
     * others'): each counts as weighing 1, so they share the requests equally instead of the first taking them all
     * until the ramps reach 1. Returns the member picked, its current weight already lowered by the pass.
     */
    private int shareEqually() {
        Rotation r = rotation;
        int best = NONE;
        long bestWeight = 0;
        int members = 0;
        for (int i = sideFirst; i != NONE; i = r.sideNext[i]) {
            PeerState peer = r.peers[i];
            peer.currentWeight += 1;
            members++;
            if (best == NONE || peer.currentWeight > bestWeight || peer.currentWeight == bestWeight && i < best) {
                best = i;
                bestWeight = peer.currentWeight;
            }
        }
        r.peers[best].currentWeight -= members;
        return best;
    }

    /** Whether every side member is in its slow start. */
    private boolean allRampingUp() {
        Rotation r = rotation;
        for (int i = sideFirst; i != NONE; i = r.sideNext[i]) {
            if (r.peers[i].slowStartSince == PeerState.LONG_AGO) {
                return false;
            }
        }
        return true;
    }

    /** Moves the side members whose effective weight is back at their weight into the heaps. */
    private void settleSide() {
        Rotation r = rotation;
        for (int i = sideFirst; i != NONE; ) {
            int next = r.sideNext[i];
            if (Rotation.isSteady(r.peers[i])) {
                leave(i);
                join(i, true);
            }
            i = next;
        }
    }

    /** Folds the steps into the keys of the steady members, which keeps every heap's order. */
    private void rebase() {
        Rotation r = rotation;
        for (int i = 0; i < r.peers.length; i++) {
            if (r.cohortOf[i] == this && r.steady[i]) {
                r.heaps.key[i] += (long) r.peers[i].weight * step;
            }
        }
        for (int k = 0; k < listedCount; k++) {
            showTop(listed[k]);
        }
        step = 0;
    }
}
