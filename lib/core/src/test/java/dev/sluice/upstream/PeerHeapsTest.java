package dev.sluice.upstream;

import static dev.sluice.upstream.PeerHeaps.NONE;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PeerHeapsTest {

    /** Several heaps over one set of peers, driven at random and checked against a scan after every step. */
    @Test
    void topIsAlwaysTheHighestKeyThenTheLowestIndex() {
        SplittableRandom rnd = new SplittableRandom(7);
        int peers = 200;
        int heapCount = 4;
        PeerHeaps heaps = new PeerHeaps(peers);
        int[] top = {NONE, NONE, NONE, NONE};
        int[] heapOf = new int[peers];
        java.util.Arrays.fill(heapOf, NONE);
        for (int step = 0; step < 100_000; step++) {
            int action = rnd.nextInt(3);
            if (action == 0) {
                int x = rnd.nextInt(peers);
                if (heapOf[x] == NONE) {
                    int h = rnd.nextInt(heapCount);
                    heaps.key[x] = rnd.nextInt(20) - 10;
                    top[h] = heaps.insert(top[h], x);
                    heapOf[x] = h;
                }
            } else if (action == 1) {
                int x = rnd.nextInt(peers);
                if (heapOf[x] != NONE) {
                    int h = heapOf[x];
                    top[h] = heaps.remove(top[h], x);
                    heapOf[x] = NONE;
                }
            } else {
                int h = rnd.nextInt(heapCount);
                if (top[h] != NONE) {
                    heaps.key[top[h]] -= rnd.nextInt(15);
                    top[h] = heaps.sink(top[h]);
                }
            }
            int[] expected = scanTops(heaps, heapOf, heapCount);
            for (int h = 0; h < heapCount; h++) {
                assertEquals(expected[h], top[h], "heap " + h + " at step " + step);
            }
        }
    }

    private static int[] scanTops(PeerHeaps heaps, int[] heapOf, int heapCount) {
        int[] best = new int[heapCount];
        java.util.Arrays.fill(best, NONE);
        for (int x = 0; x < heapOf.length; x++) {
            int h = heapOf[x];
            if (h != NONE && (best[h] == NONE || heaps.key[x] > heaps.key[best[h]])) {
                best[h] = x;
            }
        }
        return best;
    }
}
