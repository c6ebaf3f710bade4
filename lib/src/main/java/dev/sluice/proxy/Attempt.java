package dev.sluice.proxy;

import dev.sluice.http.BodyDecoder;
import dev.sluice.http.BodyFraming;
import dev.sluice.http.ChunkedDecoder;
import dev.sluice.http.ContentLengthDecoder;
import dev.sluice.http.HeadLimits;
import dev.sluice.http.ParseResult;
import dev.sluice.http.ResponseHead;
import dev.sluice.http.ResponseParser;
import dev.sluice.net.ConnectHandler;
import dev.sluice.net.IoHandler;
import dev.sluice.net.PendingConnect;
import dev.sluice.net.Timeout;
import dev.sluice.pool.KeepalivePool;
import dev.sluice.pool.PooledConnection;
import dev.sluice.upstream.PeerState;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;

/**
 * One attempt of an exchange on one peer: connect (or reuse a pooled connection), send the request, read the
 * response head, then relay the response body to the client. The upstream half of nginx's {@code
 * ngx_http_upstream_t}; its {@link ProxyHandler} decides what each outcome means.
 */
final class Attempt implements ConnectHandler, IoHandler {

    private enum Phase { IDLE, CONNECTING, SENDING, READING_HEAD, HEAD_READ, RELAYING, DONE }

    private static final ByteBuffer NO_BODY = ByteBuffer.allocate(0);
    private static final ByteBuffer PEEK = ByteBuffer.allocateDirect(1);

    private final ProxyHandler exchange;
    private final LoopContext loop;
    private final Timeout timer;
    private final ContentLengthDecoder lengthDecoder = new ContentLengthDecoder();
    private final ChunkedDecoder chunkedDecoder = new ChunkedDecoder();
    private final ByteBuffer[] outgoing = new ByteBuffer[2];
    private ResponseParser parser;
    private int parserLimit;

    private Phase phase = Phase.IDLE;
    private Route route;
    PeerState peer;
    PooledConnection connection;
    private KeepalivePool pool;
    private PendingConnect pending;
    private ByteBuffer in;
    private BodyDecoder decoder;
    private boolean untilClose;
    private boolean dechunk;
    private ByteBuffer dechunked;
    private boolean timerIsRead;
    /** Whether a run of body bytes is queued for the client; {@link #in}'s limit is then {@link #runEnd}'s. */
    private boolean runQueued;
    /** The limit {@link #in} had before a run was queued from it, or -1 when the run is not in {@link #in}. */
    private int savedLimit;

    /** Whether the connection came from the keepalive pool. */
    boolean reused;
    /** Whether this attempt already replaced a stale pooled connection with a fresh one. */
    boolean freshRetryUsed;
    /** Whether any request byte reached the socket ({@code request_sent}). */
    boolean requestSent;
    private boolean requestDone;
    /** Whether any response byte arrived. */
    boolean responseStarted;
    private boolean surplus;
    ResponseHead head;
    long startNanos;
    long connectNanos;
    long headerNanos;

    Attempt(ProxyHandler exchange, LoopContext loop) {
        this.exchange = exchange;
        this.loop = loop;
        this.timer = loop.eventLoop.newTimeout(this::onTimer);
    }

    /** Starts an attempt on {@code peer}: a pooled connection if one is idle, else a new one. */
    void start(Route route, PeerState peer) {
        this.route = route;
        this.peer = peer;
        this.reused = false;
        this.freshRetryUsed = false;
        this.startNanos = loop.eventLoop.nanoTime();
        this.connectNanos = -1;
        this.headerNanos = -1;
        resetExchangeState();
        pool = loop.pool(route.upstream());
        PooledConnection pooled = acquireLive();
        if (pooled != null) {
            reused = true;
            connectNanos = 0;
            use(pooled);
        } else {
            connect();
        }
    }

    /**
     * A pooled connection to the peer, or null. For a request that may not be resent, each candidate is first
     * checked for a close that arrived since the loop last looked: prevention where a retry is not allowed.
     */
    private PooledConnection acquireLive() {
        for (;;) {
            PooledConnection c = pool.acquire(peer.address());
            if (c == null || exchange.isIdempotent() || stillOpen(c)) {
                return c;
            }
            pool.closeStale(c);
        }
    }

