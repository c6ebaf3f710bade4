package dev.sluice.testing;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.nio.channels.DatagramChannel;
import java.nio.channels.Pipe;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.AbstractSelector;
import java.nio.channels.spi.SelectorProvider;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A TCP network in memory, with its own clock, for testing a proxy with no socket and no sleep. Give it to {@code
 * ProxyServer.Builder.selectorProvider} and its {@link #ticker()} to {@code ProxyServer.Builder.ticker} (and to the
 * upstream groups' {@code ticker}); listen for upstreams with {@link #serverSocket}, connect clients with {@link
 * #socket}, and move time with {@link #advance}: every timeout of the proxy fires when the test says so.
 *
 * <pre>{@code
 * MemoryNetwork network = new MemoryNetwork();
 * ScriptedUpstream upstream = ScriptedUpstream.start(network.serverSocket("10.0.0.1:80"));
 * upstream.enqueue(Response.builder().stallForever());
 * ProxyServer proxy = ProxyServer.builder().selectorProvider(network).ticker(network.ticker())
 *         .listen("127.0.0.1:8080").route("/", r -> r.upstream(group)).start();
 * RawClient client = RawClient.over(network.socket("127.0.0.1:8080"));
 * client.send(RawClient.get("/"));
 * upstream.takeRequest(Duration.ofSeconds(5));  // the request reached the peer, which says nothing
 * network.advance(Duration.ofSeconds(61));      // proxy_read_timeout passes
 * client.readResponse().status();               // 504
 * }</pre>
 *
 * <p>Addresses are {@link InetSocketAddress}es that never touch the host's: port 0 binds an unused port, a connect
 * to an address nothing listens on is refused, one to a {@linkplain #blackHole black hole} never completes (a
 * connect timeout). Connections behave as Linux's loopback does where a proxy can tell (see {@code MemorySocket}):
 * a close with unread input resets the peer; each direction holds 64 KiB before its writer waits. Unix domain
 * sockets, datagrams and pipes are not offered. Every wait a test makes is bounded by its own timeout.
 */
public final class MemoryNetwork extends SelectorProvider {

    private static final Duration SETTLE_LIMIT = Duration.ofSeconds(5);

    /** Guards every channel, pipe and selector of this network; notified on every change. */
    final Object lock = new Object();
    private final ManualTicker ticker;
    private final Map<InetSocketAddress, MemoryServerSocket> listeners = new HashMap<>();
    private final Set<InetSocketAddress> blackHoles = new HashSet<>();
    private final Set<MemorySelector> selectors = new HashSet<>();
    private final Set<MemorySocketImpl> blockingSockets = new HashSet<>();
    private int nextPort = 40_000;

    /** A network with a clock of its own, at the {@link ManualTicker}'s start. */
    public MemoryNetwork() {
        this(new ManualTicker());
    }

    /** A network whose clock is {@code ticker}; move it with {@link #advance} so that the proxy notices. */
    public MemoryNetwork(ManualTicker ticker) {
        this.ticker = Objects.requireNonNull(ticker, "ticker");
    }

    /** This network's clock: give it to the proxy and to its upstream groups. */
    public ManualTicker ticker() {
        return ticker;
    }

    /**
     * Waits until every event loop on this network has done all it can (each waits in its selector with nothing
     * ready) and every other thread using a blocking socket of it (a {@link ScriptedUpstream}'s) waits in a read, a
     * write or an accept, at most {@code limit}: what clients and peers sent has been read and answered as far as
     * it goes, and every timer it started is armed. The calling thread's own sockets do not count.
     *
     * @throws IllegalStateException if a loop is still busy after {@code limit}, or the caller is interrupted
     */
    public MemoryNetwork settle(Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        synchronized (lock) {
            for (;;) {
                String busy = busy();
                long left = deadline - System.nanoTime();
                if (busy == null) {
                    return this;
                }
                if (left <= 0) {
                    throw new IllegalStateException("still busy after " + limit + ": " + busy);
                }
                try {
                    awaitNanos(left);
                } catch (InterruptedIOException e) {
                    throw new IllegalStateException("interrupted while the network settled", e);
                }
            }
        }
    }

    /** What keeps the network from settling, or null. Hold {@link #lock}. */
    private String busy() {
        for (MemorySelector selector : selectors) {
            if (!selector.isIdle()) {
                return "an event loop (" + selector + ")";
            }
        }
        Thread caller = Thread.currentThread();
        for (MemorySocketImpl socket : blockingSockets) {
            if (socket.isBusyFor(caller)) {
                return "a thread using " + socket;
            }
        }
        return null;
    }

    /**
     * Lets every event loop settle ({@link #settle}, up to 5 s), then moves the clock forward by {@code by} and wakes
     * every selector, so that the timers due by then fire. Settling first makes the order certain: a timer armed by
     * what the test did before is armed before the clock moves past it.
     */
    public MemoryNetwork advance(Duration by) {
        settle(SETTLE_LIMIT);
        synchronized (lock) {
            ticker.advance(by);
            for (MemorySelector selector : selectors) {
                selector.wakeup();
            }
            lock.notifyAll();
        }
        return this;
    }

    /**
     * A blocking server socket listening on {@code hostPort} ({@code "10.0.0.1:80"}, port 0 for any): a test's own
     * upstream, such as {@link ScriptedUpstream#start(ServerSocket)}.
     */
    public ServerSocket serverSocket(String hostPort) throws IOException {
        return MemorySocketImpl.listen(this, address(hostPort));
    }

    /** A blocking socket connected to {@code hostPort}, as a client's: {@link RawClient#over(Socket)} speaks on it. */
    public Socket socket(String hostPort) throws IOException {
        return MemorySocketImpl.connect(this, address(hostPort));
    }

    /** Connects to {@code hostPort} never complete from now on, as to a host that drops SYNs. */
    public MemoryNetwork blackHole(String hostPort) {
        synchronized (lock) {
            blackHoles.add(address(hostPort));
        }
        return this;
    }

    static InetSocketAddress address(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("not host:port: " + hostPort);
        }
        return new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
    }

    // ---------------------------------------------------------------- what channels ask

    boolean isBlackHole(InetSocketAddress address) {
        return blackHoles.contains(address);
    }

    /** The listener a connect to {@code address} reaches, or null: a wildcard listener serves every host. */
    MemoryServerSocket listenerAt(InetSocketAddress address) {
        MemoryServerSocket exact = listeners.get(address);
        return exact != null ? exact : listeners.get(new InetSocketAddress(address.getPort()));
    }

    /** Binds {@code server} to {@code requested}, port 0 for an unused one; the address it got. */
    InetSocketAddress listen(InetSocketAddress requested, MemoryServerSocket server) throws IOException {
        InetSocketAddress bound = requested.getPort() != 0 ? requested
                : new InetSocketAddress(requested.getAddress(), unusedPort());
        if (listeners.containsKey(bound)) {
            throw new BindException("Address already in use: " + bound + " in memory");
        }
        listeners.put(bound, server);
        return bound;
    }

    void unlisten(InetSocketAddress address, MemoryServerSocket server) {
        listeners.remove(address, server);
    }

    /** The local address of a client connecting to {@code target}: the loopback address of its family. */
    InetSocketAddress ephemeral(InetSocketAddress target) {
        return new InetSocketAddress(target.getAddress() != null && target.getAddress().getAddress().length == 16
                ? "::1" : "127.0.0.1", unusedPort());
    }

    private int unusedPort() {
        return nextPort++;
    }

    /** Something changed: every waiting select and blocking call looks again. Hold {@link #lock}. */
    void changed() {
        lock.notifyAll();
    }

    /** Waits for a change. Hold {@link #lock}. */
    void await() throws InterruptedIOException {
        awaitNanos(0);
    }

    /** Waits for a change or {@code nanos} (0: no limit). Hold {@link #lock}. */
    void awaitNanos(long nanos) throws InterruptedIOException {
        try {
            if (nanos == 0) {
                lock.wait();
            } else {
                TimeUnit.NANOSECONDS.timedWait(lock, nanos);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting in memory");
        }
    }

    void opened(MemorySocketImpl socket) {
        synchronized (lock) {
            blockingSockets.add(socket);
        }
    }

    void closed(MemorySocketImpl socket) {
        blockingSockets.remove(socket);
        lock.notifyAll();
    }

    void closed(MemorySelector selector) {
        selectors.remove(selector);
        lock.notifyAll();
    }

    // ---------------------------------------------------------------- SelectorProvider

    @Override
    public AbstractSelector openSelector() {
        synchronized (lock) {
            MemorySelector selector = new MemorySelector(this);
            selectors.add(selector);
            return selector;
        }
    }

    @Override
    public ServerSocketChannel openServerSocketChannel() {
        return new MemoryServerSocket(this);
    }

    @Override
    public SocketChannel openSocketChannel() {
        return new MemorySocket(this);
    }

    @Override
    public ServerSocketChannel openServerSocketChannel(ProtocolFamily family) {
        if (family == StandardProtocolFamily.UNIX) {
            throw new UnsupportedOperationException("no Unix domain sockets in memory");
        }
        return new MemoryServerSocket(this);
    }

    @Override
    public SocketChannel openSocketChannel(ProtocolFamily family) {
        if (family == StandardProtocolFamily.UNIX) {
            throw new UnsupportedOperationException("no Unix domain sockets in memory");
        }
        return new MemorySocket(this);
    }

    @Override
    public DatagramChannel openDatagramChannel() {
        throw new UnsupportedOperationException("no datagrams in memory");
    }

    @Override
    public DatagramChannel openDatagramChannel(ProtocolFamily family) {
        throw new UnsupportedOperationException("no datagrams in memory");
    }

    @Override
    public Pipe openPipe() {
        throw new UnsupportedOperationException("no pipes in memory");
    }
}
