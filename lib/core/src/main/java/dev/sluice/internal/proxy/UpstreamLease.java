package dev.sluice.internal.proxy;

import dev.sluice.internal.http.BodyFraming;
import dev.sluice.internal.http.HttpVersion;
import dev.sluice.internal.http.ResponseHead;
import dev.sluice.internal.net.ConnectHandler;
import dev.sluice.internal.net.ConnectOptions;
import dev.sluice.internal.net.Interest;
import dev.sluice.internal.net.IoHandler;
import dev.sluice.internal.net.PendingConnect;
import dev.sluice.internal.net.Wire;
import dev.sluice.internal.pool.KeepalivePool;
import dev.sluice.internal.pool.PooledConnection;
import dev.sluice.upstream.PeerState;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;

/**
 * The connection an {@link Attempt} holds to its peer: taken idle from the keepalive pool or connected anew, and
 * given back once, to the pool when the response allows it, else closed in the way that tells the pool what the
 * close means (a stale pooled connection, a close the peer announced, or a plain one).
 *
 * <p>NGINX Plus's {@code ntlm}: a connection given back <em>bound</em> stays with this client connection instead of
 * going to the pool, out of every other client's reach, until its next request takes it again or the client
 * connection closes ({@link #unbind()}).
 */
final class UpstreamLease {

    private static final ByteBuffer PEEK = ByteBuffer.allocateDirect(1);

    private final LoopContext loop;
    private KeepalivePool pool;
    private SocketAddress address;
    private PooledConnection connection;
    private PendingConnect pending;
    /** When the current connect began: a resend on a fresh connection connects later than the attempt began. */
    private long connectStartNanos;
    /** The connection bound to this client connection ({@code ntlm}), with its pool, address and peer; or null. */
    private PooledConnection bound;
    private KeepalivePool boundPool;
    private SocketAddress boundAddress;
    private PeerState boundPeer;

    UpstreamLease(LoopContext loop) {
        this.loop = loop;
    }

    /**
     * Takes an idle pooled connection to {@code address} for {@code handler}; false when there is none. For a
     * request that may not be sent again ({@code resendable} false) each candidate is first checked for a close
     * that arrived since the loop last looked: prevention where a retry is not allowed.
     */
    boolean reuse(KeepalivePool pool, SocketAddress address, boolean resendable, IoHandler handler) {
        this.pool = pool;
        this.address = address;
        if (bound != null) {
            boolean same = boundPool == pool && boundAddress.equals(address) && stillOpen(bound);
            PooledConnection c = bound;
            bound = null;
            boundPeer = null;
            if (same) {
                hold(c, handler);
                return true;
            }
            boundPool.close(c); // another peer now, or the peer closed it: its authentication is gone
        }
        for (;;) {
            PooledConnection c = pool.acquire(address);
            if (c == null) {
                return false;
            }
            if (resendable || stillOpen(c)) {
                hold(c, handler);
                return true;
            }
            pool.closeStale(c);
        }
    }

    private static boolean stillOpen(PooledConnection c) {
        try {
            PEEK.clear();
            return c.wire().read(PEEK) == 0;
        } catch (IOException e) {
            return false;
        }
    }

    /** Opens a new connection to the peer; {@code handler} hears when it is up or failed. */
    void connect(ConnectOptions options, ConnectHandler handler) {
        connectStartNanos = loop.eventLoop.nanoTime();
        pending = loop.eventLoop.connect(address, options, handler);
    }

    /**
     * The connect completed: the connection, carried by {@code wire} over the key's channel, is registered with the
     * pool and held for {@code handler}.
     */
    void connected(SelectionKey key, Wire wire, IoHandler handler) {
        pending = null;
        hold(pool.register(address, key, wire, loop.eventLoop.nanoTime() - connectStartNanos), handler);
    }

    /** When the current connect began, in the loop's clock: a TLS handshake ends within its connect timeout. */
    long connectStartNanos() {
        return connectStartNanos;
    }

    /** The connect failed: nothing is held. */
    void connectFailed() {
        pending = null;
    }

    private void hold(PooledConnection c, IoHandler handler) {
        connection = c;
        c.handler(handler);
    }

    /** Whether a connection is held. */
    boolean isHeld() {
        return connection != null;
    }

    Wire wire() {
        return connection.wire();
    }

    SelectionKey key() {
        return connection.key();
    }

    void interest(int ops) {
        Interest.set(connection.key(), ops);
    }

    /** The loop closed the connection itself (a handler error or shutdown): nothing is held any more. */
    void lostToLoop() {
        connection = null;
    }

    /**
     * Gives the connection back after a response ({@code head}, null when none came): bound to this client
     * connection for {@code bindTo} ({@code ntlm}; null for none) or to the pool when {@code reusable}, else closed;
     * a connect still under way is cancelled.
     */
    void giveBack(boolean reusable, ResponseHead head, PeerState bindTo) {
        if (pending != null) {
            pending.cancel();
            pending = null;
        }
        PooledConnection c = unhold();
        if (c == null) {
            return;
        }
        if (reusable && bindTo != null) {
            Interest.set(c.key(), 0);
            bound = c;
            boundPool = pool;
            boundAddress = address;
            boundPeer = bindTo;
        } else if (reusable) {
            pool.keepAliveHeader(c, head.keepAliveTimeout(), head.keepAliveMax());
            pool.release(c);
        } else if (peerSaidClose(head)) {
            pool.closeAnnounced(c, head.status());
        } else {
            pool.close(c);
        }
    }

    /** The peer of the connection bound to this client connection in {@code pool}'s group, or null. */
    PeerState boundPeer(KeepalivePool pool) {
        return boundPool == pool ? boundPeer : null;
    }

    /** The client connection closed: the connection bound to it closes too. */
    void unbind() {
        if (bound != null) {
            boundPool.close(bound);
            bound = null;
            boundPeer = null;
        }
    }

    /** Closes the connection after a transport failure; {@code stale}: a pooled one the peer had closed. */
    void discard(boolean stale) {
        PooledConnection c = unhold();
        if (c == null) {
            return;
        }
        if (stale) {
            pool.closeStale(c);
        } else {
            pool.close(c);
        }
    }

    private PooledConnection unhold() {
        PooledConnection c = connection;
        connection = null;
        if (c != null) {
            c.handler(null);
        }
        return c;
    }

    /**
     * Whether the peer said it closes the connection after this response: HTTP/1.1 with {@code Connection: close}
     * and a framed body (a body delimited by the close says nothing about the peer's limits).
     */
    private static boolean peerSaidClose(ResponseHead head) {
        return head != null && head.isConnectionClose() && head.version() == HttpVersion.HTTP_1_1
                && head.bodyFraming() != BodyFraming.UNTIL_CLOSE;
    }
}
