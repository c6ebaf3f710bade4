package dev.sluice.upstream;

import java.util.Arrays;

/**
 * The peers of one tier a request tried, by their index in the tier: a bit per peer for the test, and the same
 * peers as a list, so that forgetting them costs a store per peer tried rather than one per peer of the tier. What
 * nginx keeps in {@code rr_peer_data}'s {@code tried} bitmap. One request's at a time, not thread-safe.
 */
final class TriedPeers {

    private long[] bits = new long[0];
    private int[] list = new int[0];
    private int count;

    /** Makes room for a tier of up to {@code peers} peers, forgetting every peer tried. */
    void fit(int peers) {
        if (list.length < peers) {
            bits = new long[(peers + 63) >>> 6];
            list = new int[peers];
        } else {
            Arrays.fill(bits, 0);
        }
        count = 0;
    }

    /** Records that the peer at {@code index} was tried. */
    void add(int index) {
        bits[index >>> 6] |= 1L << index;
        list[count++] = index;
    }

    /** Whether the peer at {@code index} was tried. */
    boolean contains(int index) {
        return (bits[index >>> 6] & (1L << index)) != 0;
    }

    /** How many peers were tried. */
    int count() {
        return count;
    }

    /** The index of the {@code k}-th peer tried, from 0. */
    int at(int k) {
        return list[k];
    }

    /** Forgets every peer tried. */
    void clear() {
        for (int k = 0; k < count; k++) {
            bits[list[k] >>> 6] = 0;
        }
        count = 0;
    }
}
