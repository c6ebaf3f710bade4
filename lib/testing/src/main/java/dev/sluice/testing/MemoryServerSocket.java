package dev.sluice.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.channels.AlreadyBoundException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NotYetBoundException;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.Set;

/**
 * A listening socket of a {@link MemoryNetwork}: connects to its address queue here until accepted. Closing it
 * resets the connections it never accepted, as a real listener's backlog is reset.
 */
final class MemoryServerSocket extends ServerSocketChannel {

    private final MemoryNetwork network;
    private final MemoryOptions options =
            new MemoryOptions(StandardSocketOptions.SO_REUSEADDR, StandardSocketOptions.SO_RCVBUF);
    private final ArrayDeque<MemorySocket> backlog = new ArrayDeque<>();
    private InetSocketAddress address;

    MemoryServerSocket(MemoryNetwork network) {
        super(network);
        this.network = network;
    }

    @Override
    public ServerSocketChannel bind(SocketAddress local, int ignoredBacklog) throws IOException {
        synchronized (network.lock) {
            ensureOpen();
            if (address != null) {
                throw new AlreadyBoundException();
            }
            address = network.listen(local == null ? new InetSocketAddress("127.0.0.1", 0)
                    : (InetSocketAddress) local, this);
            return this;
        }
    }

    InetSocketAddress address() {
        return address;
    }

    /** A connect reached this listener: it waits to be accepted. */
    void enqueue(MemorySocket accepted) {
        backlog.add(accepted);
    }

    @Override
    public SocketChannel accept() throws IOException {
        synchronized (network.lock) {
            for (;;) {
                ensureOpen();
                if (address == null) {
                    throw new NotYetBoundException();
                }
                MemorySocket next = backlog.poll();
                if (next != null || !isBlocking()) {
                    return next;
                }
                network.await();
            }
        }
    }

    int readyOps() {
        synchronized (network.lock) {
            return backlog.isEmpty() ? 0 : SelectionKey.OP_ACCEPT;
        }
    }

    @Override
    protected void implCloseSelectableChannel() throws IOException {
        synchronized (network.lock) {
            if (address != null) {
                network.unlisten(address, this);
            }
            for (MemorySocket never : backlog) {
                never.setOption(StandardSocketOptions.SO_LINGER, 0);
                never.close();
            }
            backlog.clear();
            network.changed();
        }
    }

    @Override
    protected void implConfigureBlocking(boolean block) {
        // blocking is read from isBlocking() by accept
    }

    @Override
    public SocketAddress getLocalAddress() throws IOException {
        synchronized (network.lock) {
            ensureOpen();
            return address;
        }
    }

    @Override
    public <T> ServerSocketChannel setOption(SocketOption<T> name, T value) throws IOException {
        synchronized (network.lock) {
            ensureOpen();
            options.set(name, value);
            return this;
        }
    }

    @Override
    public <T> T getOption(SocketOption<T> name) throws IOException {
        synchronized (network.lock) {
            ensureOpen();
            return options.get(name);
        }
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return options.supported();
    }

    @Override
    public ServerSocket socket() {
        throw new UnsupportedOperationException("an in-memory channel has no java.net.ServerSocket");
    }

    private void ensureOpen() throws ClosedChannelException {
        if (!isOpen()) {
            throw new ClosedChannelException();
        }
    }

    @Override
    public String toString() {
        return "memory listener " + address;
    }
}
