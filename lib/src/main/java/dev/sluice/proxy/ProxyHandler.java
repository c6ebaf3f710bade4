package dev.sluice.proxy;

import dev.sluice.http.BodyDecoder;
import dev.sluice.http.BodyFraming;
import dev.sluice.http.ChunkedDecoder;
import dev.sluice.http.ContentLengthDecoder;
import dev.sluice.http.HeadLimits;
import dev.sluice.http.HeadWriter;
import dev.sluice.http.HttpFields;
import dev.sluice.http.HttpStatus;
import dev.sluice.http.HttpVersion;
import dev.sluice.http.ParseResult;
import dev.sluice.http.RequestHead;
import dev.sluice.http.RequestParser;
import dev.sluice.http.ResponseHead;
import dev.sluice.http.TargetForm;
import dev.sluice.net.Drainable;
import dev.sluice.net.IoHandler;
import dev.sluice.net.Timeout;
import dev.sluice.observe.AttemptRecord;
import dev.sluice.observe.ExchangeRecord;
import dev.sluice.upstream.Outcome;
import dev.sluice.upstream.PeerState;
import dev.sluice.upstream.Selection;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * One client connection and the exchanges on it, one at a time and in order: read a request head (and its body,
 * with request buffering), pick a peer, run {@link Attempt}s until one gives a response or the retry rules say
 * stop, relay that response, then wait for the next request. nginx's {@code ngx_http_request_t} together with
 * the decisions of {@code ngx_http_upstream_next}.
 *
 * <p>Instances are created by the proxy for each accepted connection and live on that connection's event loop.
 */
public final class ProxyHandler implements IoHandler, ValueTemplate.Variables {

    private enum State { READ_HEAD, READ_BODY, UPSTREAM, RESPOND, LINGER, CLOSED }

    private enum Wait { NONE, HEADER, BODY, SEND, KEEPALIVE, LINGER }

    private static final byte[] CONTINUE = "HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private final LoopContext loop;
    private final SocketChannel channel;
    private final SelectionKey key;
    private final Timeout timer;
    private final RequestParser parser;
    private final Attempt attempt;
    private final Map<Object, Selection> selections = new IdentityHashMap<>(4);
    private final StringBuilder scratch = new StringBuilder(64);
    private final ByteBuffer[] toClient = new ByteBuffer[2];
    private final String remoteAddress;
    private final String remotePort;
    private final byte[] remoteBytes;
    private final String localPort;
    private final long acceptedNanos;

    private State state = State.READ_HEAD;
    private Wait waiting = Wait.NONE;
    private ByteBuffer in;
    private ByteBuffer out;
    private ByteBuffer body;
    private ByteBuffer upstreamHead;
    private byte[] keyBytes = new byte[64];
    private int requests;
    private boolean clientClosedInput;
    /** Whether a write to the client failed: with proxy_ignore_client_abort on, the response is then dropped. */
    private boolean clientGone;
    /** Whether a byte of the next request head arrived: a timeout then answers 408 rather than closing quietly. */
    private boolean headStarted;
    private long lingerUntil;

    private RequestHead request;
    private Route route;
    private Selection selection;
    private BodyDecoder bodyDecoder;
    private final ContentLengthDecoder lengthDecoder = new ContentLengthDecoder();
    private final ChunkedDecoder chunkedDecoder = new ChunkedDecoder();
    private boolean idempotent;
    private boolean keepAlive;
    private boolean headerSent;
    private boolean upgrade;
    private long exchangeStartNanos;
    private long firstAttemptNanos;
    private int status;
    private long bodyBytesSent;
    private List<AttemptRecord> attemptRecords;

    ProxyHandler(LoopContext loop, SocketChannel channel) throws IOException {
        this.loop = loop;
        this.channel = channel;
        this.acceptedNanos = loop.eventLoop.nanoTime();
        ClientLimits limits = loop.engine.limits;
        this.parser = new RequestParser(HeadLimits.of(limits.maxRequestLine(), limits.maxRequestLine(), limits.maxHeaderSize()));
        this.timer = loop.eventLoop.newTimeout(this::onTimer);
        this.attempt = new Attempt(this, loop);
        SocketAddress remote = channel.getRemoteAddress();
        if (remote instanceof InetSocketAddress) {
            InetSocketAddress inet = (InetSocketAddress) remote;
            InetAddress address = inet.getAddress();
            this.remoteAddress = address.getHostAddress();
            this.remotePort = Integer.toString(inet.getPort());
            this.remoteBytes = address.getAddress();
        } else {
            this.remoteAddress = "unix:";
            this.remotePort = "";
            this.remoteBytes = new byte[0];
        }
        SocketAddress local = channel.getLocalAddress();
        this.localPort = local instanceof InetSocketAddress ? Integer.toString(((InetSocketAddress) local).getPort()) : "";
        this.in = loop.eventLoop.buffers().acquire();
        in.clear().flip();
        this.out = ByteBuffer.allocate(4096);
        this.key = loop.eventLoop.register(channel, SelectionKey.OP_READ, this);
        loop.opened(this);
        wait(Wait.HEADER, limits.headerTimeout().toNanos());
    }

