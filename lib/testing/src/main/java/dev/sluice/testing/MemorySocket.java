package dev.sluice.testing;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.AlreadyConnectedException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ConnectionPendingException;
import java.nio.channels.NoConnectionPendingException;
import java.nio.channels.NotYetConnectedException;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.Objects;
import java.util.Set;

/**
 * One end of an in-memory TCP connection. It behaves as Linux's loopback does where a proxy can tell: a connect to
 * no listener is refused, one to a {@linkplain MemoryNetwork#blackHole silent address} never completes; a close
 * with unread input, or with {@code SO_LINGER} 0, resets the peer; a write after the peer closed is dropped and
 * resets this end, so its next read fails; a full pipe makes a writer wait. Options are kept and otherwise ignored.
 */
final class MemorySocket extends SocketChannel {

    private enum State { UNCONNECTED, PENDING, CONNECTED, CLOSED }

    private final MemoryNetwork network;
    private final MemoryOptions options = new MemoryOptions(StandardSocketOptions.TCP_NODELAY,
            StandardSocketOptions.SO_KEEPALIVE, StandardSocketOptions.SO_LINGER, StandardSocketOptions.SO_RCVBUF,
            StandardSocketOptions.SO_SNDBUF, StandardSocketOptions.SO_REUSEADDR);
    private State state = State.UNCONNECTED;
    private MemorySocket peer;
    /** What the peer wrote; the peer's {@link #out} is this. */
    private MemoryPipe in;
    private MemoryPipe out;
    private InetSocketAddress local;
    private InetSocketAddress remote;
    private boolean inputShut;
    private boolean outputShut;

    MemorySocket(MemoryNetwork network) {
        super(network);
        this.network = network;
    }

    /** Joins two ends: {@code a} connected to {@code b}, each reading what the other writes. */
    static void pair(MemorySocket a, MemorySocket b, InetSocketAddress aAddress, InetSocketAddress bAddress) {
        MemoryPipe ab = new MemoryPipe();
        MemoryPipe ba = new MemoryPipe();
        a.out = ab;
        b.in = ab;
        b.out = ba;
        a.in = ba;
        a.peer = b;
        b.peer = a;
        a.local = aAddress;
        a.remote = bAddress;
        b.local = bAddress;
        b.remote = aAddress;
        a.state = State.CONNECTED;
        b.state = State.CONNECTED;
    }

    // ---------------------------------------------------------------- connecting

    @Override
    public boolean connect(SocketAddress address) throws IOException {
        synchronized (network.lock) {
            ensureOpen();
            if (state == State.CONNECTED) {
                throw new AlreadyConnectedException();
            }
            if (state == State.PENDING) {
                throw new ConnectionPendingException();
            }
            InetSocketAddress target = (InetSocketAddress) Objects.requireNonNull(address, "address");
            if (network.isBlackHole(target)) {
                state = State.PENDING;
                remote = target;
                return false;
            }
            MemoryServerSocket server = network.listenerAt(target);
            if (server == null) {
                throw new ConnectException("Connection refused: nothing listens on " + target + " in memory");
            }
            InetSocketAddress from = local != null ? local : network.ephemeral(target);
            MemorySocket accepted = new MemorySocket(network);
            pair(this, accepted, from, server.address());
            server.enqueue(accepted);
            network.changed();
            return true;
        }
    }

    @Override
    public boolean finishConnect() throws IOException {
        synchronized (network.lock) {
            ensureOpen();
            if (state == State.UNCONNECTED) {
                throw new NoConnectionPendingException();
            }
            return state == State.CONNECTED;
        }
    }

    @Override
    public boolean isConnected() {
        synchronized (network.lock) {
            return state == State.CONNECTED;
        }
    }

    @Override
    public boolean isConnectionPending() {
        synchronized (network.lock) {
            return state == State.PENDING;
        }
    }

    @Override
    public SocketChannel bind(SocketAddress address) throws IOException {
        synchronized (network.lock) {
            ensureOpen();
            local = (InetSocketAddress) address;
            return this;
        }
    }

    @Override
    public SocketAddress getLocalAddress() throws IOException {
        synchronized (network.lock) {
            ensureOpen();
            return local;
        }
    }

