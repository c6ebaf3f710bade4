package dev.sluice.internal.proxy;

import static dev.sluice.internal.proxy.AttemptPhase.CONNECTING;
import static dev.sluice.internal.proxy.AttemptPhase.DONE;
import static dev.sluice.internal.proxy.AttemptPhase.HANDSHAKING;
import static dev.sluice.internal.proxy.AttemptPhase.HEAD_READ;
import static dev.sluice.internal.proxy.AttemptPhase.IDLE;
import static dev.sluice.internal.proxy.AttemptPhase.READING_HEAD;
import static dev.sluice.internal.proxy.AttemptPhase.RELAYING;
import static dev.sluice.internal.proxy.AttemptPhase.SENDING;
import static dev.sluice.internal.proxy.AttemptPhase.TUNNEL;

import dev.sluice.Route;
import dev.sluice.internal.http.ResponseHead;
import dev.sluice.internal.net.ConnectHandler;
import dev.sluice.internal.net.IoHandler;
import dev.sluice.internal.net.Timeout;
import dev.sluice.internal.net.Wire;
import dev.sluice.internal.tls.TlsClient;
import dev.sluice.observe.AttemptRecord;
import dev.sluice.upstream.Outcome;
import dev.sluice.upstream.PeerState;
import dev.sluice.upstream.UpstreamGroup;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One attempt of an exchange on one peer: connect (or reuse a pooled connection), send the request (its body from
 * a {@link BodySource}), read the response head; then the exchange relays the body ({@link ResponseRelay}) or the
 * upgraded connection ({@link Tunnel}) over this attempt's connection. The upstream half of nginx's {@code
 * ngx_http_upstream_t}; it reports to its exchange ({@link AttemptListener}), which decides what each outcome means.
 *
 * <p>A route that speaks TLS to its peers ({@link TlsClient}) handshakes on each new connection before the request
 * goes out, within what is left of {@code proxy_connect_timeout}, as nginx's connect timer covers its handshake; a
 * failed handshake is an upstream {@code error}.
 */
final class Attempt implements ConnectHandler, IoHandler {

    private static final Logger log = LoggerFactory.getLogger(Attempt.class);

    private final AttemptListener exchange;
    private final UpstreamRequest request;
    private final LoopContext loop;
    private final Timeout timer;
    private final UpstreamLease connection;
    private final RequestWriter writer = new RequestWriter();
    private final AttemptMeter meter = new AttemptMeter();
    private final ResponseHeadReader headReader;

    private AttemptPhase phase = IDLE;
    /** The tunnel this connection relays through once it switched protocols. */
    private Tunnel tunnel;
    private Route route;
    /** How the route speaks TLS to its peers, or null for plain HTTP. */
    private TlsClient tls;
    private PeerState peer;
    /** {@code ntlm}: whether the connection stays with the client connection after this attempt. */
    private boolean bindToClient;
    private boolean timerIsRead;

    /** Whether {@link #finish} ended this attempt (true until the first {@link #start}). */
    private boolean finished = true;
    /** Whether the connection came from the keepalive pool. */
    private boolean reused;
    /** Whether this attempt already replaced a stale pooled connection with a fresh one. */
    private boolean freshRetryUsed;
    private boolean requestDone;
    private boolean surplus;
    /** Why the attempt failed, in the words of nginx's error log; null while it has not. */
    private String error;

    Attempt(AttemptListener exchange, LoopContext loop, UpstreamRequest request) {
        this.exchange = exchange;
        this.request = request;
        this.loop = loop;
        this.timer = loop.eventLoop.newTimeout(this::onTimer);
        this.connection = new UpstreamLease(loop);
        this.headReader = new ResponseHeadReader(loop, meter);
    }

    /** Starts an attempt on {@code peer} of {@code group}: a pooled connection if one is idle, else a new one. */
    void start(Route route, UpstreamGroup group, PeerState peer, boolean bindToClient) {
        this.route = route;
        this.tls = loop.engine.tlsClient(route);
        this.peer = peer;
        this.bindToClient = bindToClient;
        this.finished = false;
        this.reused = false;
        this.freshRetryUsed = false;
        meter.start(loop.eventLoop.nanoTime());
        resetExchangeState();
        if (connection.reuse(loop.pool(group, tls), peer.address(), request.isIdempotent(), this)) {
            reused = true;
            meter.pooledConnection();
            sendRequest();
        } else {
            connect();
        }
    }