    // ---------------------------------------------------------------- client events

    @Override
    public void onReady(int readyOps) {
        if ((readyOps & SelectionKey.OP_WRITE) != 0) {
            onClientWritable();
        }
        if ((readyOps & SelectionKey.OP_READ) != 0 && state != State.CLOSED) {
            onClientReadable();
        }
    }

    @Override
    public void onClosedByLoop(Throwable cause) {
        state = State.CLOSED;
        attempt.release(false);
        reportIfSelected(Outcome.NEUTRAL);
        release();
    }

    private void onClientReadable() {
        switch (state) {
            case READ_HEAD:
                if (readClient() < 0) {
                    close();
                    return;
                }
                parseHead();
                break;
            case READ_BODY:
                if (readClient() < 0) {
                    close();
                    return;
                }
                readBody();
                break;
            case UPSTREAM:
            case RESPOND:
                watchForAbort();
                break;
            case LINGER:
                linger();
                break;
            default:
                break;
        }
    }

    private void onClientWritable() {
        if (state == State.UPSTREAM && headerSent) {
            attempt.relay();
        } else if (state == State.RESPOND || state == State.UPSTREAM || state == State.LINGER
                || state == State.READ_BODY) {
            if (flushClient()) {
                afterLocalResponse();
            }
        }
    }

    /** Reads client bytes after those {@link #in} still holds; -1 at end of stream or on an error. */
    private int readClient() {
        if (in.limit() == in.capacity() && in.position() == 0) {
            return 0;
        }
        in.compact();
        try {
            int n = channel.read(in);
            in.flip();
            return n;
        } catch (IOException e) {
            in.flip();
            return -1;
        }
    }

    /** While an exchange runs: notices a client that went away ({@code proxy_ignore_client_abort off}). */
    private void watchForAbort() {
        int n = readClient();
        if (n < 0) {
            clientClosedInput = true;
            interest(interestOps() & ~SelectionKey.OP_READ);
            if (!route.ignoreClientAbort() && state == State.UPSTREAM) {
                status = 499;
                attempt.release(false);
                reportIfSelected(Outcome.NEUTRAL);
                endExchange();
                close();
            }
        } else if (in.limit() == in.capacity()) {
            interest(interestOps() & ~SelectionKey.OP_READ);
        }
    }

    // ---------------------------------------------------------------- request

    private void parseHead() {
        if (!in.hasRemaining()) {
            return;
        }
        if (waiting == Wait.KEEPALIVE) {
            wait(Wait.HEADER, loop.engine.limits.headerTimeout().toNanos());
        }
        headStarted = true;
        ParseResult result = parser.parse(in);
        if (result == ParseResult.NEED_MORE) {
            return;
        }
        if (result == ParseResult.ERROR) {
            exchangeStartNanos = loop.eventLoop.nanoTime();
            request = null;
            respond(parser.errorStatus(), null, true);
            return;
        }
        startExchange(parser.head());
    }

