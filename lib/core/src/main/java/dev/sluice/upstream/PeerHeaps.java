package dev.sluice.upstream;

import java.util.Arrays;

/**
 * Pairing heaps of peer indices, linked through arrays shared by all the heaps of a tier, since a peer is in at
 * most one heap at a time. The top of a heap is the peer with the highest {@link #key}, the lowest index among
 * equal keys: the peer nginx's smooth round robin would pick among them. Insert costs O(1); removing any peer, or
 * re-placing the top after its key went down, O(log n) amortised. A heap is named by its top; {@link #NONE} is
 * the empty heap.
 */
final class PeerHeaps {

    static final int NONE = -1;

    /** The key of each peer in a heap; set it before {@link #insert}, change it only through {@link #sink}. */
    final long[] key;
    private final int[] child;
    private final int[] next;
    /** The previous sibling, or the parent for a first child. */
    private final int[] prev;

    PeerHeaps(int peers) {
        key = new long[peers];
        child = new int[peers];
        next = new int[peers];
        prev = new int[peers];
        Arrays.fill(child, NONE);
        Arrays.fill(next, NONE);
        Arrays.fill(prev, NONE);
    }

    /** Adds peer {@code x}, which is in no heap, to the heap {@code top}; returns the new top. */
    int insert(int top, int x) {
        return meld(top, x);
    }

    /** Removes peer {@code x} from the heap {@code top}; returns the new top. */
    int remove(int top, int x) {
        if (x == top) {
            return pairUp(takeChildren(x));
        }
        int p = prev[x];
        int n = next[x];
        if (child[p] == x) {
            child[p] = n;
        } else {
            next[p] = n;
        }
        if (n != NONE) {
            prev[n] = p;
        }
        prev[x] = NONE;
        next[x] = NONE;
        return meld(top, pairUp(takeChildren(x)));
    }

    /** Re-places the top after its key went down; returns the new top. */
    int sink(int top) {
        int first = child[top];
        if (first == NONE) {
            return top;
        }
        child[top] = NONE;
        return meld(next[first] == NONE ? detach(first) : pairUp(first), top);
    }

    /** A lone first child, cut loose from its parent. */
    private int detach(int only) {
        prev[only] = NONE;
        return only;
    }

    private boolean before(int a, int b) {
        return key[a] > key[b] || key[a] == key[b] && a < b;
    }

    private int takeChildren(int x) {
        int first = child[x];
        child[x] = NONE;
        return first;
    }

    /** Joins two heaps: the top that comes second becomes the first child of the other. */
    private int meld(int a, int b) {
        if (a == NONE) {
            return b;
        }
        if (b == NONE) {
            return a;
        }
        if (before(b, a)) {
            int t = a;
            a = b;
            b = t;
        }
        int first = child[a];
        next[b] = first;
        if (first != NONE) {
            prev[first] = b;
        }
        prev[b] = a;
        child[a] = b;
        return a;
    }

    /** Joins a list of sibling heaps into one, in the two passes that give pairing heaps their bounds. */
    private int pairUp(int first) {
        int pairs = NONE;
        for (int a = first; a != NONE; ) {
            int b = next[a];
            int rest = b == NONE ? NONE : next[b];
            prev[a] = NONE;
            next[a] = NONE;
            if (b != NONE) {
                prev[b] = NONE;
                next[b] = NONE;
            }
            int pair = meld(a, b);
            next[pair] = pairs;
            pairs = pair;
            a = rest;
        }
        int heap = NONE;
        while (pairs != NONE) {
            int pair = pairs;
            pairs = next[pair];
            next[pair] = NONE;
            heap = meld(heap, pair);
        }
        return heap;
    }
}
