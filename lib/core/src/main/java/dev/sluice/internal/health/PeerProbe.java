package dev.sluice.internal.health;

import dev.sluice.internal.http.BodyDecoder;
import dev.sluice.internal.http.BodyFraming;
import dev.sluice.internal.http.ChunkedDecoder;
import dev.sluice.internal.http.ContentLengthDecoder;
import dev.sluice.internal.http.ParseResult;
import dev.sluice.internal.http.ResponseHead;
import dev.sluice.internal.http.ResponseParser;
import dev.sluice.internal.net.ConnectHandler;
import dev.sluice.internal.net.ConnectOptions;
import dev.sluice.internal.net.EventLoop;
import dev.sluice.internal.net.IoHandler;
import dev.sluice.internal.net.PendingConnect;
import dev.sluice.internal.net.Timeout;
import dev.sluice.internal.net.Wire;
import dev.sluice.internal.tls.TlsClient;
import dev.sluice.upstream.HealthCheck;
import dev.sluice.upstream.PeerState;
import dev.sluice.upstream.ResponseMatch;
import dev.sluice.upstream.UpstreamGroup;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The active health checks of one peer, one at a time, on the checks' loop: wait out the interval, connect (or
 * take the connection the last check left open, within keepalive_time), send the check, read the response head (and
 * the body, as far as the match reads it or to its end when the connection is kept), judge it, and record the
 * verdict with the peer ({@link PeerState#recordCheck}), which turns it unhealthy or healthy after enough checks in a
 * row. One timer serves the whole cycle: the wait before a check, then the check's own time limit.
 */
final class PeerProbe implements ConnectHandler, IoHandler {

    /** Where the probe is: waiting for the next check, or in one. */
    private enum Phase { WAITING, CONNECTING, HANDSHAKING, SENDING, READING_HEAD, READING_BODY }

    /**
     * Checks fall due on a grid of this step, so that the checks of many peers share the loop's wake-ups: at 1,000
     * peers and 1 s intervals that halves the checks' CPU (HealthCheckCost), and no check waits longer than this.
     */
    private static final long BATCH_NANOS = 50_000_000;

    private final UpstreamGroup group;
    private final PeerState peer;
    private final HealthCheck check;
    private final EventLoop loop;
    private final HealthChecker checker;
    /** How the group's routes speak TLS to the peer, which the checks speak too; null for plain HTTP. */
    private final TlsClient tls;
    private final SocketAddress address;
    private final ConnectOptions options;
    private final Timeout timer;
    private final byte[] request;
    private final ResponseParser parser = new ResponseParser();
    private final ContentLengthDecoder lengthDecoder = new ContentLengthDecoder();
    private final ChunkedDecoder chunkedDecoder = new ChunkedDecoder();
    private final StringBuilder body = new StringBuilder();

    private Phase phase = Phase.WAITING;
    private PendingConnect pending;
    private SelectionKey key;
    private Wire wire;
    private long connectedAt;
    /** Whether the current check runs on a connection an earlier check left open. */
    private boolean reused;
    private boolean responseStarted;
    private ByteBuffer out;
    private ByteBuffer in;
    private ResponseHead head;
    private BodyDecoder decoder;

    PeerProbe(UpstreamGroup group, PeerState peer, TlsClient tls, EventLoop loop, HealthChecker checker) {
        this.group = group;
        this.peer = peer;
        this.check = group.healthCheck();
        this.loop = loop;
        this.checker = checker;
        this.tls = tls;
        this.address = checkedAddress(peer.address(), check.port());
        this.options = ConnectOptions.defaults().withConnectTimeout(check.timeout());
        this.timer = loop.newTimeout(this::onTimer);
        this.request = ("GET " + check.uri() + " HTTP/1.1\r\nHost: " + group.name()
                + "\r\nUser-Agent: sluice-health-check\r\n" + (keepsConnections() ? "" : "Connection: close\r\n")
                + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    private static SocketAddress checkedAddress(SocketAddress address, int port) {
        if (port == 0 || !(address instanceof InetSocketAddress)) {
            return address;
        }
        return new InetSocketAddress(((InetSocketAddress) address).getAddress(), port);
    }

    private boolean keepsConnections() {
        return !check.keepaliveTime().isZero();
    }

    /** Starts a check now; the next one follows an interval after its verdict. On the loop. */
    void start() {
        parser.reset(false);
        head = null;
        decoder = null;
        body.setLength(0);
        timer.schedule(check.timeout().toNanos());
        if (key != null && loop.nanoTime() - connectedAt < check.keepaliveTime().toNanos()) {
            reused = true;
            sendRequest();
        } else {
            close();
            connect();
        }
    }

    private void connect() {
        reused = false;
        phase = Phase.CONNECTING;
        pending = loop.connect(address, options, this);
    }

    @Override
    public void onConnected(SelectionKey key) throws IOException {
        pending = null;
        if (phase != Phase.CONNECTING) {
            key.channel().close();
            return;
        }
        this.key = key;
        key.attach(this);
        connectedAt = loop.nanoTime();
        if (in == null) {
            in = ByteBuffer.allocate(16 * 1024);
        }
        SocketChannel channel = (SocketChannel) key.channel();
        if (tls == null) {
            wire = Wire.plain(channel);
            sendRequest();
            return;
        }
        String server = peer.peer().source().isPresent() ? "" : peer.server(); // a source's line names no host
        wire = tls.open(channel, server, (InetSocketAddress) address);
        phase = Phase.HANDSHAKING;
        handshake();
    }

    /** Takes the TLS handshake as far as it goes now, within the check's timeout; once done, sends the check. */
    private void handshake() {
        Wire.Progress progress;
        try {
            progress = wire.handshake();
        } catch (IOException e) {
            verdict(false, "SSL handshake failed: " + e.getMessage());
            return;
        }
        switch (progress) {
            case DONE -> sendRequest();
            case NEED_READ -> key.interestOps(SelectionKey.OP_READ);
            default -> key.interestOps(SelectionKey.OP_WRITE);
        }
    }

    @Override
    public void onConnectFailed(IOException cause) {
        pending = null;
        if (phase == Phase.CONNECTING) {
            verdict(false, "connect failed: " + cause.getMessage());
        }
    }

    @Override
    public void onReady(int readyOps) {
        if (phase == Phase.HANDSHAKING) {
            handshake();
        } else if (phase == Phase.SENDING && (readyOps & SelectionKey.OP_WRITE) != 0) {
            send();
        } else if ((phase == Phase.READING_HEAD || phase == Phase.READING_BODY)
                && (readyOps & SelectionKey.OP_READ) != 0) {
            read();
        }
    }

    @Override
    public void onClosedByLoop(Throwable cause) {
        key = null;
        if (phase != Phase.WAITING && !loop.isShuttingDown()) {
            verdict(false, "connection failed: " + cause);
        }
    }

    private void sendRequest() {
        out = ByteBuffer.wrap(request);
        in.clear().flip();
        responseStarted = false;
        phase = Phase.SENDING;
        send();
    }

    private void send() {
        boolean flushed;
        try {
            wire.write(out);
            flushed = wire.flush();
        } catch (IOException e) {
            connectionFailed("the connection failed: " + e.getMessage());
            return;
        }
        if (out.hasRemaining() || !flushed) {
            key.interestOps(SelectionKey.OP_WRITE);
            return;
        }
        phase = Phase.READING_HEAD;
        key.interestOps(SelectionKey.OP_READ);
    }

    private void read() {
        do {
            readOnce();
        } while ((phase == Phase.READING_HEAD || phase == Phase.READING_BODY) && wire.hasBufferedInput());
    }

    /** One read and what it brings; TLS may hold more already off the socket, which {@link #read} goes on to. */
    private void readOnce() {
        in.compact();
        int n;
        try {
            n = wire.read(in);
        } catch (IOException e) {
            n = -1;
        } finally {
            in.flip();
        }
        if (n < 0 && !responseStarted) {
            connectionFailed("the connection closed before a response");
            return;
        }
        responseStarted |= n > 0;
        if (phase == Phase.READING_HEAD && !readHead(n < 0)) {
            return;
        }
        if (phase == Phase.READING_BODY) {
            readBody(n < 0);
        }
    }

    /**
     * The connection failed before any of the response came: on a connection an earlier check left open, the peer
     * closed it while it was idle, so the check goes again on a new one; else the check fails.
     */
    private void connectionFailed(String reason) {
        close();
        if (reused) {
            connect();
        } else {
            verdict(false, reason);
        }
    }

    /** Parses the head; true when the body is to be read next. */
    private boolean readHead(boolean ended) {
        for (;;) {
            ParseResult result = parser.parse(in);
            if (result == ParseResult.NEED_MORE) {
                if (ended) {
                    verdict(false, "the connection closed within the response head");
                }
                return false;
            }
            if (result == ParseResult.ERROR) {
                verdict(false, "an invalid response head: " + parser.errorReason());
                return false;
            }
            if (!parser.head().isInterim()) {
                break;
            }
            parser.nextHead();
        }
        head = parser.head();
        BodyFraming framing = head.bodyFraming();
        if (framing == BodyFraming.NONE || !check.match().needsBody() && !keepsConnections()) {
            judge(framing == BodyFraming.NONE);
            return false;
        }
        if (framing == BodyFraming.CHUNKED) {
            chunkedDecoder.reset();
            decoder = chunkedDecoder;
        } else if (framing == BodyFraming.CONTENT_LENGTH) {
            lengthDecoder.reset(head.contentLength());
            decoder = lengthDecoder;
        }
        phase = Phase.READING_BODY;
        return true;
    }

    /** Keeps the body's first bytes until it ends, the limit is reached, or the peer closes. */
    private void readBody(boolean ended) {
        if (decoder == null) {
            keep(in, in.position(), in.remaining());
            in.position(in.limit());
        } else {
            for (ParseResult r; (r = decoder.decode(in)) != ParseResult.NEED_MORE;) {
                if (r == ParseResult.ERROR) {
                    verdict(false, "an invalid response body");
                    return;
                }
                if (r == ParseResult.DONE) {
                    judge(true);
                    return;
                }
                keep(in, decoder.payloadStart(), decoder.payloadLength());
            }
        }
        if (ended || body.length() >= ResponseMatch.BODY_LIMIT) {
            judge(false);
        }
    }

    private void keep(ByteBuffer src, int from, int length) {
        int n = Math.min(length, ResponseMatch.BODY_LIMIT - body.length());
        for (int i = 0; i < n; i++) {
            body.append((char) (src.get(from + i) & 0xff));
        }
    }

    /** Judges the response; {@code whole}: it was read to its end, so its connection may serve the next check. */
    private void judge(boolean whole) {
        boolean passed = check.match().matches(head.status(), head.fields()::get, body);
        boolean keep = whole && keepsConnections() && head.isReusable() && !in.hasRemaining();
        if (!keep) {
            close();
        } else {
            key.interestOps(0);
        }
        verdict(passed, passed ? null : "the response " + head.status() + " does not match {" + check.match() + "}");
    }

    private void verdict(boolean passed, String reason) {
        if (pending != null) {
            pending.cancel();
            pending = null;
        }
        if (!passed) {
            close();
        }
        if (peer.recordCheck(passed, check.fails(), check.passes())) {
            checker.healthChanged(group, peer, reason);
        }
        phase = Phase.WAITING;
        Duration jitter = check.jitter();
        long extra = jitter.isZero() ? 0 : ThreadLocalRandom.current().nextLong(jitter.toNanos() + 1);
        long due = loop.nanoTime() + check.interval().toNanos() + extra;
        timer.scheduleAt(due + BATCH_NANOS - 1 - Math.floorMod(due - 1, BATCH_NANOS));
    }

    private void onTimer() {
        if (phase == Phase.WAITING && peer.isRemoved()) {
            close(); // the peer left its group: the checks end with it
        } else if (phase == Phase.WAITING) {
            start();
        } else {
            verdict(false, "no response within " + check.timeout().toMillis() + " ms");
        }
    }

    /** Closes the check's connection, or the connect under way. */
    private void close() {
        if (pending != null) {
            pending.cancel();
            pending = null;
        }
        if (key != null) {
            key.cancel();
            try {
                if (wire != null) {
                    wire.close();
                } else {
                    key.channel().close();
                }
            } catch (IOException ignored) {
                // closing a check's connection: nothing to do if it fails
            }
            key = null;
            wire = null;
        }
    }

    @Override
    public String toString() {
        return "health check of " + peer.name() + " in upstream " + group.name() + " " + phase;
    }
}
