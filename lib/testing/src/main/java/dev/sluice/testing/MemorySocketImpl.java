package dev.sluice.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketImpl;
import java.net.SocketOptions;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.util.HashMap;
import java.util.Map;

/**
 * Blocking {@link Socket}s and {@link ServerSocket}s over a {@link MemoryNetwork}, so that blocking test code (a
 * {@link RawClient}, a {@link ScriptedUpstream}) runs in memory unchanged: reads wait for the peer under {@code
 * SO_TIMEOUT}, {@code SO_LINGER} 0 makes a close a reset, a half-close sends end of stream.
 */
final class MemorySocketImpl extends SocketImpl {

    /** The longest a write waits for the peer to read: a test that stops reading fails instead of hanging. */
    private static final long WRITE_LIMIT_NANOS = 30_000_000_000L;

    private final MemoryNetwork network;
    private final Map<Integer, Object> options = new HashMap<>();
    private MemorySocket channel;
    private MemoryServerSocket server;
    /**
     * Whether the thread using this socket may act on the network at any moment: it is not waiting in a read, a
     * write or an accept of this socket. {@link MemoryNetwork#settle} waits for every such thread but its own.
     */
    private boolean busy;
    /** What the thread waits for while it is not busy: OP_ACCEPT, OP_READ or OP_WRITE. */
    private int waitingFor;
    private Thread user;

    private MemorySocketImpl(MemoryNetwork network, MemorySocket channel) {
        this.network = network;
        this.channel = channel;
        this.busy = channel != null; // accepted: the thread that takes it has work to do
        network.opened(this);
    }

    /** Whether a thread other than the caller may still act on this socket. Hold the network's lock. */
    boolean isBusyFor(Thread caller) {
        if (user == caller) {
            return false;
        }
        if (busy) {
            return true;
        }
        int ready = server != null ? (server.isOpen() ? server.readyOps() : 0)
                : channel == null ? 0 : channel.readyOps();
        return (ready & waitingFor) != 0; // what it waits for has come: it is about to go on
    }

    /**
     * The calling thread is about to wait in this socket: a test settling the network need not wait for it. Only
     * the change is announced, so that waiters do not wake each other in turn. Hold the lock.
     */
    private void waiting() {
        if (busy) {
            busy = false;
            network.changed();
        }
    }

    /** A client socket connected to {@code address}. */
    static Socket connect(MemoryNetwork network, InetSocketAddress address) throws IOException {
        Socket socket = new Client(new MemorySocketImpl(network, null));
        socket.connect(address);
        return socket;
    }

    /** A listening socket bound to {@code address}. */
    static ServerSocket listen(MemoryNetwork network, InetSocketAddress address) throws IOException {
        ServerSocket socket = new Server(new MemorySocketImpl(network, null), network);
        socket.bind(address);
        return socket;
    }

    /** A {@link Socket} over this implementation; its constructor is protected in the JDK. */
    private static final class Client extends Socket {
        Client(SocketImpl impl) throws SocketException {
            super(impl);
        }
    }

    /** A {@link ServerSocket} whose accepted sockets are in memory too. */
    private static final class Server extends ServerSocket {

        private final MemorySocketImpl impl;
        private final MemoryNetwork network;

        Server(MemorySocketImpl impl, MemoryNetwork network) throws IOException {
            super(impl);
            this.impl = impl;
            this.network = network;
        }

        @Override
        public Socket accept() throws IOException {
            if (isClosed()) {
                throw new SocketException("Socket is closed");
            }
            MemorySocket accepted = impl.acceptChannel();
            Socket socket = new Client(new MemorySocketImpl(network, accepted));
            socket.connect(accepted.getRemoteAddress());
            return socket;
        }
    }

    // ---------------------------------------------------------------- connecting and listening

    @Override
    protected void create(boolean stream) {
        // the channel is made by connect or bind
    }

    @Override
    protected void connect(SocketAddress address, int timeoutMillis) throws IOException {
        if (channel == null) {
            MemorySocket socket = new MemorySocket(network);
            if (!socket.connect(address)) {
                socket.close();
                throw new SocketTimeoutException("connect timed out: " + address + " is a black hole");
            }
            socket.configureBlocking(false);
            channel = socket;
        }
        InetSocketAddress remote = (InetSocketAddress) channel.getRemoteAddress();
        this.address = remote.getAddress();
        this.port = remote.getPort();
        this.localport = ((InetSocketAddress) channel.getLocalAddress()).getPort();
    }

    @Override
    protected void connect(String host, int port) throws IOException {
        connect(new InetSocketAddress(host, port), 0);
    }

    @Override
    protected void connect(InetAddress address, int port) throws IOException {
        connect(new InetSocketAddress(address, port), 0);
    }

