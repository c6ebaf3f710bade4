package dev.sluice.internal.proxy;

import dev.sluice.Route;
import dev.sluice.internal.http.BodyFraming;
import dev.sluice.internal.http.HeadLimits;
import dev.sluice.internal.http.ParseResult;
import dev.sluice.internal.http.ResponseHead;
import dev.sluice.internal.http.ResponseParser;
import dev.sluice.internal.net.ConnectHandler;
import dev.sluice.internal.net.IoHandler;
import dev.sluice.internal.net.Timeout;
import dev.sluice.observe.AttemptRecord;
import dev.sluice.upstream.Outcome;
import dev.sluice.upstream.PeerState;
import dev.sluice.upstream.UpstreamGroup;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/**
 * One attempt of an exchange on one peer: connect (or reuse a pooled connection), send the request (its body from
 * a {@link BodySource}), read the response head; then the exchange relays the body ({@link ResponseRelay}) or the
 * upgraded connection ({@link Tunnel}) over this attempt's connection. The upstream half of nginx's {@code
 * ngx_http_upstream_t}; its {@link Exchange} decides what each outcome means.
 */
final class Attempt implements ConnectHandler, IoHandler {

    private enum Phase { IDLE, CONNECTING, SENDING, READING_HEAD, HEAD_READ, RELAYING, TUNNEL, DONE }

    private final Exchange exchange;
    private final LoopContext loop;
    private final Timeout timer;
    private final UpstreamLease connection;
    private final RequestWriter writer = new RequestWriter();
    private ResponseParser parser;
    private int parserLimit;

    private Phase phase = Phase.IDLE;
    /** The tunnel this connection relays through once it switched protocols. */
    private Tunnel tunnel;
    private Route route;
    private PeerState peer;
    /** {@code ntlm}: whether the connection stays with the client connection after this attempt. */
    private boolean bindToClient;
    private ByteBuffer in;
    private boolean timerIsRead;

    /** Whether {@link #finish} ended this attempt (true until the first {@link #start}). */
    private boolean finished = true;
    /** Whether the connection came from the keepalive pool. */
    private boolean reused;
    /** Whether this attempt already replaced a stale pooled connection with a fresh one. */
    private boolean freshRetryUsed;
    private boolean requestDone;
    /** Whether any response byte arrived. */
    private boolean responseStarted;
    private boolean surplus;
    private ResponseHead head;
    private final AttemptMeter meter = new AttemptMeter();

    Attempt(Exchange exchange, LoopContext loop) {
        this.exchange = exchange;
        this.loop = loop;
        this.timer = loop.eventLoop.newTimeout(this::onTimer);
        this.connection = new UpstreamLease(loop);
    }

