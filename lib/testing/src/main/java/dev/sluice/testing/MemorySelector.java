package dev.sluice.testing;

import java.io.IOException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.spi.AbstractSelectableChannel;
import java.nio.channels.spi.AbstractSelector;
import java.util.Collections;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A selector over the channels of one {@link MemoryNetwork}. A select waits on the network's lock until a channel
 * it watches is ready, {@link #wakeup()} is called, the network's clock moves, or its timeout passes. The timeout
 * is real time: the event loop computes it from its own clock, and a test that moves the network's clock wakes
 * every selector, so time never has to pass for a timer to fire.
 */
final class MemorySelector extends AbstractSelector {

    private final MemoryNetwork network;
    private final Set<SelectionKey> keys = new HashSet<>();
    private final Set<SelectionKey> selected = new HashSet<>();
    private final Set<SelectionKey> publicKeys = Collections.unmodifiableSet(keys);
    private boolean wakeupPending;
    /** Whether a select waits with nothing ready: the loop over this selector has nothing to do. */
    private boolean idle;

    MemorySelector(MemoryNetwork network) {
        super(network);
        this.network = network;
    }

    @Override
    protected SelectionKey register(AbstractSelectableChannel channel, int ops, Object attachment) {
        synchronized (network.lock) {
            MemoryKey key = new MemoryKey(channel, this, ops);
            key.attach(attachment);
            keys.add(key);
            network.lock.notifyAll();
            return key;
        }
    }

    @Override
    public Set<SelectionKey> keys() {
        ensureOpen();
        return publicKeys;
    }

    @Override
    public Set<SelectionKey> selectedKeys() {
        ensureOpen();
        return selected;
    }

    @Override
    public int selectNow() throws IOException {
        return select(-1);
    }

    @Override
    public int select() throws IOException {
        return select(0);
    }

    /** Waits up to {@code timeoutMillis} (0: no limit; -1 here: not at all) for a ready key. */
    @Override
    public int select(long timeoutMillis) throws IOException {
        if (timeoutMillis < -1) {
            throw new IllegalArgumentException("negative timeout: " + timeoutMillis);
        }
        synchronized (network.lock) {
            ensureOpen();
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
            begin();
            try {
                for (;;) {
                    dropCancelled();
                    int count = collectReady();
                    if (count > 0 || wakeupPending || timeoutMillis == -1 || !isOpen()) {
                        wakeupPending = false;
                        return count;
                    }
                    long left = timeoutMillis == 0 ? 0 : deadline - System.nanoTime();
                    if (timeoutMillis != 0 && left <= 0) {
                        return 0;
                    }
                    if (!idle) {
                        idle = true;
                        network.changed(); // a test waiting for the network to settle looks again
                    }
                    network.awaitNanos(timeoutMillis == 0 ? 0 : left);
                }
            } finally {
                idle = false;
                end();
            }
        }
    }

    private int collectReady() {
        int count = 0;
        for (SelectionKey k : keys) {
            MemoryKey key = (MemoryKey) k;
            if (!key.isValid()) {
                continue;
            }
            int ready = key.channelReadyOps() & key.interestOps();
            if (ready == 0) {
                continue;
            }
            if (selected.add(key)) {
                key.readyOps(ready);
                count++;
            } else if ((key.readyOps() | ready) != key.readyOps()) {
                key.readyOps(key.readyOps() | ready);
                count++;
            }
        }
        return count;
    }

    private void dropCancelled() {
        Set<SelectionKey> cancelled = cancelledKeys();
        synchronized (cancelled) {
            for (SelectionKey key : cancelled) {
                keys.remove(key);
                selected.remove(key);
                deregister((MemoryKey) key);
            }
            cancelled.clear();
        }
    }

    /** Whether the loop over this selector waits with nothing to do. Hold the network's lock. */
    boolean isIdle() {
        if (!isOpen()) {
            return true;
        }
        if (!idle || wakeupPending) {
            return false;
        }
        for (SelectionKey k : keys) {
            MemoryKey key = (MemoryKey) k;
            if (key.isValid() && (key.channelReadyOps() & key.interestOps()) != 0) {
                return false; // ready, and the loop has not looked yet
            }
        }
        return true;
    }

    /** A key's interest changed: a select waiting now looks again. */
    void interestChanged() {
        synchronized (network.lock) {
            network.lock.notifyAll();
        }
    }

    @Override
    public Selector wakeup() {
        synchronized (network.lock) {
            wakeupPending = true;
            network.lock.notifyAll();
        }
        return this;
    }

    @Override
    protected void implCloseSelector() {
        synchronized (network.lock) {
            for (SelectionKey key : keys.toArray(new SelectionKey[0])) {
                deregister((MemoryKey) key);
            }
            keys.clear();
            selected.clear();
            network.closed(this);
        }
    }

    @Override
    public String toString() {
        return "memory selector, " + keys.size() + " keys" + (idle ? ", idle" : "") + (wakeupPending ? ", woken" : "");
    }

    private void ensureOpen() {
        if (!isOpen()) {
            throw new ClosedSelectorException();
        }
    }
}