    /** Replaces a pooled connection the peer had closed with a fresh one to the same peer, once. */
    void retryOnFreshConnection() {
        freshRetryUsed = true;
        reused = false;
        resetExchangeState();
        connect();
    }

    private void resetExchangeState() {
        error = null;
        writer.clear();
        requestDone = false;
        surplus = false;
        headReader.reset(route.bufferSize(), request.isHeadMethod());
    }

    private void connect() {
        moveTo(CONNECTING);
        connection.connect(loop.connectOptions(route), this);
    }

    @Override
    public void onConnected(SelectionKey key) {
        SocketChannel channel = (SocketChannel) key.channel();
        if (tls == null) {
            meter.connected(loop.eventLoop.nanoTime());
            connection.connected(key, Wire.plain(channel), this);
            sendRequest();
            return;
        }
        String server = peer.peer().source().isPresent() ? "" : peer.server(); // a source's line names no host
        connection.connected(key, tls.open(channel, server, (InetSocketAddress) peer.address()), this);
        moveTo(HANDSHAKING);
        long left = route.connectTimeout().toNanos() - (loop.eventLoop.nanoTime() - connection.connectStartNanos());
        arm(Math.max(0, left), false);
        handshake();
    }

    /** Takes the TLS handshake as far as it goes now; once done, sends the request. */
    private void handshake() {
        Wire.Progress progress;
        try {
            progress = connection.wire().handshake();
        } catch (IOException e) {
            transportFailed(Failure.ERROR, "SSL handshake failed (" + e.getMessage() + ") while SSL handshaking to"
                    + " upstream");
            log.warn("{}, upstream: {}", error, peer.name());
            return;
        }
        switch (progress) {
            case DONE -> {
                timer.cancel();
                meter.connected(loop.eventLoop.nanoTime()); // $upstream_connect_time counts the handshake, as nginx
                sendRequest();
            }
            case NEED_READ -> connection.interest(SelectionKey.OP_READ);
            default -> connection.interest(SelectionKey.OP_WRITE);
        }
    }

    @Override
    public void onConnectFailed(IOException cause) {
        connection.connectFailed();
        moveTo(IDLE);
        boolean timedOut = cause instanceof SocketTimeoutException;
        error = timedOut ? "upstream timed out while connecting to upstream"
                : "connect() failed (" + cause.getMessage() + ") while connecting to upstream";
        exchange.attemptFailed(this, timedOut ? Failure.TIMEOUT : Failure.ERROR, false);
    }

    /** The connection is held: send the head and the body over it. */
    private void sendRequest() {
        headReader.begin();
        writer.begin(request.head(), request.body());
        moveTo(SENDING);
        send();
    }

    /**
     * Sends the head and the body until the peer or a streamed body's client has to wait; once everything went
     * out, waits for the response head.
     */
    private void send() {
        switch (writer.write(connection.wire())) {
            case SENT:
                requestDone = true;
                moveTo(READING_HEAD);
                connection.interest(SelectionKey.OP_READ);
                arm(route.readTimeout().toNanos(), true);
                exchange.requestWritten();
                break;
            case PEER_BUSY:
                connection.interest(SelectionKey.OP_WRITE | SelectionKey.OP_READ);
                arm(route.sendTimeout().toNanos(), false);
                break;
            case CLIENT_PENDING:
                connection.interest(SelectionKey.OP_READ); // an early answer may come while the client sends
                timer.cancel();
                break;
            case FAILED:
                transportFailed(Failure.ERROR, "send() failed while sending request to upstream");
                break;
            case BODY_UNREADABLE:
                exchange.bodyUnreadable(this, writer.bodyError());
                break;
            default:
                break; // stopped: the exchange ended while the client was read
        }
    }

    /** A streamed body's client sent more: go on sending if this attempt was waiting for it. */
    void bodyArrived() {
        if (phase == SENDING && writer.caughtUp()) {
            send();
        }
    }

