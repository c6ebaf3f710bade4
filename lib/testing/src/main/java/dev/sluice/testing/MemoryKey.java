package dev.sluice.testing;

import java.nio.channels.CancelledKeyException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.Selector;
import java.nio.channels.spi.AbstractSelectionKey;

/** A channel's registration with a {@link MemorySelector}. */
final class MemoryKey extends AbstractSelectionKey {

    private final SelectableChannel channel;
    private final MemorySelector selector;
    private volatile int interestOps;
    private volatile int readyOps;

    MemoryKey(SelectableChannel channel, MemorySelector selector, int interestOps) {
        this.channel = channel;
        this.selector = selector;
        this.interestOps = interestOps;
    }

    @Override
    public SelectableChannel channel() {
        return channel;
    }

    @Override
    public Selector selector() {
        return selector;
    }

    @Override
    public int interestOps() {
        ensureValid();
        return interestOps;
    }

    @Override
    public MemoryKey interestOps(int ops) {
        ensureValid();
        if ((ops & ~channel.validOps()) != 0) {
            throw new IllegalArgumentException("invalid interest ops " + ops + " for " + channel);
        }
        interestOps = ops;
        selector.interestChanged();
        return this;
    }

    @Override
    public int readyOps() {
        ensureValid();
        return readyOps;
    }

    void readyOps(int ops) {
        readyOps = ops;
    }

    /** What the channel is ready for now, whatever this key's interest. */
    int channelReadyOps() {
        if (channel instanceof MemorySocket) {
            return ((MemorySocket) channel).readyOps();
        }
        if (channel instanceof MemoryServerSocket) {
            return ((MemoryServerSocket) channel).readyOps();
        }
        return 0;
    }

    private void ensureValid() {
        if (!isValid()) {
            throw new CancelledKeyException();
        }
    }
}
