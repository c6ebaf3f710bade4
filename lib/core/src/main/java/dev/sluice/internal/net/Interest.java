package dev.sluice.internal.net;

import java.nio.channels.SelectionKey;

/**
 * Changes to a key's interest set that leave a cancelled key alone and skip a change that changes nothing (on
 * some selectors each change is a system call).
 */
public final class Interest {

    private Interest() {
    }

    /** The key's interest set, or 0 once it is cancelled. */
    public static int of(SelectionKey key) {
        return key.isValid() ? key.interestOps() : 0;
    }

    /** Sets the interest set to {@code ops}. */
    public static void set(SelectionKey key, int ops) {
        if (key.isValid() && key.interestOps() != ops) {
            key.interestOps(ops);
        }
    }

    /** Adds {@code ops} to the interest set. */
    public static void add(SelectionKey key, int ops) {
        set(key, of(key) | ops);
    }

    /** Takes {@code ops} out of the interest set. */
    public static void remove(SelectionKey key, int ops) {
        set(key, of(key) & ~ops);
    }
}
