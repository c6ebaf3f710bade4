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
 * The active health checks of one peer, one at a time, on the checks' loop: wait out the interval, connect, send
 * the check, read the response head (and as much of the body as the match reads), judge it, close, and record the
 * verdict with the peer ({@link PeerState#recordCheck}), which turns it unhealthy or healthy after enough checks in a
 * row. One timer serves the whole cycle: the wait before a check, then the check's own time limit.
 */
final class PeerProbe implements ConnectHandler, IoHandler {

    /** Where the probe is: waiting for the next check, or in one. */
    private enum Phase { WAITING, CONNECTING, SENDING, READING_HEAD, READING_BODY, STOPPED }

    private final UpstreamGroup group;
    private final PeerState peer;
    private final HealthCheck check;
    private final EventLoop loop;
    private final HealthChecker checker;
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
    private ByteBuffer out;
    private ByteBuffer in;
    private ResponseHead head;
    private BodyDecoder decoder;

    PeerProbe(UpstreamGroup group, PeerState peer, EventLoop loop, HealthChecker checker) {
        this.group = group;
        this.peer = peer;
        this.check = group.healthCheck();
        this.loop = loop;
        this.checker = checker;
        this.address = checkedAddress(peer.address(), check.port());
        this.options = ConnectOptions.defaults().withConnectTimeout(check.timeout());
        this.timer = loop.newTimeout(this::onTimer);
        this.request = ("GET " + check.uri() + " HTTP/1.1\r\nHost: " + group.name()
                + "\r\nUser-Agent: sluice-health-check\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    private static SocketAddress checkedAddress(SocketAddress address, int port) {
        if (port == 0 || !(address instanceof InetSocketAddress)) {
            return address;
        }
        return new InetSocketAddress(((InetSocketAddress) address).getAddress(), port);
    }

    /** Checks now, then every interval. On the loop. */
    void start() {
        begin();
    }

    /** Stops checking; a check in flight is abandoned without a verdict. On the loop. */
    void stop() {
        phase = Phase.STOPPED;
        timer.cancel();
        release();
    }

    private void begin() {
        phase = Phase.CONNECTING;
        parser.reset(false);
        head = null;
        decoder = null;
        body.setLength(0);
        timer.schedule(check.timeout().toNanos());
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
        out = ByteBuffer.wrap(request);
        in = ByteBuffer.allocate(16 * 1024).flip();
        phase = Phase.SENDING;
        send();
    }

    @Override
    public void onConnectFailed(IOException cause) {
        pending = null;
        if (phase == Phase.CONNECTING) {
            verdict(false, "connect failed: " + cause.getMessage());
        }
    }

    @Override
    public void onReady(int readyOps) throws IOException {
        if (phase == Phase.SENDING && (readyOps & SelectionKey.OP_WRITE) != 0) {
            send();
        } else if ((phase == Phase.READING_HEAD || phase == Phase.READING_BODY)
                && (readyOps & SelectionKey.OP_READ) != 0) {
            read();
        }
    }

    @Override
    public void onClosedByLoop(Throwable cause) {
        key = null;
        if (phase != Phase.STOPPED && !loop.isShuttingDown()) {
            verdict(false, "connection failed: " + cause);
        }
    }

    private void send() throws IOException {
        channel().write(out);
        if (out.hasRemaining()) {
            key.interestOps(SelectionKey.OP_WRITE);
            return;
        }
        phase = Phase.READING_HEAD;
        key.interestOps(SelectionKey.OP_READ);
    }

    private void read() throws IOException {
        in.compact();
        int n;
        try {
            n = channel().read(in);
        } finally {
            in.flip();
        }
        if (phase == Phase.READING_HEAD && !readHead(n < 0)) {
            return;
        }
        if (phase == Phase.READING_BODY) {
            readBody(n < 0);
        }
    }

    /** Parses the head; true when the body is to be read next. */
    private boolean readHead(boolean ended) {
        for (;;) {
            ParseResult result = parser.parse(in);
            if (result == ParseResult.NEED_MORE) {
                if (ended) {
                    verdict(false, "the connection closed before a response");
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
        ResponseMatch match = check.match();
        if (!match.needsBody() || head.bodyFraming() == BodyFraming.NONE) {
            judge();
            return false;
        }
        if (head.bodyFraming() == BodyFraming.CHUNKED) {
            chunkedDecoder.reset();
            decoder = chunkedDecoder;
        } else if (head.bodyFraming() == BodyFraming.CONTENT_LENGTH) {
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
                    judge();
                    return;
                }
                keep(in, decoder.payloadStart(), decoder.payloadLength());
            }
        }
        if (ended || body.length() >= ResponseMatch.BODY_LIMIT) {
            judge();
        }
    }

    private void keep(ByteBuffer src, int from, int length) {
        int n = Math.min(length, ResponseMatch.BODY_LIMIT - body.length());
        for (int i = 0; i < n; i++) {
            body.append((char) (src.get(from + i) & 0xff));
        }
    }

    private void judge() {
        boolean passed = check.match().matches(head.status(), head.fields()::get, body);
        verdict(passed, passed ? null : "the response " + head.status() + " does not match {" + check.match() + "}");
    }

    private void verdict(boolean passed, String reason) {
        release();
        if (peer.recordCheck(passed, check.fails(), check.passes())) {
            checker.healthChanged(group, peer, reason);
        }
        phase = Phase.WAITING;
        Duration jitter = check.jitter();
        long extra = jitter.isZero() ? 0 : ThreadLocalRandom.current().nextLong(jitter.toNanos() + 1);
        timer.schedule(check.interval().toNanos() + extra);
    }

    private void onTimer() {
        if (phase == Phase.WAITING) {
            begin();
        } else if (phase != Phase.STOPPED) {
            verdict(false, "no response within " + check.timeout().toMillis() + " ms");
        }
    }

    private void release() {
        if (pending != null) {
            pending.cancel();
            pending = null;
        }
        if (key != null) {
            key.cancel();
            try {
                key.channel().close();
            } catch (IOException ignored) {
                // closing a check's connection: nothing to do if it fails
            }
            key = null;
        }
        in = null;
    }

    private SocketChannel channel() {
        return (SocketChannel) key.channel();
    }

    @Override
    public String toString() {
        return "health check of " + peer.name() + " in upstream " + group.name() + " " + phase;
    }
}