    /** Readiness of the upstream connection while this attempt owns it. */
    @Override
    public void onReady(int ops) {
        if (phase == HANDSHAKING) {
            handshake();
            return;
        }
        if (phase == SENDING && (ops & SelectionKey.OP_READ) != 0) {
            readHead();
            if (phase != SENDING) {
                return;
            }
        }
        if (phase == SENDING && (ops & SelectionKey.OP_WRITE) != 0) {
            send();
        } else if (phase == READING_HEAD && (ops & SelectionKey.OP_READ) != 0) {
            readHead();
        } else if (phase == RELAYING && (ops & SelectionKey.OP_READ) != 0) {
            exchange.relay();
        } else if (phase == TUNNEL) {
            tunnel.ready(false, ops);
        }
    }

    /** The loop closed the connection under us (a handler error or shutdown). */
    @Override
    public void onClosedByLoop(Throwable cause) {
        connection.lostToLoop();
        if (loop.eventLoop.isShuttingDown() && phase != DONE && phase != IDLE) {
            moveTo(IDLE); // the grace period ran out: our doing, not the peer's; nothing to retry or answer
            exchange.abandon();
        } else if (phase == RELAYING || phase == HEAD_READ || phase == TUNNEL) {
            moveTo(DONE);
            exchange.responseBroken(this);
        } else if (phase != DONE && phase != IDLE) {
            moveTo(IDLE);
            exchange.attemptFailed(this, Failure.ERROR, false);
        }
    }

    private void readHead() {
        switch (headReader.read(connection.wire())) {
            case CLOSED:
                transportFailed(Failure.ERROR, "upstream prematurely closed connection while reading response header"
                        + " from upstream");
                break;
            case MORE:
                if (phase == SENDING) {
                    arm(route.readTimeout().toNanos(), true);
                } // reading the head, the deadline set when the request went out holds, as nginx's timer does
                break;
            case INVALID:
                transportFailed(Failure.INVALID_HEADER, "upstream sent invalid header while reading response header"
                        + " from upstream");
                break;
            case HEAD:
                meter.head(loop.eventLoop.nanoTime());
                timer.cancel();
                moveTo(HEAD_READ);
                surplus = !requestDone; // the peer answered before it had the whole request
                connection.interest(0);
                exchange.responseHead(this, headReader.head());
                break;
            default:
                break;
        }
    }

    /**
     * Hands the buffer the head was read into, with the bytes that followed the head, to the relay of the body,
     * which gives it back to the pool; the attempt is relaying from now on.
     */
    ByteBuffer beginRelay() {
        moveTo(RELAYING);
        return headReader.handOff();
    }

    /** Whether this attempt already replaced a stale pooled connection with a fresh one. */
    boolean freshRetryUsed() {
        return freshRetryUsed;
    }

    /**
     * Whether the peer provably never processed the request after {@code failure}: no response byte came, and it
     * never had a byte of it (refused, or a connect that timed out) or, on a reused connection, not all of it (the
     * connection broke while it was written).
     */
    boolean neverProcessed(Failure failure) {
        return !headReader.anyRead() && (!requestSent() || reused && !requestDone && failure == Failure.ERROR);
    }

    /** Whether any request byte reached the socket ({@code request_sent}): the request may then not go again. */
    boolean requestSent() {
        return writer.anySent();
    }

    /** The peer this client connection's bound connection ({@code ntlm}) goes to in {@code group}, or null. */
    PeerState boundPeer(Route route, UpstreamGroup group) {
        return connection.boundPeer(loop.pool(group, loop.engine.tlsClient(route)));
    }

    /** The client connection closed: a connection bound to it ({@code ntlm}) closes too. */
    void unbind() {
        connection.unbind();
    }

    /** What this attempt measured: its times and the bytes it read. */
    AttemptMeter meter() {
        return meter;
    }

    /** Bytes sent to the peer: NGINX Plus's {@code sent}. */
    long bytesSent() {
        return writer.sent();
    }

    /** What this attempt did, for the access log and the listeners: its peer answered {@code status}. */
    AttemptRecord record(int status, long nowNanos) {
        return meter.record(peer.name(), status, nowNanos, reused, error);
    }

    /** Whether the body is being read from this attempt's connection. */
    boolean isRelaying() {
        return phase == RELAYING;
    }