    private void startExchange(RequestHead head) {
        request = head;
        requests++;
        exchangeStartNanos = loop.eventLoop.nanoTime();
        status = 0;
        bodyBytesSent = 0;
        headerSent = false;
        attemptRecords = loop.engine.listeners.isEmpty() ? null : new ArrayList<>(2);
        idempotent = head.isIdempotent() || head.fields().contains("Idempotency-Key");
        upgrade = false;
        keepAlive = head.isKeepAlive() && requests < loop.engine.limits.keepaliveRequests()
                && !loop.eventLoop.isShuttingDown() && !loop.engine.limits.keepaliveTimeout().isZero();
        route = loop.engine.route(head.target());
        if (route == null) {
            respond(HttpStatus.NOT_FOUND, null, !head.hasBody() ? !keepAlive : true);
            return;
        }
        long max = loop.engine.limits.maxBodySize();
        if (max > 0 && head.contentLength() > max) {
            respond(HttpStatus.CONTENT_TOO_LARGE, null, true);
            return;
        }
        if (!head.hasBody()) {
            body = null;
            beginUpstream();
            return;
        }
        if (head.bodyFraming() == BodyFraming.CHUNKED) {
            chunkedDecoder.reset();
            bodyDecoder = chunkedDecoder;
        } else {
            lengthDecoder.reset(head.contentLength());
            bodyDecoder = lengthDecoder;
        }
        // Reserve the declared length only up to 1 MiB: the buffer grows as bytes arrive, so a length a client
        // merely claims (client_max_body_size 0) cannot make the loop allocate beyond what the VM allows.
        int expected = head.bodyFraming() == BodyFraming.CONTENT_LENGTH
                ? (int) Math.min(head.contentLength(), 1 << 20) : 8192;
        body = body == null || body.capacity() < expected ? ByteBuffer.allocate(Math.max(expected, 1024)) : body.clear();
        state = State.READ_BODY;
        if (head.expectsContinue() && in.remaining() == 0) {
            out.clear();
            out.put(CONTINUE).flip();
            toClient[0] = out;
            toClient[1] = null;
            flushClient();
        }
        wait(Wait.BODY, loop.engine.limits.bodyTimeout().toNanos());
        readBody();
    }

    /** Buffers the request body ({@code proxy_request_buffering on}), framing kept, up to client_max_body_size. */
    private void readBody() {
        for (;;) {
            int start = in.position();
            ParseResult result = bodyDecoder.scan(in);
            if (result == ParseResult.ERROR) {
                respond(HttpStatus.BAD_REQUEST, null, true);
                return;
            }
            int length = in.position() - start;
            if (length > 0) {
                if (chunkedBodyTooLarge()) {
                    respond(HttpStatus.CONTENT_TOO_LARGE, null, true);
                    return;
                }
                if (body.remaining() < length) {
                    body = ByteBuffer.allocate(Math.max(body.capacity() * 2, body.position() + length)).put(body.flip());
                }
                body.put(body.position(), in, start, length).position(body.position() + length);
                wait(Wait.BODY, loop.engine.limits.bodyTimeout().toNanos());
            }
            if (result == ParseResult.DONE) {
                if (trailersOverrideHead()) {
                    respond(HttpStatus.BAD_REQUEST, null, true);
                    return;
                }
                body.flip();
                beginUpstream();
                return;
            }
            int n = readClient();
            if (n < 0) {
                close();
                return;
            }
            if (n == 0) {
                return;
            }
        }
    }

    /**
     * Whether a chunked body's trailers hold a field only a head may carry. The body goes to the upstream with its
     * framing intact, and an upstream that merges trailers into the head (as some servers have) would then read
     * another length or host than the proxy did.
     */
    private boolean trailersOverrideHead() {
        if (bodyDecoder != chunkedDecoder) {
            return false;
        }
        HttpFields trailers = chunkedDecoder.trailers();
        return trailers.contains("Content-Length") || trailers.contains("Transfer-Encoding") || trailers.contains("Host");
    }

    /**
     * Whether a chunked body broke client_max_body_size, which counts payload bytes as nginx does (a declared
     * Content-Length was checked with the head). The framing kept for the upstream may add as much again as the
     * limit, at least 64 KiB, so a body of tiny chunks cannot grow the buffer without bound.
     */
    private boolean chunkedBodyTooLarge() {
        long max = loop.engine.limits.maxBodySize();
        if (max <= 0 || bodyDecoder != chunkedDecoder) {
            return false;
        }
        long payload = chunkedDecoder.payloadBytes();
        return payload > max || chunkedDecoder.messageBytes() - payload > Math.max(max, 65536);
    }

    // ---------------------------------------------------------------- upstream