    @Override
    public SocketAddress getRemoteAddress() throws IOException {
        synchronized (network.lock) {
            ensureOpen();
            return state == State.CONNECTED ? remote : null;
        }
    }

    // ---------------------------------------------------------------- reading and writing

    @Override
    public int read(ByteBuffer dst) throws IOException {
        synchronized (network.lock) {
            for (;;) {
                ensureConnected();
                if (inputShut) {
                    return -1;
                }
                int n = in.read(dst);
                if (n != 0 || !isBlocking() || !dst.hasRemaining()) {
                    if (n > 0) {
                        network.changed(); // the writer may have room again
                    }
                    return n;
                }
                network.await();
            }
        }
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        synchronized (network.lock) {
            long total = 0;
            for (int i = offset; i < offset + length; i++) {
                if (!dsts[i].hasRemaining()) {
                    continue;
                }
                int n = read(dsts[i]);
                if (n < 0) {
                    return total == 0 ? -1 : total;
                }
                total += n;
                if (dsts[i].hasRemaining()) {
                    break;
                }
            }
            return total;
        }
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        synchronized (network.lock) {
            for (;;) {
                ensureConnected();
                if (outputShut) {
                    throw new ClosedChannelException();
                }
                if (in.isReset()) {
                    throw new SocketException("Connection reset");
                }
                if (peer.state == State.CLOSED || peer.inputShut) {
                    int n = src.remaining();
                    src.position(src.limit()); // the peer's kernel answers these bytes with a reset
                    in.reset();
                    network.changed();
                    return n;
                }
                int n = out.write(src);
                if (n > 0 || !isBlocking() || !src.hasRemaining()) {
                    network.changed();
                    return n;
                }
                network.await();
            }
        }
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        synchronized (network.lock) {
            long total = 0;
            for (int i = offset; i < offset + length; i++) {
                if (!srcs[i].hasRemaining()) {
                    continue;
                }
                total += write(srcs[i]);
                if (srcs[i].hasRemaining()) {
                    break;
                }
            }
            return total;
        }
    }

    @Override
    public SocketChannel shutdownInput() throws IOException {
        synchronized (network.lock) {
            ensureConnected();
            inputShut = true;
            network.changed();
            return this;
        }
    }

    @Override
    public SocketChannel shutdownOutput() throws IOException {
        synchronized (network.lock) {
            ensureConnected();
            outputShut = true;
            out.finish();
            network.changed();
            return this;
        }
    }

    /** The ready operations a selector sees: read, write and connect as a real socket reports them. */
    int readyOps() {
        synchronized (network.lock) {
            int ops = 0;
            if (state == State.CONNECTED) {
                if (in.readable() || inputShut) {
                    ops |= SelectionKey.OP_READ;
                }
                if (out.hasSpace() || in.isReset() || peer.state == State.CLOSED) {
                    ops |= SelectionKey.OP_WRITE;
                }
            }
            return ops;
        }
    }

    // ---------------------------------------------------------------- closing

    @Override
    protected void implCloseSelectableChannel() {
        synchronized (network.lock) {
            if (state == State.CONNECTED) {
                boolean abort = !in.isEmpty() || Integer.valueOf(0).equals(options.get(StandardSocketOptions.SO_LINGER));
                if (abort) {
                    out.reset();
                } else {
                    out.finish();
                }
            }
            state = State.CLOSED;
            network.changed();
        }
    }

    @Override
    protected void implConfigureBlocking(boolean block) {
        // blocking is read from isBlocking() by each read and write
    }

    // ---------------------------------------------------------------- options

    @Override
    public <T> SocketChannel setOption(SocketOption<T> name, T value) throws IOException {
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
    public Socket socket() {
        throw new UnsupportedOperationException("an in-memory channel has no java.net.Socket");
    }

    private void ensureOpen() throws ClosedChannelException {
        if (!isOpen() || state == State.CLOSED) {
            throw new ClosedChannelException();
        }
    }

    private void ensureConnected() throws IOException {
        ensureOpen();
        if (state != State.CONNECTED) {
            throw new NotYetConnectedException();
        }
    }

    @Override
    public String toString() {
        return "memory socket " + local + " -> " + remote + " " + state;
    }
}
