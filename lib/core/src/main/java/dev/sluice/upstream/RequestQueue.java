package dev.sluice.upstream;

import java.util.ArrayDeque;

/**
 * The waiting line of one group's {@code queue}: requests that found no peer free for their first attempt, first
 * come first served across every thread that picks from the group. A request is <em>admitted</em> when a peer may
 * have become free (a request on it ended, it came back up or turned healthy, or the line's first request looked
 * again); an admitted request picks ahead of every newcomer, and one that again finds no peer goes back to the
 * front. Used under the group's lock.
 */
final class RequestQueue {

    final int maxSize;
    private final ArrayDeque<Selection> waiting = new ArrayDeque<>();
    /** Admitted requests that have not picked yet: newcomers wait behind them too. */
    private int admitted;
    long overflows;

    RequestQueue(int maxSize) {
        this.maxSize = maxSize;
    }

    int size() {
        return waiting.size();
    }

    /** Whether {@code selection} must wait its turn: someone is in line or admitted ahead of it. */
    boolean holdsBack(Selection selection) {
        return !selection.admitted && (admitted > 0 || !waiting.isEmpty());
    }

    /** Puts a request in line (an admitted one back at the front); false when the line is full. */
    boolean add(Selection selection) {
        if (selection.admitted) {
            selection.admitted = false;
            admitted--;
            waiting.addFirst(selection);
        } else if (waiting.size() >= maxSize) {
            overflows++;
            return false;
        } else {
            waiting.addLast(selection);
        }
        selection.queued = true;
        return true;
    }

    /** Admits the first request in line, if any, and returns it: the caller wakes it once the lock is released. */
    Selection admitFirst() {
        Selection first = waiting.pollFirst();
        if (first != null) {
            first.queued = false;
            first.admitted = true;
            admitted++;
        }
        return first;
    }

    /** Admits {@code selection} if it is first in line. */
    boolean admitIfFirst(Selection selection) {
        if (waiting.peekFirst() != selection) {
            return false;
        }
        admitFirst();
        return true;
    }

    /** {@code selection} picked a peer: its admission is used. */
    void picked(Selection selection) {
        if (selection.admitted) {
            selection.admitted = false;
            admitted--;
        }
    }

    /**
     * {@code selection} gives up waiting (it timed out, or its client left). An admission it had not used passes
     * to the next in line, returned for waking.
     */
    Selection remove(Selection selection) {
        if (selection.queued) {
            selection.queued = false;
            waiting.remove(selection);
            return null;
        }
        if (selection.admitted) {
            picked(selection);
            return admitFirst();
        }
        return null;
    }
}