    private void beginUpstream() {
        state = State.UPSTREAM;
        wait(Wait.NONE, 0);
        interest(SelectionKey.OP_READ);
        upgrade = request.isUpgrade();
        upstreamHead = RequestRewriter.write(request, route, this, upstreamHead, scratch);
        selection = selections.get(route.upstream());
        if (selection == null) {
            selection = route.upstream().newSelection();
            selections.put(route.upstream(), selection);
        }
        selection.reset().clientAddress(remoteBytes).maxTries(route.nextUpstream().tries());
        if (route.upstream().balancer().usesHashKey()) {
            scratch.setLength(0);
            route.hashKey().appendTo(scratch, this);
            int length = scratch.length();
            if (keyBytes.length < length) {
                keyBytes = new byte[Math.max(length, keyBytes.length * 2)];
            }
            for (int i = 0; i < length; i++) {
                keyBytes[i] = (byte) scratch.charAt(i);
            }
            selection.hashKey(keyBytes, 0, length);
        }
        firstAttemptNanos = loop.eventLoop.nanoTime();
        nextAttempt();
    }

    private void nextAttempt() {
        PeerState peer = selection.select();
        if (peer == null) {
            record(route.upstream().name(), Failure.NO_LIVE.status, -1, -1, 0, false);
            respond(Failure.NO_LIVE.status, null, !keepAlive);
            return;
        }
        attempt.start(route, peer);
    }

    /** An attempt failed before a response head: nginx's {@code ngx_http_upstream_next} for ERROR, TIMEOUT and
     * INVALID_HEADER. A stale pooled connection gets one fresh connection to the same peer, uncounted. */
    void attemptFailed(Attempt failed, Failure failure, boolean stalePooledConnection) {
        if (state != State.UPSTREAM) {
            return;
        }
        if (stalePooledConnection && idempotent && !failed.freshRetryUsed) {
            failed.retryOnFreshConnection();
            return;
        }
        selection.report(stalePooledConnection ? Outcome.NEUTRAL : Outcome.FAILURE);
        recordAttempt(failed, failure.status);
        failed.release(false);
        if (RetryPolicy.shouldRetry(failure, route.nextUpstream(), selection.triesLeft(), failed.requestSent,
                idempotent, false, headerSent, loop.eventLoop.nanoTime() - firstAttemptNanos)) {
            nextAttempt();
        } else {
            respond(failure.status, null, !keepAlive);
        }
    }

    /** The peer's response head is in: move on (a listed status), intercept it, or relay it. */
    void responseHead(Attempt current, ResponseHead head) {
        int code = head.status();
        Failure failure = Failure.ofStatus(code);
        if (failure != null && route.nextUpstream().has(failure.condition)
                && RetryPolicy.shouldRetry(failure, route.nextUpstream(), selection.triesLeft() - 1, true, idempotent,
                        false, headerSent, loop.eventLoop.nanoTime() - firstAttemptNanos)) {
            selection.report(failure.countsAgainstPeer() ? Outcome.FAILURE : Outcome.NEUTRAL);
            recordAttempt(current, code);
            current.release(false);
            nextAttempt();
            return;
        }
        if (route.interceptErrors() && code >= 300) {
            byte[] page = route.errorPages().get(code);
            if (page != null) {
                selection.report(Outcome.SUCCESS);
                recordAttempt(current, code);
                current.release(keepUpstream());
                respond(code, page, !keepAlive);
                return;
            }
        }
        status = code;
        boolean untilClose = head.bodyFraming() == BodyFraming.UNTIL_CLOSE;
        boolean dechunk = request.version() == HttpVersion.HTTP_1_0 && head.bodyFraming() == BodyFraming.CHUNKED;
        if (untilClose || dechunk || code == HttpStatus.SWITCHING_PROTOCOLS) {
            keepAlive = false;
        }
        out.clear();
        out = ResponseRewriter.write(head, request, keepAlive, out);
        out.flip();
        toClient[0] = out;
        toClient[1] = null;
        headerSent = true;
        wait(Wait.NONE, 0);
        current.beginRelay(dechunk);
    }

    /** The response was relayed to its end. */
    void responseEnded(Attempt current) {
        selection.report(Outcome.SUCCESS);
        recordAttempt(current, status);
        current.release(keepUpstream());
        endExchange();
        nextRequest();
    }

    private boolean keepUpstream() {
        return route.upstream().keepalive().idle() > 0;
    }

    /** The loop shuts down under the exchange: close the client as the loop would, without blaming the peer. */
    void abandon() {
        reportIfSelected(Outcome.NEUTRAL);
        close();
    }

    /** The response broke after its head went to the client: nothing to retry, the client sees a cut response. */
    void responseBroken(Attempt current) {
        selection.report(Outcome.SUCCESS);
        recordAttempt(current, status);
        current.release(false);
        endExchange();
        close();
    }