    /** The peer's connection, while the attempt has one. */
    Wire wire() {
        return connection.wire();
    }

    /** Waits for more of the body from the peer under proxy_read_timeout, or not at all while the client lags. */
    void awaitBody(boolean read) {
        if (read) {
            connection.interest(SelectionKey.OP_READ);
            arm(route.readTimeout().toNanos(), true);
        } else {
            connection.interest(0);
            timer.cancel();
        }
    }

    /** The whole body was read ({@code surplus}: and bytes after it); the connection may now be released. */
    void bodyRead(boolean surplus) {
        this.surplus |= surplus;
        meter.lastByte(loop.eventLoop.nanoTime());
        moveTo(DONE);
        timer.cancel();
    }

    /** The connection switched protocols: its readiness now goes to {@code tunnel}. */
    void beginTunnel(Tunnel tunnel) {
        this.tunnel = tunnel;
        moveTo(TUNNEL);
        timer.cancel();
    }

    /** The connection's key, for the tunnel. */
    SelectionKey key() {
        return connection.key();
    }

    /** The buffer the head was read into, holding what the peer sent after it (read mode); stays the attempt's. */
    ByteBuffer headBuffer() {
        return headReader.buffer();
    }

    /**
     * Whether the connection may go back to the pool: the response was read to its end (or, answered without
     * relaying, has no body and nothing after its head) and both sides allow it.
     */
    boolean reusable() {
        ResponseHead head = headReader.head();
        return head != null && (phase == DONE || phase == HEAD_READ && headReader.endsWithHead())
                && head.isReusable() && requestDone && !surplus && connection.isHeld() && !request.isUpgrade();
    }

    /**
     * Ends the attempt with one call: its outcome goes to the balancer and to the attempt records; then its
     * connection is pooled if {@code keep} and it is reusable, or closed. An attempt finishes once: a later call (the
     * client connection closing after the exchange) does nothing.
     */
    void finish(Outcome outcome, int status, boolean keep) {
        if (finished) {
            return;
        }
        finished = true;
        exchange.attemptFinished(this, outcome, status);
        release(keep);
    }

    /**
     * Ends the attempt for {@code why}, something on the client's side, without blaming its peer: it is recorded with
     * the status its peer {@code answered}, or 0 before an answer, and its connection closes. Does nothing once the
     * attempt finished.
     */
    void abandon(int answered, String why) {
        if (!finished) {
            error = why;
            finish(Outcome.NEUTRAL, answered, false);
        }
    }

    /** The exchange is over: the response head it read is no longer asked for, and its memory goes back. */
    void forgetHead() {
        headReader.forgetHead();
    }

    private void release(boolean keep) {
        timer.cancel();
        connection.giveBack(keep && reusable() && !peer.isLeaving(), headReader.head(), bindToClient ? peer : null);
        headReader.release();
        writer.clear();
        moveTo(IDLE);
    }

    private void transportFailed(Failure failure, String why) {
        error = why;
        timer.cancel();
        boolean stale = reused && !headReader.anyRead() && failure == Failure.ERROR;
        connection.discard(stale);
        moveTo(IDLE);
        exchange.attemptFailed(this, failure, stale);
    }

    private void moveTo(AttemptPhase next) {
        if (!phase.allows(next)) {
            throw new IllegalStateException(this + ": no move to " + next);
        }
        phase = next;
    }

    private void arm(long nanos, boolean read) {
        timerIsRead = read;
        timer.schedule(nanos);
    }

    private void onTimer() {
        if (phase == RELAYING) {
            error = "upstream timed out while reading upstream";
            moveTo(DONE);
            exchange.responseBroken(this);
        } else if (phase == HANDSHAKING) {
            transportFailed(Failure.TIMEOUT, "upstream timed out while SSL handshaking to upstream");
        } else if (phase == SENDING) {
            transportFailed(Failure.TIMEOUT, "upstream timed out while sending request to upstream");
        } else if (phase == READING_HEAD) {
            transportFailed(Failure.TIMEOUT, "upstream timed out while reading response header from upstream");
        }
    }

    @Override
    public String toString() {
        return "attempt on " + (peer == null ? "-" : peer.name()) + " " + phase + (timerIsRead ? " (read)" : "");
    }
}
