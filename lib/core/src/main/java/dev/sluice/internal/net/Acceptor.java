package dev.sluice.internal.net;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An address the group listens on ({@code listen} in nginx); create one with {@link EventLoopGroup#bind} or
 * {@link EventLoopGroup#bindReusePort}.
 *
 * <p><b>Default: one listening socket for the group.</b> One loop owns it and hands each accepted connection to the
 * next loop in turn (a task on that loop, so the connection's handler only ever runs on its own loop). The spread
 * is exactly even, which matters for the few long-lived keepalive connections a load balancer in front of a proxy
 * holds, and it works alike on every system. nginx's default is the same: one socket shared by the workers.
 *
 * <p><b>{@code reuseport}: one socket per loop</b>, each bound with {@code SO_REUSEPORT}; the Linux kernel spreads
 * new connections over them by a hash of the 4-tuple, so no hand-off, no cross-thread wakeup, but an uneven spread
 * when connections are few, and no balancing at all on macOS (hence Linux only, and opt-in as nginx's
 * {@code listen ... reuseport}). {@code AcceptStrategyMeasurement} (in the tests, the command is in its Javadoc)
 * compares the two under a storm of loopback connects that close at once. On a shared 2-core machine (2 loops,
 * 2 client threads on the same cores, load average 4 to 8), nine runs after warm-up gave the shared socket
 * 4,000–26,000 connections/s (median 11,800) and {@code reuseport} 16,000–38,000 (median 30,600), likely the cost
 * of handing every connection to another thread and waking its selector. So {@code reuseport} is the better choice
 * on Linux for many short-lived connections.
 * We kept the shared socket as the default because a keepalive proxy accepts rarely and serves long.
 *
 * <p>When {@code accept} fails (typically EMFILE/ENFILE: out of file descriptors), that socket stops listening for
 * 500 ms and tries again, as nginx disables accept events for {@code accept_mutex_delay}; a listening socket with
 * a pending connection would otherwise wake the loop at once, forever, at 100% CPU.
 */
public final class Acceptor implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Acceptor.class);

    /** nginx's {@code accept_mutex_delay}, the pause after an accept error. */
    static final long DEFAULT_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

    /** Where accepted channels come from; a seam so tests can fail it as an exhausted process would. */
    interface Source {
        SocketChannel accept(ServerSocketChannel server) throws IOException;
    }

    private final EventLoopGroup group;
    private final SocketAddress localAddress;
    private final List<Listener> listeners;
    private volatile boolean closed;

    private Acceptor(EventLoopGroup group, SocketAddress localAddress, List<Listener> listeners) {
        this.group = group;
        this.localAddress = localAddress;
        this.listeners = listeners;
    }

    /** Binds and starts accepting; called by {@link EventLoopGroup}. */
    static Acceptor open(EventLoopGroup group, SocketAddress address, int backlog, boolean reusePort,
            AcceptHandler handler, Source source, long pauseNanos) throws IOException {
        Source accept = source != null ? source : ServerSocketChannel::accept;
        List<ServerSocketChannel> sockets = new ArrayList<>();
        List<Listener> listeners = new ArrayList<>();
        try {
            if (!reusePort) {
                ServerSocketChannel socket = bound(group.loops().get(0).provider(), address, backlog, false);
                sockets.add(socket);
                listeners.add(new Listener(group.next(), socket, group.loops(), group.connections(), handler, accept,
                        pauseNanos));
            } else {
                if (!(address instanceof InetSocketAddress)) {
                    throw new IllegalArgumentException("reuseport needs a TCP address: " + address);
                }
                SocketAddress next = address;
                for (EventLoop loop : group.loops()) {
                    ServerSocketChannel socket = bound(loop.provider(), next, backlog, true);
                    sockets.add(socket);
                    next = socket.getLocalAddress(); // port 0: the others take the port the first one got
                    listeners.add(new Listener(loop, socket, List.of(loop), group.connections(), handler, accept,
                            pauseNanos));
                }
            }
            for (Listener listener : listeners) {
                listener.register();
            }
            return new Acceptor(group, sockets.get(0).getLocalAddress(), List.copyOf(listeners));
        } catch (IOException | RuntimeException e) {
            for (Listener listener : listeners) {
                listener.close();
            }
            for (ServerSocketChannel socket : sockets) {
                EventLoop.closeQuietly(socket);
            }
            throw e;
        }
    }

    private static ServerSocketChannel bound(SelectorProvider provider, SocketAddress address, int backlog,
            boolean reusePort) throws IOException {
        boolean unix = address instanceof UnixDomainSocketAddress;
        ServerSocketChannel socket = unix ? provider.openServerSocketChannel(StandardProtocolFamily.UNIX)
                : provider.openServerSocketChannel();
        try {
            if (!unix) {
                socket.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            }
            if (reusePort) {
                if (!socket.supportedOptions().contains(StandardSocketOptions.SO_REUSEPORT)) {
                    throw new UnsupportedOperationException("SO_REUSEPORT is not supported here");
                }
                socket.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            }
            try {
                socket.bind(address, backlog);
            } catch (BindException e) {
                BindException named = new BindException("cannot listen on " + address + ": " + e.getMessage());
                named.initCause(e);
                throw named;
            }
            socket.configureBlocking(false);
            return socket;
        } catch (IOException | RuntimeException e) {
            EventLoop.closeQuietly(socket);
            throw e;
        }
    }

    /** The address listened on (with the real port when bound to port 0). */
    public SocketAddress localAddress() {
        return localAddress;
    }

    /** How many listening sockets: 1, or one per loop with {@code reuseport}. */
    int listenerCount() {
        return listeners.size();
    }

    /** The loop of the first listening socket. */
    EventLoop loop() {
        return listeners.get(0).loop();
    }

    /** How many times the first listening socket paused after an accept error; on its loop. */
    long pauses() {
        return listeners.get(0).pauses();
    }

    /**
     * Stops listening and releases the sockets (and a Unix-domain socket's file, as nginx removes it on exit).
     * Connections already accepted are not touched. Any thread; idempotent; off the loops it returns once the port
     * is free (waiting at most 10 s per socket).
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        group.forget(this);
        for (Listener listener : listeners) {
            listener.close();
        }
        if (localAddress instanceof UnixDomainSocketAddress) {
            Path path = ((UnixDomainSocketAddress) localAddress).getPath();
            try {
                Files.deleteIfExists(path);
            } catch (IOException e) {
                log.warn("cannot remove the socket file {}", path, e);
            }
        }
    }

    @Override
    public String toString() {
        return "Acceptor[" + localAddress + ", " + listeners.size() + " socket(s)]";
    }
}