    private static boolean stillOpen(PooledConnection c) {
        try {
            PEEK.clear();
            return c.channel().read(PEEK) == 0;
        } catch (IOException e) {
            return false;
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
        requestSent = false;
        requestDone = false;
        responseStarted = false;
        surplus = false;
        head = null;
        decoder = null;
        untilClose = false;
        dechunk = false;
        runQueued = false;
        if (parser == null || parserLimit != route.bufferSize()) {
            parserLimit = route.bufferSize();
            parser = new ResponseParser(HeadLimits.of(parserLimit, parserLimit, parserLimit));
        }
        parser.reset(exchange.isHeadRequest());
    }

    private void connect() {
        phase = Phase.CONNECTING;
        pending = loop.eventLoop.connect(peer.address(), loop.connectOptions(route), this);
    }

    @Override
    public void onConnected(SelectionKey key) {
        pending = null;
        connectNanos = loop.eventLoop.nanoTime() - startNanos;
        use(pool.register(peer.address(), key));
    }

    @Override
    public void onConnectFailed(IOException cause) {
        pending = null;
        phase = Phase.IDLE;
        exchange.attemptFailed(this, cause instanceof SocketTimeoutException ? Failure.TIMEOUT : Failure.ERROR, false);
    }

    private void use(PooledConnection c) {
        connection = c;
        c.handler(this);
        if (in == null) {
            in = loop.eventLoop.buffers().acquire();
        }
        in.clear().flip();
        outgoing[0] = exchange.upstreamHead().position(0);
        ByteBuffer body = exchange.bufferedBody();
        outgoing[1] = body == null ? NO_BODY : body.position(0);
        phase = Phase.SENDING;
        send();
    }

    private void send() {
        try {
            long written = connection.channel().write(outgoing);
            if (written > 0) {
                requestSent = true;
            }
        } catch (IOException e) {
            transportFailed(Failure.ERROR);
            return;
        }
        if (outgoing[0].hasRemaining() || outgoing[1].hasRemaining()) {
            interest(SelectionKey.OP_WRITE | SelectionKey.OP_READ);
            arm(route.sendTimeout().toNanos(), false);
            return;
        }
        requestDone = true;
        phase = Phase.READING_HEAD;
        interest(SelectionKey.OP_READ);
        arm(route.readTimeout().toNanos(), true);
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
            relay();
        }
    }

    /** The loop closed the connection under us (a handler error or shutdown). */
    @Override
    public void onClosedByLoop(Throwable cause) {
        connection = null;
        if (loop.eventLoop.isShuttingDown() && phase != Phase.DONE && phase != Phase.IDLE) {
            phase = Phase.IDLE; // the grace period ran out: our doing, not the peer's; nothing to retry or answer
            exchange.abandon();
        } else if (phase == Phase.RELAYING || phase == Phase.HEAD_READ) {
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
            headerNanos = loop.eventLoop.nanoTime() - startNanos;
            timer.cancel();
            phase = Phase.HEAD_READ;
            if (!requestDone) {
                surplus = true;
            }
            interest(0);
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
            return n;
        } catch (IOException e) {
            in.flip();
            return -1;
        }
    }

    /**
     * Relays the response body to the client; called once the client head is queued, and again whenever the
     * client drained what was written. {@code dechunkForClient} strips chunked framing for an HTTP/1.0 client.
     */
    void beginRelay(boolean dechunkForClient) {
        phase = Phase.RELAYING;
        dechunk = dechunkForClient && head.bodyFraming() == BodyFraming.CHUNKED;
        BodyFraming framing = head.bodyFraming();
        if (framing == BodyFraming.CONTENT_LENGTH) {
            lengthDecoder.reset(head.contentLength());
            decoder = lengthDecoder;
        } else if (framing == BodyFraming.CHUNKED) {
            chunkedDecoder.reset();
            decoder = chunkedDecoder;
        } else {
            decoder = null;
            untilClose = framing == BodyFraming.UNTIL_CLOSE;
        }
        relay();
    }