    /** Starts an attempt on {@code peer} of {@code group}: a pooled connection if one is idle, else a new one. */
    void start(Route route, UpstreamGroup group, PeerState peer, boolean bindToClient) {
        this.route = route;
        this.peer = peer;
        this.bindToClient = bindToClient;
        this.finished = false;
        this.reused = false;
        this.freshRetryUsed = false;
        meter.start(loop.eventLoop.nanoTime());
        resetExchangeState();
        if (connection.reuse(loop.pool(group), peer.address(), exchange.isIdempotent(), this)) {
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
        writer.clear();
        requestDone = false;
        responseStarted = false;
        surplus = false;
        head = null;
        if (parser == null || parserLimit != route.bufferSize()) {
            parserLimit = route.bufferSize();
            parser = new ResponseParser(HeadLimits.of(parserLimit, parserLimit, parserLimit));
        }
        parser.reset(exchange.isHeadRequest());
    }

    private void connect() {
        phase = Phase.CONNECTING;
        connection.connect(loop.connectOptions(route), this);
    }

    @Override
    public void onConnected(SelectionKey key) {
        meter.connected(loop.eventLoop.nanoTime());
        connection.connected(key, this);
        sendRequest();
    }

    @Override
    public void onConnectFailed(IOException cause) {
        connection.connectFailed();
        phase = Phase.IDLE;
        exchange.attemptFailed(this, cause instanceof SocketTimeoutException ? Failure.TIMEOUT : Failure.ERROR, false);
    }

    /** The connection is held: send the head and the body over it. */
    private void sendRequest() {
        if (in == null) {
            in = loop.eventLoop.buffers().acquire();
        }
        in.clear().flip();
        writer.begin(exchange.upstreamHead(), exchange.bodySource());
        phase = Phase.SENDING;
        send();
    }

    /**
     * Sends the head and the body until the peer or a streamed body's client has to wait; once everything went
     * out, waits for the response head.
     */
    private void send() {
        switch (writer.write(connection.channel())) {
            case SENT:
                requestDone = true;
                phase = Phase.READING_HEAD;
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
                transportFailed(Failure.ERROR);
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
        if (phase == Phase.SENDING && writer.caughtUp()) {
            send();
        }
    }

    /** Readiness of the upstream connection while this attempt owns it. */
    @Override
    public void onReady(int ops) {
        if (phase == Phase.SENDING && (ops & SelectionKey.OP_READ) != 0) {
            readHead();
            if (phase != Phase.SENDING) {
                return;
            }
        }
        if (phase == Phase.SENDING && (ops & SelectionKey.OP_WRITE) != 0) {
            send();
        } else if (phase == Phase.READING_HEAD && (ops & SelectionKey.OP_READ) != 0) {
            readHead();
        } else if (phase == Phase.RELAYING && (ops & SelectionKey.OP_READ) != 0) {
            exchange.relay();
        } else if (phase == Phase.TUNNEL) {
            tunnel.ready(false, ops);
        }
    }

    /** The loop closed the connection under us (a handler error or shutdown). */
    @Override
    public void onClosedByLoop(Throwable cause) {
        connection.lostToLoop();
        if (loop.eventLoop.isShuttingDown() && phase != Phase.DONE && phase != Phase.IDLE) {
            phase = Phase.IDLE; // the grace period ran out: our doing, not the peer's; nothing to retry or answer
            exchange.abandon();
        } else if (phase == Phase.RELAYING || phase == Phase.HEAD_READ || phase == Phase.TUNNEL) {
            phase = Phase.DONE;
            exchange.responseBroken(this);
        } else if (phase != Phase.DONE && phase != Phase.IDLE) {
            phase = Phase.IDLE;
            exchange.attemptFailed(this, Failure.ERROR, false);
        }
    }

    private void readHead() {
        int n = readUpstream();
        if (n < 0) {
            transportFailed(Failure.ERROR);
            return;
        }
        if (n == 0 && !in.hasRemaining()) {
            return;
        }
        responseStarted = true;
        for (;;) {
            ParseResult result = parser.parse(in);
            if (result == ParseResult.NEED_MORE) {
                arm(route.readTimeout().toNanos(), true);
                return;
            }
            if (result == ParseResult.ERROR) {
                transportFailed(Failure.INVALID_HEADER);
                return;
            }
            ResponseHead parsed = parser.head();
            if (parsed.isInterim()) {
                parser.nextHead();
                continue;
            }
            head = parsed;
            meter.head(loop.eventLoop.nanoTime());
            timer.cancel();
            phase = Phase.HEAD_READ;
            if (!requestDone) {
                surplus = true;
            }
            connection.interest(0);
            exchange.responseHead(this, parsed);
            return;
        }
    }

    /** Reads what the peer sent after what {@link #in} still holds; returns -1 for end of stream or an error. */
    private int readUpstream() {
        in.compact();
        try {
            int n = connection.channel().read(in);
            in.flip();
            meter.received(n);
            return n;
        } catch (IOException e) {
            in.flip();
            return -1;
        }
    }

    /**
     * Hands the buffer the head was read into, with the bytes that followed the head, to the relay of the body,
     * which gives it back to the pool; the attempt is relaying from now on.
     */
    ByteBuffer beginRelay() {
        phase = Phase.RELAYING;
        ByteBuffer headBuffer = in;
        in = null;
        return headBuffer;
    }

    /** Whether this attempt already replaced a stale pooled connection with a fresh one. */
    boolean freshRetryUsed() {
        return freshRetryUsed;
    }

    /** Whether any request byte reached the socket ({@code request_sent}): the request may then not go again. */
    boolean requestSent() {
        return writer.anySent();
    }

    /** What this attempt did, for the access log and the listeners: its peer answered {@code status}. */
    /** The peer this client connection's bound connection ({@code ntlm}) goes to in {@code group}, or null. */
    PeerState boundPeer(UpstreamGroup group) {
        return connection.boundPeer(loop.pool(group));
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

    AttemptRecord record(int status, long nowNanos) {
        return meter.record(peer.name(), status, nowNanos, reused);
    }

    /** Whether the body is being read from this attempt's connection. */
    boolean isRelaying() {
        return phase == Phase.RELAYING;
    }

    /** The peer's connection, while the attempt has one. */
    SocketChannel channel() {
        return connection.channel();
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
        phase = Phase.DONE;
        timer.cancel();
    }

    /** The connection switched protocols: its readiness now goes to {@code tunnel}. */
    void beginTunnel(Tunnel tunnel) {
        this.tunnel = tunnel;
        phase = Phase.TUNNEL;
        timer.cancel();
    }

    /** The connection's key, for the tunnel. */
    SelectionKey key() {
        return connection.key();
    }

    /** The buffer the head was read into, holding what the peer sent after it (read mode); stays the attempt's. */
    ByteBuffer headBuffer() {
        return in;
    }

    /**
     * Whether the connection may go back to the pool: the response was read to its end (or, answered without
     * relaying, has no body and nothing after its head) and both sides allow it.
     */
    boolean reusable() {
        return head != null && (phase == Phase.DONE || phase == Phase.HEAD_READ && endsWithHead())
                && head.isReusable() && requestDone && !surplus && connection.isHeld() && !exchange.isUpgrade();
    }

    /** Whether the response was over with its head, nothing after it (no body, nothing unexpected): a response
     * the exchange replaced (an intercepted error) then leaves nothing unread on the connection. */
    private boolean endsWithHead() {
        BodyFraming framing = head.bodyFraming();
        return (framing == BodyFraming.NONE || framing == BodyFraming.CONTENT_LENGTH && head.contentLength() == 0)
                && (in == null || !in.hasRemaining());
    }

    /**
     * Ends the attempt with one call: its outcome goes to the balancer and, with a status other than 0, to the
     * attempt records; then its connection is pooled if {@code keep} and it is reusable, or closed. An attempt
     * finishes once: a later call (the client connection closing after the exchange) does nothing.
     */
    void finish(Outcome outcome, int status, boolean keep) {
        if (finished) {
            return;
        }
        finished = true;
        exchange.attemptFinished(this, outcome, status);
        release(keep);
    }

    private void release(boolean keep) {
        timer.cancel();
        connection.giveBack(keep && reusable(), head, bindToClient ? peer : null);
        if (in != null) {
            loop.eventLoop.buffers().release(in);
            in = null;
        }
        writer.clear();
        phase = Phase.IDLE;
    }

    private void transportFailed(Failure failure) {
        timer.cancel();
        boolean stale = reused && !responseStarted && failure == Failure.ERROR;
        connection.discard(stale);
        phase = Phase.IDLE;
        exchange.attemptFailed(this, failure, stale);
    }

    private void arm(long nanos, boolean read) {
        timerIsRead = read;
        timer.schedule(nanos);
    }

    private void onTimer() {
        if (phase == Phase.RELAYING) {
            phase = Phase.DONE;
            exchange.responseBroken(this);
        } else if (phase == Phase.SENDING || phase == Phase.READING_HEAD) {
            transportFailed(Failure.TIMEOUT);
        }
    }

    @Override
    public String toString() {
        return "attempt on " + (peer == null ? "-" : peer.name()) + " " + phase + (timerIsRead ? " (read)" : "");
    }
}