    @Override
    protected void bind(InetAddress host, int port) throws IOException {
        server = new MemoryServerSocket(network);
        server.bind(new InetSocketAddress(host, port));
        localport = server.address().getPort();
        address = server.address().getAddress();
    }

    @Override
    protected void listen(int backlog) {
        // a memory listener queues every connect
    }

    @Override
    protected void accept(SocketImpl s) {
        throw new UnsupportedOperationException("accepted through the server socket");
    }

    MemorySocket acceptChannel() throws IOException {
        return blockUntil(SelectionKey.OP_ACCEPT, timeoutNanos(), "accept timed out", () -> {
            if (!server.isOpen()) {
                throw new SocketException("Socket closed");
            }
            server.configureBlocking(false);
            MemorySocket next = (MemorySocket) server.accept();
            if (next != null) {
                next.configureBlocking(false);
            }
            return next;
        });
    }

    // ---------------------------------------------------------------- streams

    @Override
    protected InputStream getInputStream() {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return len == 0 ? 0 : readWaiting(ByteBuffer.wrap(b, off, len));
            }

            @Override
            public int available() throws IOException {
                return MemorySocketImpl.this.available();
            }
        };
    }

    private int readWaiting(ByteBuffer dst) throws IOException {
        return blockUntil(SelectionKey.OP_READ, timeoutNanos(), "Read timed out", () -> {
            int n = channel.read(dst);
            return n == 0 ? null : n;
        });
    }

    @Override
    protected OutputStream getOutputStream() {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                ByteBuffer src = ByteBuffer.wrap(b, off, len);
                blockUntil(SelectionKey.OP_WRITE, WRITE_LIMIT_NANOS, "the peer read nothing for 30 s", () -> {
                    channel.write(src);
                    return src.hasRemaining() ? null : src;
                });
            }
        };
    }

    /** One try of a blocking operation: its result, or null when it must wait for the network to change. */
    @FunctionalInterface
    private interface Step<T> {
        T attempt() throws IOException;
    }

    /**
     * Runs {@code step} under the network's lock until it gives a result, waiting for a change between tries, for
     * at most {@code timeout} nanoseconds (0: no limit). While it waits for {@code op} (OP_ACCEPT, OP_READ or
     * OP_WRITE) and that has not come, {@link MemoryNetwork#settle} need not wait for this socket's thread.
     */
    private <T> T blockUntil(int op, long timeout, String timeoutMessage, Step<T> step) throws IOException {
        long deadline = System.nanoTime() + timeout;
        synchronized (network.lock) {
            user = Thread.currentThread();
            waitingFor = op;
            try {
                for (;;) {
                    T result = step.attempt();
                    if (result != null) {
                        return result;
                    }
                    waiting();
                    waitUntil(timeout, deadline, timeoutMessage);
                }
            } finally {
                busy = true;
            }
        }
    }

    /** Waits for a change on the network, at most until {@code deadline} unless {@code timeout} is 0 (none). */
    private void waitUntil(long timeout, long deadline, String message) throws IOException {
        if (timeout == 0) {
            network.await();
            return;
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            throw new SocketTimeoutException(message);
        }
        network.awaitNanos(left);
    }

    private long timeoutNanos() {
        Object millis = options.get(SocketOptions.SO_TIMEOUT);
        return millis == null ? 0 : ((Integer) millis) * 1_000_000L;
    }

    @Override
    protected int available() {
        return 0;
    }

    @Override
    protected void shutdownOutput() throws IOException {
        channel.shutdownOutput();
    }

    @Override
    protected void shutdownInput() throws IOException {
        channel.shutdownInput();
    }

    @Override
    protected void close() throws IOException {
        synchronized (network.lock) {
            busy = false;
            network.closed(this);
        }
        if (channel != null) {
            channel.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Override
    protected void sendUrgentData(int data) {
        throw new UnsupportedOperationException("no urgent data in memory");
    }

    @Override
    public String toString() {
        return "blocking " + (server != null ? server : channel) + (user == null ? "" : " of " + user.getName());
    }

    // ---------------------------------------------------------------- options

    @Override
    public void setOption(int optionId, Object value) throws SocketException {
        options.put(optionId, value);
        if (optionId == SocketOptions.SO_LINGER && channel != null) {
            try {
                channel.setOption(StandardSocketOptions.SO_LINGER, value instanceof Integer ? (Integer) value : -1);
            } catch (IOException e) {
                throw new SocketException(e.getMessage());
            }
        }
    }

    @Override
    public Object getOption(int optionId) {
        Object value = options.get(optionId);
        if (value == null && optionId == SocketOptions.SO_TIMEOUT) {
            return 0;
        }
        if (value == null && optionId == SocketOptions.SO_LINGER) {
            return -1;
        }
        return value == null ? Boolean.FALSE : value;
    }
}