    /** Moves body bytes from the peer to the client until one side has to wait. */
    void relay() {
        for (;;) {
            if (!exchange.flushClient()) {
                interest(0);
                timer.cancel();
                return;
            }
            if (runQueued) {
                runQueued = false;
                if (savedLimit >= 0) {
                    in.limit(savedLimit);
                }
            }
            if (decoder == null && !untilClose || decoder != null && decoder.isDone()) {
                if (in.hasRemaining()) {
                    surplus = true;
                }
                finish();
                return;
            }
            if (!in.hasRemaining()) {
                int n = readUpstream();
                if (n < 0) {
                    if (untilClose) {
                        untilClose = false;
                        surplus = true;
                        continue;
                    }
                    phase = Phase.DONE;
                    timer.cancel();
                    exchange.responseBroken(this);
                    return;
                }
                if (n == 0) {
                    interest(SelectionKey.OP_READ);
                    arm(route.readTimeout().toNanos(), true);
                    return;
                }
            }
            if (!frameBody()) {
                phase = Phase.DONE;
                timer.cancel();
                exchange.responseBroken(this);
                return;
            }
        }
    }

    /** Queues the next run of body bytes for the client, framing and all; false when the framing is broken. */
    private boolean frameBody() {
        if (dechunk) {
            return dechunkBody();
        }
        int start = in.position();
        if (decoder != null && decoder.scan(in) == ParseResult.ERROR) {
            return false;
        }
        int end = decoder == null ? in.limit() : in.position();
        savedLimit = in.limit();
        in.position(start).limit(end);
        runQueued = true;
        exchange.queueBody(in);
        return true;
    }

    private boolean dechunkBody() {
        if (dechunked == null) {
            dechunked = ByteBuffer.allocate(in.capacity());
        }
        dechunked.clear();
        for (;;) {
            ParseResult result = decoder.decode(in);
            if (result == ParseResult.ERROR) {
                return false;
            }
            if (result != ParseResult.DATA) {
                break;
            }
            dechunked.put(dechunked.position(), in, decoder.payloadStart(), decoder.payloadLength());
            dechunked.position(dechunked.position() + decoder.payloadLength());
        }
        savedLimit = -1;
        runQueued = true;
        exchange.queueBody(dechunked.flip());
        return true;
    }

    private void finish() {
        phase = Phase.DONE;
        timer.cancel();
        exchange.responseEnded(this);
    }

    /**
     * Whether the connection may go back to the pool: the response was read to its end (or, answered without
     * relaying, has no body and nothing after its head) and both sides allow it.
     */
    boolean reusable() {
        return head != null && (phase == Phase.DONE || phase == Phase.HEAD_READ && endsWithHead())
                && head.isReusable() && requestDone && !surplus && connection != null && !exchange.isUpgrade();
    }

    /** Whether the response was over with its head, nothing after it (no body, nothing unexpected): a response
     * the exchange replaced (an intercepted error) then leaves nothing unread on the connection. */
    private boolean endsWithHead() {
        BodyFraming framing = head.bodyFraming();
        return (framing == BodyFraming.NONE || framing == BodyFraming.CONTENT_LENGTH && head.contentLength() == 0)
                && !in.hasRemaining();
    }

    /** Ends the attempt: pools the connection if {@code keep} and it is reusable, else closes it. */
    void release(boolean keep) {
        timer.cancel();
        if (pending != null) {
            pending.cancel();
            pending = null;
        }
        if (connection != null) {
            boolean pooled = keep && reusable();
            PooledConnection c = connection;
            connection = null;
            c.handler(null);
            if (pooled) {
                pool.keepAliveHeader(c, head.keepAliveTimeout(), head.keepAliveMax());
                pool.release(c);
            } else {
                pool.close(c);
            }
        }
        if (in != null) {
            loop.eventLoop.buffers().release(in);
            in = null;
        }
        phase = Phase.IDLE;
    }

    private void transportFailed(Failure failure) {
        timer.cancel();
        boolean stale = reused && !responseStarted && failure == Failure.ERROR;
        if (connection != null) {
            connection.handler(null);
            if (stale) {
                pool.closeStale(connection);
            } else {
                pool.close(connection);
            }
            connection = null;
        }
        phase = Phase.IDLE;
        exchange.attemptFailed(this, failure, stale);
    }

    private void interest(int ops) {
        SelectionKey key = connection.key();
        if (key.isValid() && key.interestOps() != ops) {
            key.interestOps(ops);
        }
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