    /** Queues a run of body bytes for the client, after any head still queued. */
    void queueBody(ByteBuffer run) {
        bodyBytesSent += run.remaining();
        toClient[1] = run;
    }

    /** Writes what is queued for the client; true when everything went out, else waits for OP_WRITE. */
    boolean flushClient() {
        if (state == State.CLOSED) {
            return false;
        }
        ByteBuffer head = toClient[0];
        ByteBuffer run = toClient[1];
        boolean pending = head != null && head.hasRemaining() || run != null && run.hasRemaining();
        if (!pending) {
            return true;
        }
        if (clientGone) {
            if (head != null) {
                head.position(head.limit());
            }
            if (run != null) {
                run.position(run.limit());
            }
            return true;
        }
        try {
            if (run == null) {
                channel.write(head);
            } else if (head == null || !head.hasRemaining()) {
                channel.write(run);
            } else {
                channel.write(toClient);
            }
        } catch (IOException e) {
            return clientWriteFailed() && flushClient();
        }
        if (head != null && head.hasRemaining() || run != null && run.hasRemaining()) {
            interest(interestOps() | SelectionKey.OP_WRITE);
            wait(Wait.SEND, loop.engine.limits.sendTimeout().toNanos());
            return false;
        }
        if ((interestOps() & SelectionKey.OP_WRITE) != 0) {
            interest(interestOps() & ~SelectionKey.OP_WRITE);
        }
        if (waiting == Wait.SEND) {
            wait(Wait.NONE, 0);
        }
        return true;
    }

    /** A write to the client failed; true when the exchange goes on without the client (ignore_client_abort). */
    private boolean clientWriteFailed() {
        if (state == State.UPSTREAM) {
            if (route.ignoreClientAbort()) {
                clientClosedInput = true;
                clientGone = true;
                return true;
            }
            status = 499;
            attempt.release(false);
            reportIfSelected(Outcome.NEUTRAL);
            endExchange();
        }
        close();
        return false;
    }

    /** Whether the request may be sent again: not POST, LOCK or PATCH, or it carries an Idempotency-Key. */
    boolean isIdempotent() {
        return idempotent;
    }

    boolean isHeadRequest() {
        return request != null && request.isMethod("HEAD");
    }

    boolean isUpgrade() {
        return upgrade;
    }

    ByteBuffer upstreamHead() {
        return upstreamHead;
    }

    ByteBuffer bufferedBody() {
        return body;
    }

    // ---------------------------------------------------------------- responses made here

    /** Sends a response of the proxy's own: an error page, or an intercepted status with its {@code error_page}. */
    private void respond(int code, byte[] page, boolean closeAfter) {
        status = code;
        state = State.RESPOND;
        wait(Wait.NONE, 0);
        boolean close = closeAfter || !keepAlive || request == null;
        keepAlive = !close;
        out.clear();
        if (page == null) {
            int size = HeadWriter.errorPageLength(code) + 160;
            if (out.capacity() < size) {
                out = ByteBuffer.allocate(size);
            }
            HeadWriter.errorResponse(out, code, !close);
            out.flip();
            if (isHeadRequest()) {
                out.limit(indexOfHeadEnd(out));
            }
        } else {
            int size = page.length + 200;
            if (out.capacity() < size) {
                out = ByteBuffer.allocate(size);
            }
            HeadWriter.statusLine(out, code);
            HeadWriter.field(out, "Content-Type", "text/html");
            HeadWriter.field(out, "Content-Length", page.length);
            HeadWriter.field(out, "Connection", close ? "close" : "keep-alive");
            HeadWriter.endHead(out);
            if (!isHeadRequest()) {
                out.put(page);
            }
            out.flip();
        }
        bodyBytesSent = out.remaining();
        toClient[0] = out;
        toClient[1] = null;
        headerSent = true;
        if (flushClient()) {
            afterLocalResponse();
        }
    }

    private static int indexOfHeadEnd(ByteBuffer b) {
        for (int i = 3; i < b.limit(); i++) {
            if (b.get(i) == '\n' && b.get(i - 1) == '\r' && b.get(i - 2) == '\n' && b.get(i - 3) == '\r') {
                return i + 1;
            }
        }
        return b.limit();
    }

    private void afterLocalResponse() {
        if (state == State.LINGER) {
            return;
        }
        if (state != State.RESPOND) {
            return;
        }
        endExchange();
        if (keepAlive) {
            nextRequest();
        } else {
            lingeringClose();
        }
    }

