package dev.sluice.internal.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class TimerHeapTest {

    private final TimerHeap heap = new TimerHeap();
    private final List<String> fired = new ArrayList<>();

    private Timeout timeout(String name) {
        return new Timeout(null, () -> fired.add(name));
    }

    @Test
    void timersFireInDeadlineOrderAndTiesInScheduleOrder() {
        Timeout c = timeout("c");
        Timeout a = timeout("a");
        Timeout b1 = timeout("b1");
        Timeout b2 = timeout("b2");
        heap.schedule(c, 30);
        heap.schedule(b1, 20);
        heap.schedule(a, 10);
        heap.schedule(b2, 20);

        assertEquals(0, heap.runExpired(9));
        assertEquals(4, heap.runExpired(30));
        assertEquals(List.of("a", "b1", "b2", "c"), fired);
        assertTrue(heap.isEmpty());
    }

    @Test
    void aCancelledTimerNeverFires() {
        Timeout a = timeout("a");
        Timeout b = timeout("b");
        Timeout c = timeout("c");
        heap.schedule(a, 10);
        heap.schedule(b, 20);
        heap.schedule(c, 30);

        heap.cancel(b);
        heap.cancel(b);
        heap.runExpired(100);

        assertEquals(List.of("a", "c"), fired);
        assertFalse(b.isScheduled());
    }

    @Test
    void movingATimerLaterDoesNotFireItAtTheOldDeadline() {
        Timeout read = timeout("read");
        heap.schedule(read, 10);
        heap.schedule(read, 50);

        assertEquals(0, heap.runExpired(10));
        assertTrue(read.isScheduled());
        assertEquals(0, heap.runExpired(49));
        assertEquals(1, heap.runExpired(50));
        assertEquals(List.of("read"), fired);
    }

    @Test
    void aTimerMovedLaterFiresAfterOneScheduledEarlierForTheSameDeadline() {
        Timeout moved = timeout("moved");
        Timeout other = timeout("other");
        heap.schedule(moved, 10);
        heap.schedule(other, 50);
        heap.schedule(moved, 50);

        heap.runExpired(50);

        assertEquals(List.of("other", "moved"), fired);
    }

    @Test
    void movingATimerEarlierFiresItAtTheNewDeadline() {
        Timeout a = timeout("a");
        Timeout b = timeout("b");
        heap.schedule(a, 50);
        heap.schedule(b, 40);
        heap.schedule(a, 5);

        assertEquals(1, heap.runExpired(5));
        assertEquals(List.of("a"), fired);
    }

    @Test
    void aTimerReschedulingItselfForNowRunsOncePerPass() {
        int[] runs = {0};
        Timeout[] self = new Timeout[1];
        self[0] = new Timeout(null, () -> {
            runs[0]++;
            heap.schedule(self[0], 7);
        });
        heap.schedule(self[0], 7);

        heap.runExpired(7);
        assertEquals(1, runs[0]);
        heap.runExpired(7);
        assertEquals(2, runs[0]);
    }

    @Test
    void randomSchedulesAndCancelsFireExactlyLikeASortedModel() {
        Random random = new Random(42);
        int n = 300;
        Timeout[] timeouts = new Timeout[n];
        TreeMap<Long, String> model = new TreeMap<>(); // deadline * n + index -> name: distinct keys, same order
        long[] modelKey = new long[n];
        for (int i = 0; i < n; i++) {
            timeouts[i] = timeout("t" + i);
            modelKey[i] = -1;
        }
        for (int step = 0; step < 3000; step++) {
            int i = random.nextInt(n);
            if (random.nextInt(4) == 0) {
                heap.cancel(timeouts[i]);
                if (modelKey[i] >= 0) {
                    model.remove(modelKey[i]);
                    modelKey[i] = -1;
                }
            } else {
                long deadline = 1000 + random.nextInt(1000);
                heap.schedule(timeouts[i], deadline);
                if (modelKey[i] >= 0) {
                    model.remove(modelKey[i]);
                }
                modelKey[i] = deadline * 1_000_000 + step; // ties broken by schedule order
                model.put(modelKey[i], "t" + i);
            }
        }
        for (long now = 1000; now < 2000; now += 37) {
            heap.runExpired(now);
        }
        heap.runExpired(2000);

        assertEquals(new ArrayList<>(model.values()), fired);
        assertTrue(heap.isEmpty());
    }

    @Test
    void reArmingAScheduledTimerAllocatesNothing() {
        Timeout[] timeouts = new Timeout[256];
        for (int i = 0; i < timeouts.length; i++) {
            timeouts[i] = timeout("t" + i);
            heap.schedule(timeouts[i], i);
        }
        long allocated = Allocations.measure(() -> {
            for (int round = 1; round <= 200; round++) {
                for (int i = 0; i < timeouts.length; i++) {
                    heap.schedule(timeouts[i], round * 1000L + i); // later: the lazy path
                    if ((i & 7) == 0) {
                        heap.cancel(timeouts[i]);
                        heap.schedule(timeouts[i], round * 1000L + i);
                    }
                }
            }
        });

        assertTrue(allocated < 1024, "allocated " + allocated + " bytes for 60,000 re-arms");
    }
}
