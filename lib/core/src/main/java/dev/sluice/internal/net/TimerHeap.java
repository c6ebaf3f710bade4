package dev.sluice.internal.net;

import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The timers of one event loop: a binary min-heap of {@link Timeout}s, each holding its own index (an intrusive
 * heap), so that cancel is O(log n) without a search and nothing is allocated once the array has grown.
 *
 * <p>Moving a timer later does not touch the heap: the timeout keeps its old heap key and only its deadline moves;
 * when the old key comes up, the timeout is re-keyed to its real deadline instead of firing. Re-arming a read
 * timeout on every read is therefore O(1). This is the structure nginx gets from its red-black tree of timers,
 * bought cheaper for the "push it later" case that dominates a proxy.
 *
 * <p>Not thread-safe: the loop thread owns it.
 */
final class TimerHeap {

    private static final Logger log = LoggerFactory.getLogger(TimerHeap.class);

    private Timeout[] heap = new Timeout[64];
    private int size;
    private long seq;

    int size() {
        return size;
    }

    void schedule(Timeout t, long deadline) {
        t.deadline = deadline;
        t.seq = seq++;
        if (t.index >= 0) {
            if (deadline - t.heapKey >= 0) {
                return; // later (or same): re-keyed lazily when the old key comes up
            }
            t.heapKey = deadline;
            t.heapSeq = t.seq;
            siftUp(t.index, t);
            return;
        }
        t.heapKey = deadline;
        t.heapSeq = t.seq;
        if (size == heap.length) {
            heap = Arrays.copyOf(heap, size * 2);
        }
        siftUp(size++, t);
    }

    void cancel(Timeout t) {
        int i = t.index;
        if (i < 0) {
            return;
        }
        t.index = -1;
        Timeout last = heap[--size];
        heap[size] = null;
        if (last != t) {
            siftDown(i, last);
            if (last.index == i) {
                siftUp(i, last);
            }
        }
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** The earliest heap key, possibly earlier than that timer's real deadline; only when not {@link #isEmpty()}. */
    long nextKey() {
        return heap[0].heapKey;
    }

    /**
     * Runs the tasks of every timeout due at {@code now} that was scheduled before this call. A task that
     * schedules a timer for "now" (itself or another) sees it run in the next pass, not in an endless loop here.
     *
     * @return how many tasks ran
     */
    int runExpired(long now) {
        long passStart = seq;
        int ran = 0;
        while (size > 0) {
            Timeout t = heap[0];
            if (t.heapKey - now > 0 || t.heapSeq >= passStart) {
                break;
            }
            if (t.heapSeq != t.seq) {
                // rescheduled later without touching the heap: take its place by the real deadline first
                t.heapKey = t.deadline;
                t.heapSeq = t.seq;
                siftDown(0, t);
                continue;
            }
            cancel(t);
            ran++;
            try {
                t.task.run();
            } catch (Throwable e) {
                log.warn("timer task {} failed", t.task, e);
            }
        }
        return ran;
    }

    void clear() {
        for (int i = 0; i < size; i++) {
            heap[i].index = -1;
            heap[i] = null;
        }
        size = 0;
    }

    private static boolean before(Timeout a, Timeout b) {
        long d = a.heapKey - b.heapKey;
        return d < 0 || (d == 0 && a.heapSeq < b.heapSeq);
    }

    private void siftUp(int i, Timeout t) {
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            Timeout p = heap[parent];
            if (!before(t, p)) {
                break;
            }
            heap[i] = p;
            p.index = i;
            i = parent;
        }
        heap[i] = t;
        t.index = i;
    }

    private void siftDown(int i, Timeout t) {
        int half = size >>> 1;
        while (i < half) {
            int child = 2 * i + 1;
            Timeout c = heap[child];
            int right = child + 1;
            if (right < size && before(heap[right], c)) {
                child = right;
                c = heap[child];
            }
            if (!before(c, t)) {
                break;
            }
            heap[i] = c;
            c.index = i;
            i = child;
        }
        heap[i] = t;
        t.index = i;
    }
}