    // ---------------------------------------------------------------- end of an exchange

    private void endExchange() {
        if (request == null && status == 0) {
            return;
        }
        if (!loop.engine.listeners.isEmpty()) {
            ExchangeRecord record = new ExchangeRecord(remoteAddress,
                    request == null ? "-" : request.method(), request == null ? "-" : request.target(),
                    request == null ? "-" : request.version().text(), status, bodyBytesSent,
                    loop.eventLoop.nanoTime() - exchangeStartNanos,
                    attemptRecords == null ? List.of() : List.copyOf(attemptRecords));
            loop.engine.exchangeEnded(record);
        }
        selection = null;
    }

    private void nextRequest() {
        if (!keepAlive || state == State.CLOSED) {
            close();
            return;
        }
        state = State.READ_HEAD;
        request = null;
        route = null;
        parser.reset();
        headStarted = false;
        toClient[0] = null;
        toClient[1] = null;
        if (clientClosedInput || clientGone) {
            close();
            return;
        }
        interest(SelectionKey.OP_READ);
        if (in.hasRemaining()) {
            wait(Wait.HEADER, loop.engine.limits.headerTimeout().toNanos());
            parseHead();
        } else {
            wait(Wait.KEEPALIVE, loop.engine.limits.keepaliveTimeout().toNanos());
        }
    }

    private void reportIfSelected(Outcome outcome) {
        if (selection != null && selection.current() != null) {
            selection.report(outcome);
        }
    }

    private void recordAttempt(Attempt a, int code) {
        record(a.peer.name(), code, a.connectNanos, a.headerNanos, loop.eventLoop.nanoTime() - a.startNanos, a.reused);
    }

    private void record(String address, int code, long connect, long header, long response, boolean reused) {
        if (attemptRecords == null) {
            return;
        }
        AttemptRecord record = new AttemptRecord(address, code, connect, header, response, reused);
        attemptRecords.add(record);
        loop.engine.attemptEnded(record);
    }

    // ---------------------------------------------------------------- closing

    /** Closes the way nginx's lingering close does: stop sending, read and drop what the client still sends for a
     * while, then close, so the client reads our response instead of a reset. */
    private void lingeringClose() {
        if (state == State.CLOSED) {
            return;
        }
        state = State.LINGER;
        try {
            channel.shutdownOutput();
        } catch (IOException e) {
            close();
            return;
        }
        long now = loop.eventLoop.nanoTime();
        lingerUntil = now + loop.engine.limits.lingeringTime().toNanos();
        interest(SelectionKey.OP_READ);
        wait(Wait.LINGER, loop.engine.limits.lingeringTimeout().toNanos());
        linger();
    }

    private void linger() {
        for (int i = 0; i < 16; i++) {
            in.clear();
            int n;
            try {
                n = channel.read(in);
            } catch (IOException e) {
                n = -1;
            }
            in.clear().flip();
            if (n < 0) {
                close();
                return;
            }
            if (n == 0) {
                break;
            }
        }
        long now = loop.eventLoop.nanoTime();
        if (now >= lingerUntil) {
            close();
            return;
        }
        wait(Wait.LINGER, Math.min(loop.engine.limits.lingeringTimeout().toNanos(), lingerUntil - now));
    }

    private void onTimer() {
        switch (waiting) {
            case HEADER:
            case BODY:
                waiting = Wait.NONE;
                if (state == State.READ_HEAD && !headStarted) {
                    close();
                } else {
                    if (request == null) {
                        exchangeStartNanos = loop.eventLoop.nanoTime();
                    }
                    respond(HttpStatus.REQUEST_TIMEOUT, null, true);
                }
                break;
            case SEND:
                waiting = Wait.NONE;
                if (state == State.UPSTREAM) {
                    status = status == 0 ? 499 : status;
                    attempt.release(false);
                    reportIfSelected(Outcome.NEUTRAL);
                    endExchange();
                }
                close();
                break;
            case KEEPALIVE:
            case LINGER:
                waiting = Wait.NONE;
                close();
                break;
            default:
                break;
        }
    }

    private void wait(Wait what, long nanos) {
        waiting = what;
        if (what == Wait.NONE) {
            timer.cancel();
        } else {
            timer.schedule(nanos);
        }
    }

