package dev.sluice.internal.pool;

import dev.sluice.internal.net.IoHandler;
import dev.sluice.internal.net.Wire;
import java.io.IOException;
import java.nio.channels.SelectionKey;

/**
 * One upstream connection known to a {@link KeepalivePool}, from its first request to its close: it counts the
 * requests it carried (nginx's {@code c->requests}) and its age ({@code c->start_time}), and it is the channel's
 * {@link IoHandler} for its whole life. While idle (or kept as a probe) it watches the socket itself; while in use it forwards readiness
 * to the handler set with {@link #handler(IoHandler)}, so switching owners is a field write, not a re-registration.
 *
 * <p>Use it on its loop's thread only.
 */
public final class PooledConnection {

    static final int IN_USE = 0;
    static final int IDLE = 1;
    static final int CLOSED = 2;
    /** Retired at a learned limit and kept unused to test it ({@link LimitProbes}). */
    static final int PROBE = 3;

    final KeepalivePool pool;
    final PeerIdle peer;
    final SelectionKey key;
    final Wire wire;
    final long createdNanos;
    final IdleList.Node byAge = new IdleList.Node(this);
    final IdleList.Node byPeer = new IdleList.Node(this);

    int state = IN_USE;
    int requests = 1;
    long releasedNanos;
    long idleNanosAtAcquire;
    /** Whether the peer announced no idle time at all for this connection ({@code Keep-Alive: timeout=0}). */
    boolean noIdleTime;
    IoHandler handler;
    /** While a probe: when it proves its limit wrong if the peer has not closed it, and which limit it tests. */
    long probeDeadline;
    boolean probesIdle;

    PooledConnection(KeepalivePool pool, PeerIdle peer, SelectionKey key, Wire wire, long createdNanos) {
        this.pool = pool;
        this.peer = peer;
        this.key = key;
        this.wire = wire;
        this.createdNanos = createdNanos;
        key.attach(new Dispatcher());
    }

    /** The handler that receives the channel's readiness while the connection is in use. */
    public void handler(IoHandler handler) {
        this.handler = handler;
    }

    /** The connection's bytes: its socket's own, or TLS over it. */
    public Wire wire() {
        return wire;
    }

    /** The channel's key; change its interest set as the exchange needs (it is {@code OP_READ} when acquired). */
    public SelectionKey key() {
        return key;
    }

    /** The peer this connection goes to, as given to {@link KeepalivePool#register}. */
    public Object peerKey() {
        return peer.key;
    }

    /** Requests this connection has carried, counting the current one. */
    public int requests() {
        return requests;
    }

    /**
     * Whether it came from the pool rather than from a fresh connect: nginx's {@code pc->cached}, which makes an
     * error on it a stale-connection error that earns a free retry.
     */
    public boolean isReused() {
        return requests > 1;
    }

    /** When it was registered, in the loop's {@link dev.sluice.internal.net.EventLoop#nanoTime()} units. */
    public long createdNanos() {
        return createdNanos;
    }

    /** How long it had been idle when it was last acquired (0 for a fresh connection). */
    public long idleNanosAtAcquire() {
        return idleNanosAtAcquire;
    }

    /** Whether it is still open (in use, idle, or a probe). */
    public boolean isOpen() {
        return state != CLOSED && wire.channel().isOpen();
    }

    @Override
    public String toString() {
        return "PooledConnection[" + peer.key + ", requests=" + requests + ", "
                + (state == IN_USE ? "in use" : state == IDLE ? "idle" : state == PROBE ? "probe" : "closed") + "]";
    }

    /** The key's attachment: the idle watch while idle, the exchange's handler while in use. */
    private final class Dispatcher implements IoHandler {

        @Override
        public void onReady(int readyOps) throws IOException {
            if (state == IDLE || state == PROBE) {
                pool.idleReadable(PooledConnection.this);
            } else if (handler != null) {
                handler.onReady(readyOps);
            } else {
                throw new IllegalStateException("readiness on " + PooledConnection.this + " without a handler");
            }
        }

        @Override
        public void onClosedByLoop(Throwable cause) {
            int was = state;
            pool.closedByLoop(PooledConnection.this);
            if (was == IN_USE && handler != null) {
                handler.onClosedByLoop(cause);
            }
        }

        @Override
        public String toString() {
            return PooledConnection.this.toString();
        }
    }
}