    private int interestOps() {
        return key.isValid() ? key.interestOps() : 0;
    }

    private void interest(int ops) {
        if (key.isValid() && key.interestOps() != ops) {
            key.interestOps(ops);
        }
    }

    /** Closes the client connection and releases everything it holds. */
    void close() {
        if (state == State.CLOSED) {
            return;
        }
        state = State.CLOSED;
        timer.cancel();
        attempt.release(false);
        key.cancel();
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing: nothing left to do
        }
        release();
    }

    private void release() {
        if (in != null) {
            loop.eventLoop.buffers().release(in);
            in = null;
        }
        loop.closed(this);
    }

    /** Whether an exchange is in flight, for graceful shutdown. */
    boolean isBusy() {
        return state == State.READ_BODY || state == State.UPSTREAM || state == State.RESPOND
                || state == State.READ_HEAD && headStarted;
    }

    /** Graceful shutdown: an idle connection closes now, a busy one after its exchange. */
    void drain() {
        if (!isBusy() && state != State.LINGER) {
            close();
        }
    }

    // ---------------------------------------------------------------- variables

    @Override
    public void append(ValueTemplate.Part part, StringBuilder sb) {
        switch (part.variable()) {
            case HOST:
                sb.append(hostVariable());
                break;
            case REMOTE_ADDR:
                sb.append(remoteAddress);
                break;
            case REMOTE_PORT:
                sb.append(remotePort);
                break;
            case PROXY_ADD_X_FORWARDED_FOR:
                for (int f = request.fields().indexOf("X-Forwarded-For"); f >= 0;
                        f = request.fields().indexOf("X-Forwarded-For", f + 1)) {
                    sb.append(request.fields().value(f)).append(", ");
                }
                sb.append(remoteAddress);
                break;
            case SCHEME:
                sb.append("http");
                break;
            case REQUEST_URI:
                sb.append(RequestRewriter.originForm(request.target()));
                break;
            case URI:
                String target = RequestRewriter.originForm(request.target());
                int q = target.indexOf('?');
                sb.append(q < 0 ? target : target.substring(0, q));
                break;
            case ARGS:
                String full = request.target();
                int at = full.indexOf('?');
                if (at >= 0) {
                    sb.append(full, at + 1, full.length());
                }
                break;
            case IS_ARGS:
                if (request.target().indexOf('?') >= 0) {
                    sb.append('?');
                }
                break;
            case REQUEST_METHOD:
                sb.append(request.method());
                break;
            case SERVER_PORT:
                sb.append(localPort);
                break;
            case PROXY_HOST:
                sb.append(route.upstream().name());
                break;
            case HTTP:
                String value = request.fields().get(part.name());
                if (value != null) {
                    sb.append(value);
                }
                break;
            case ARG:
                RequestRewriter.appendArg(request.target(), part.name(), sb);
                break;
            case COOKIE:
                RequestRewriter.appendCookie(request.fields(), part.name(), sb);
                break;
            default:
                break;
        }
    }

    /** nginx's {@code $host}: the host of an absolute-form target, else the Host field, without its port,
     * lower-cased; else the listening address. */
    private String hostVariable() {
        String host = request.targetForm() == TargetForm.ABSOLUTE ? authority(request.target()) : request.host();
        if (host == null || host.isEmpty()) {
            return "localhost";
        }
        int colon = host.startsWith("[") ? host.indexOf(']') + 1 : host.indexOf(':');
        String name = colon > 0 && colon < host.length() && host.charAt(colon) == ':' ? host.substring(0, colon) : host;
        return name.toLowerCase(java.util.Locale.ROOT);
    }

    /** The authority of an absolute-form target, which RFC 9112 §3.2.2 puts before the Host field. */
    private static String authority(String target) {
        int start = target.indexOf("://") + 3;
        int end = start;
        while (end < target.length() && target.charAt(end) != '/' && target.charAt(end) != '?') {
            end++;
        }
        return target.substring(start, end);
    }

    @Override
    public String toString() {
        return "client " + remoteAddress + ":" + remotePort + " " + state;
    }

    /** Drains this loop's connections during graceful shutdown. */
    static final class Drain implements Drainable {

        private final LoopContext loop;

        Drain(LoopContext loop) {
            this.loop = loop;
        }

        @Override
        public void beginDrain() {
            loop.drainClients();
        }

        @Override
        public int inFlight() {
            return loop.busyClients();
        }
    }
}
