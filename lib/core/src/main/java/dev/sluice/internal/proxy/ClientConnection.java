package dev.sluice.internal.proxy;

import dev.sluice.ClientLimits;
import dev.sluice.Route;
import dev.sluice.internal.http.BodyFraming;
import dev.sluice.internal.http.HeadLimits;
import dev.sluice.internal.http.HeadWriter;
import dev.sluice.internal.http.HttpStatus;
import dev.sluice.internal.http.HttpVersion;
import dev.sluice.internal.http.ParseResult;
import dev.sluice.internal.http.RequestHead;
import dev.sluice.internal.http.RequestParser;
import dev.sluice.internal.http.ResponseHead;
import dev.sluice.internal.net.Drainable;
import dev.sluice.internal.net.IoHandler;
import dev.sluice.internal.net.Timeout;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection and the exchanges on it, one at a time and in order: read a request head (and its body
 * into a {@link RequestBody}, with request buffering), pick a peer, run {@link Attempt}s until one gives a response
 * or the retry rules say stop (a body without request buffering streams to the peer through a {@link
 * StreamedBody}, unless it is chunked and the peer speaks HTTP/1.0, which gets it buffered as nginx does), relay
 * that response ({@link ResponseRelay}) or the upgraded connection ({@link Tunnel}), then wait for the next request.
 * nginx's {@code ngx_http_request_t} together with the decisions of {@code ngx_http_upstream_next}.
 *
 * <p>Instances are created by the proxy for each accepted connection and live on that connection's event loop.
 */
public final class ClientConnection implements IoHandler {

    private static final Logger log = LoggerFactory.getLogger(ClientConnection.class);

    private enum State { READ_HEAD, LIMITED, READ_BODY, UPSTREAM, RESPOND, TUNNEL, LINGER, CLOSED }

    private enum Wait { NONE, HEADER, LIMIT, BODY, SEND, KEEPALIVE, LINGER }

    private static final byte[] CONTINUE = "HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    /** What {@link #in} is while the read buffer is given back: empty, never written. */
    private static final ByteBuffer NO_INPUT = ByteBuffer.allocate(0);

    private final LoopContext loop;
    private final SocketChannel channel;
    private final SelectionKey key;
    private final Timeout timer;
    private final RequestParser parser;
    private final Attempt attempt;
    private final Map<Object, Selection> selections = new IdentityHashMap<>(4);
    private final StringBuilder scratch = new StringBuilder(64);
    /** What the proxy itself writes to the client: a response of its own, a relayed head, 100 Continue. */
    private final ByteBuffer[] toClient = new ByteBuffer[1];
    private final RequestBody requestBody;
    private final StreamedBody streamedBody = new StreamedBody(this);
    private final ResponseRelay responseRelay;
    private Tunnel tunnel;
    private final String remoteAddress;
    private final String remotePort;
    private final byte[] remoteBytes;
    private final RequestVariables variables;
    private final RequestLimits requestLimits = new RequestLimits();
    private final long acceptedNanos;

    private State state = State.READ_HEAD;
    private Wait waiting = Wait.NONE;
    private ByteBuffer in;
    private ByteBuffer out;
    /** A view of {@link #in} holding a run of a streamed body. */
    private ByteBuffer bodyView;
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
    private final BodyFramingCheck bodyFraming;
    private boolean idempotent;
    /**
     * Whether the request body streams to the peer as it arrives ({@code proxy_request_buffering off}, and the body
     * has a Content-Length or the peer speaks HTTP/1.1).
     */
    private boolean streaming;
    /** Whether a streamed body waits for the client, which then resumes the attempt. */
    private boolean awaitingBody;
    /** Whether the client still waits for 100 Continue before it sends its body. */
    private boolean continueDue;
    private boolean keepAlive;
    private boolean headerSent;
    private boolean upgrade;
    private long exchangeStartNanos;
    private long firstAttemptNanos;
    private int status;
    private long bodyBytesSent;
    private List<AttemptRecord> attemptRecords;

    ClientConnection(LoopContext loop, SocketChannel channel) throws IOException {
        this.loop = loop;
        this.channel = channel;
        this.acceptedNanos = loop.eventLoop.nanoTime();
        ClientLimits limits = loop.engine.limits;
        this.parser = new RequestParser(HeadLimits.of(limits.maxRequestLine(), limits.maxRequestLine(), limits.maxHeaderSize()),
                limits.underscoresInHeaders(), limits.ignoreInvalidHeaders());
        this.timer = loop.eventLoop.newTimeout(this::onTimer);
        this.attempt = new Attempt(this, loop);
        this.requestBody = new RequestBody(loop);
        this.bodyFraming = new BodyFramingCheck(limits.maxBodySize());
        this.responseRelay = new ResponseRelay(this, loop);
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
        String localPort = local instanceof InetSocketAddress ? Integer.toString(((InetSocketAddress) local).getPort()) : "";
        this.variables = new RequestVariables(remoteAddress, remotePort, localPort);
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
        if (state == State.TUNNEL) {
            tunnel.ready(true, readyOps);
            return;
        }
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
        attempt.finish(Outcome.NEUTRAL, 0, false);
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
                if (awaitingBody) {
                    awaitingBody = false;
                    attempt.bodyArrived();
                } else if (streaming && streamedBody.holdsRun()) {
                    interest(interestOps() & ~SelectionKey.OP_READ); // the peer has not taken the bytes before
                } else {
                    watchForAbort();
                }
                break;
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
            relay();
        } else if (state == State.RESPOND || state == State.UPSTREAM || state == State.LINGER
                || state == State.READ_BODY) {
            if (flushClient()) {
                afterLocalResponse();
            }
        }
    }

    /** Reads client bytes after those {@link #in} still holds; -1 at end of stream or on an error. */
    private int readClient() {
        takeInput();
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

    /**
     * Gives the read buffer back to the loop while it holds nothing: a connection waiting for its next request, or
     * whose response streams to a slow reader, holds no read buffer (nginx frees its header buffer the same way).
     */
    private void releaseInput() {
        if (in != null && in != NO_INPUT && !in.hasRemaining()) {
            loop.eventLoop.buffers().release(in);
            in = NO_INPUT;
            bodyView = null;
        }
    }

    /** Takes a read buffer from the loop again if it was given back. */
    private void takeInput() {
        if (in == NO_INPUT) {
            in = loop.eventLoop.buffers().acquire();
            in.clear().flip();
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
                attempt.finish(Outcome.NEUTRAL, 0, false);
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
        streaming = false;
        awaitingBody = false;
        bodyFraming.begin(head);
        continueDue = head.expectsContinue() && head.hasBody();
        keepAlive = head.isKeepAlive() && requests < loop.engine.limits.keepaliveRequests()
                && !loop.eventLoop.isShuttingDown() && !loop.engine.limits.keepaliveTimeout().isZero();
        route = loop.engine.route(head);
        if (route == null) {
            respond(HttpStatus.NOT_FOUND, null, !head.hasBody() ? !keepAlive : true);
            return;
        }
        long max = loop.engine.limits.maxBodySize();
        if (max > 0 && head.contentLength() > max) {
            respond(HttpStatus.CONTENT_TOO_LARGE, null, true);
            return;
        }
        long delayMillis = requestLimits.admit(route, remoteAddress, loop.eventLoop.nanoTime() / 1_000_000);
        if (delayMillis == RequestLimits.REJECTED) {
            respond(requestLimits.rejectStatus(), null, !head.hasBody() ? !keepAlive : true);
            return;
        }
        if (delayMillis > 0) {
            state = State.LIMITED;
            interest(interestOps() & ~SelectionKey.OP_READ);
            wait(Wait.LIMIT, delayMillis * 1_000_000);
            return;
        }
        readRequest();
    }

    /** Goes on with an admitted request: reads or streams its body, or goes upstream when it has none. */
    private void readRequest() {
        RequestHead head = request;
        if (!head.hasBody()) {
            beginUpstream();
            return;
        }
        if (!route.requestBuffering() && (head.bodyFraming() == BodyFraming.CONTENT_LENGTH || route.http11())) {
            streaming = true;
            streamedBody.begin();
            beginUpstream();
            return;
        }
        requestBody.begin(head.bodyFraming() == BodyFraming.CONTENT_LENGTH ? head.contentLength() : -1);
        state = State.READ_BODY;
        if (in.remaining() == 0) {
            sendContinueIfDue();
        }
        wait(Wait.BODY, loop.engine.limits.bodyTimeout().toNanos());
        readBody();
    }

    /**
     * Answers {@code Expect: 100-continue} as nginx does, when the proxy starts reading the body: with request
     * buffering at once, without it once a peer is connected and the body is first needed. Not after the client
     * already began to send its body.
     */
    private void sendContinueIfDue() {
        if (!continueDue) {
            return;
        }
        continueDue = false;
        out.clear();
        out.put(CONTINUE).flip();
        toClient[0] = out;
        flushClient();
    }

    /**
     * Buffers the request body ({@code proxy_request_buffering on}, or a chunked body for an HTTP/1.0 peer), its
     * payload only, up to client_max_body_size: in memory up to client_body_buffer_size, beyond it in a temporary
     * file. A chunked body loses its chunk sizes, extensions and trailers, as nginx's does, and goes with a
     * Content-Length.
     */
    private void readBody() {
        for (;;) {
            int start = in.position();
            int refusal;
            try {
                refusal = bodyFraming.bufferInto(in, requestBody);
            } catch (IOException e) {
                log.warn("cannot write a request body to {}", loop.engine.tempFiles.directory(), e);
                respond(HttpStatus.INTERNAL_SERVER_ERROR, null, true);
                return;
            }
            if (refusal != 0) {
                respond(refusal, null, true);
                return;
            }
            if (in.position() > start) {
                wait(Wait.BODY, loop.engine.limits.bodyTimeout().toNanos());
            }
            if (bodyFraming.done()) {
                try {
                    requestBody.finish();
                } catch (IOException e) {
                    log.warn("cannot write a request body to {}", loop.engine.tempFiles.directory(), e);
                    respond(HttpStatus.INTERNAL_SERVER_ERROR, null, true);
                    return;
                }
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

    // ---------------------------------------------------------------- streamed request body

    /**
     * The next run of a streamed body, framing intact: a view of the client's bytes in {@link #in}, valid until it
     * has been sent (the client is not read meanwhile). Null when the client has sent nothing more yet (it is then
     * watched under client_body_timeout and the attempt resumed when bytes come), when the body is over, or when
     * it failed: refused (400, 413) or cut off by the client (400, as nginx); the exchange then ended the attempt
     * and answered on a closing connection.
     */
    ByteBuffer nextBodyRun() {
        for (;;) {
            if (bodyFraming.done() || state != State.UPSTREAM) {
                return null;
            }
            int start = in.position();
            int refusal = bodyFraming.scan(in);
            if (refusal != 0) {
                abortStream(refusal);
                return null;
            }
            if (in.position() > start) {
                continueDue = false;
                if (waiting == Wait.BODY) {
                    wait(Wait.NONE, 0);
                }
                if (bodyView == null) {
                    bodyView = in.duplicate();
                }
                bodyView.limit(in.position()).position(start);
                return bodyView;
            }
            sendContinueIfDue();
            int n = readClient();
            if (n < 0) {
                clientClosedInput = true;
                abortStream(HttpStatus.BAD_REQUEST);
                return null;
            }
            if (n == 0) {
                awaitingBody = true;
                interest(interestOps() | SelectionKey.OP_READ);
                wait(Wait.BODY, loop.engine.limits.bodyTimeout().toNanos());
                return null;
            }
        }
    }

    /** Whether the whole request body was read from the client. */
    boolean bodyComplete() {
        return bodyFraming.done();
    }

    /** The request went to the peer whole: watch the client again, for an abort or the next request. */
    void requestWritten() {
        if (streaming && state == State.UPSTREAM) {
            interest(interestOps() | SelectionKey.OP_READ);
        }
    }

    /**
     * A streamed body failed on the client's side (refused, timed out, cut off): the peer, which got part of a
     * body, loses its connection, and the client gets {@code code} on a closing connection.
     */
    private void abortStream(int code) {
        attempt.finish(Outcome.NEUTRAL, 0, false);
        respond(code, null, true);
    }

    /** No more of a streamed body goes to the peer; the rest of it stays unread, so the client connection closes. */
    private void stopStreaming() {
        if (streaming && !bodyFraming.done()) {
            keepAlive = false;
        }
        awaitingBody = false;
        streamedBody.abandon();
    }

    // ---------------------------------------------------------------- upstream

    private void beginUpstream() {
        state = State.UPSTREAM;
        wait(Wait.NONE, 0);
        interest(SelectionKey.OP_READ);
        upgrade = request.isUpgrade() && request.isMethod("GET") && !request.hasBody() && route.http11()
                && request.upgradesOnlyTo(route.upgradeProtocols());
        long dechunkedLength = request.bodyFraming() == BodyFraming.CHUNKED && !streaming ? requestBody.length() : -1;
        upstreamHead = RequestRewriter.write(request, route, variables.bind(request, route), upstreamHead, scratch, upgrade,
                dechunkedLength);
        selection = selections.get(route.upstream());
        if (selection == null) {
            selection = route.upstream().newSelection();
            selections.put(route.upstream(), selection);
        }
        selection.reset().clientAddress(remoteBytes).maxTries(route.nextUpstream().tries());
        if (route.upstream().balancer().usesHashKey()) {
            scratch.setLength(0);
            route.hashKey().appendTo(scratch, variables.bind(request, route));
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
        RetryDecision.Action action = RetryDecision.decide(failure, stalePooledConnection, failed.freshRetryUsed,
                failed.requestSent, idempotent, streaming, streaming && streamedBody.anySent(), headerSent,
                route.nextUpstream(), selection.triesLeftAfterReport(), loop.eventLoop.nanoTime() - firstAttemptNanos);
        if (action == RetryDecision.Action.FRESH_CONNECTION) {
            failed.retryOnFreshConnection();
            return;
        }
        failed.finish(stalePooledConnection ? Outcome.NEUTRAL : Outcome.FAILURE, failure.status, false);
        if (action == RetryDecision.Action.NEXT_PEER) {
            nextAttempt();
        } else {
            respond(failure.status, null, !keepAlive);
        }
    }

    /** A buffered body could not be read back from its temporary file: the proxy's own failure, 500. */
    void bodyUnreadable(Attempt failed, IOException cause) {
        log.warn("cannot read a request body back from {}", loop.engine.tempFiles.directory(), cause);
        failed.finish(Outcome.NEUTRAL, 0, false);
        respond(HttpStatus.INTERNAL_SERVER_ERROR, null, true);
    }

    /** The peer's response head is in: move on (a listed status), intercept it, or relay it. */
    void responseHead(Attempt current, ResponseHead head) {
        int code = head.status();
        Failure failure = Failure.ofStatus(code);
        if (failure != null && RetryDecision.decide(failure, false, true, true, idempotent, streaming, streaming,
                headerSent, route.nextUpstream(), selection.triesLeftAfterReport(),
                loop.eventLoop.nanoTime() - firstAttemptNanos) == RetryDecision.Action.NEXT_PEER) {
            current.finish(failure.countsAgainstPeer() ? Outcome.FAILURE : Outcome.NEUTRAL, code, false);
            nextAttempt();
            return;
        }
        stopStreaming(); // nginx sends no more of the request once it answers: the rest of the body stays unread
        if (route.interceptErrors() && code >= 300) {
            byte[] page = route.errorPages().get(code);
            if (page != null) {
                current.finish(Outcome.SUCCESS, code, keepUpstream());
                respond(code, page, !keepAlive);
                return;
            }
        }
        if (code == HttpStatus.SWITCHING_PROTOCOLS) {
            if (upgrade) {
                status = code;
                startTunnel(current, head);
            } else {
                attemptFailed(current, Failure.INVALID_HEADER, false); // it switched without being asked to
            }
            return;
        }
        status = code;
        boolean untilClose = head.bodyFraming() == BodyFraming.UNTIL_CLOSE;
        boolean dechunk = request.version() == HttpVersion.HTTP_1_0 && head.bodyFraming() == BodyFraming.CHUNKED;
        if (untilClose || dechunk || loop.eventLoop.isShuttingDown()) {
            keepAlive = false;
        }
        out.clear();
        out = ResponseRewriter.write(head, request, keepAlive, out, false);
        out.flip();
        toClient[0] = out;
        headerSent = true;
        wait(Wait.NONE, 0);
        boolean buffered = ResponseRelay.buffering(head, route.buffering());
        responseRelay.begin(head, current.beginRelay(), route, buffered, dechunk);
        releaseInput();
        relay();
    }

    /**
     * Moves response body bytes from the peer to the client: when the head is in, and whenever either side is
     * ready. Once the whole body is read the peer is released, before the client has it all, as nginx finalizes the
     * upstream when it is done; the exchange ends when the client has it all.
     */
    void relay() {
        ResponseRelay.Step step = responseRelay.pump(attempt.isRelaying() ? attempt.channel() : null);
        if (step == ResponseRelay.Step.STOPPED || state != State.UPSTREAM) {
            return;
        }
        if (responseRelay.isComplete() && attempt.isRelaying()) {
            attempt.bodyRead(responseRelay.hasSurplus());
            attempt.finish(Outcome.SUCCESS, status, keepUpstream());
        }
        if (step == ResponseRelay.Step.DONE) {
            responseRelay.end();
            endExchange();
            if (streaming && !bodyFraming.done()) {
                lingeringClose(); // the rest of the request body is still on its way: let the client read the answer
            } else {
                nextRequest();
            }
        } else if (step == ResponseRelay.Step.BROKEN) {
            responseBroken(attempt);
        } else if (attempt.isRelaying()) {
            attempt.awaitBody(responseRelay.wantsUpstream());
        }
    }

    /** Body bytes queued for the client, for {@code $body_bytes_sent}. */
    void countBody(int bytes) {
        bodyBytesSent += bytes;
    }

    // ---------------------------------------------------------------- upgraded connections

    /** The peer switched protocols as the client asked: relay the 101, then bytes both ways until both sides end. */
    private void startTunnel(Attempt current, ResponseHead head) {
        keepAlive = false;
        out.clear();
        out = ResponseRewriter.write(head, request, false, out, true);
        out.flip();
        toClient[0] = null;
        headerSent = true;
        state = State.TUNNEL;
        wait(Wait.NONE, 0);
        current.beginTunnel();
        if (tunnel == null) {
            tunnel = new Tunnel(this, loop);
        }
        takeInput();
        tunnel.start(key, in, current.key(), current.headBuffer(), out, route.readTimeout().toNanos());
    }

    /** Readiness of the peer's connection while tunnelling. */
    void tunnelReady(boolean client, int ops) {
        if (state == State.TUNNEL) {
            tunnel.ready(client, ops);
        }
    }

    /** The tunnel ended (both sides closed, an error, or idle for proxy_read_timeout): both connections close. */
    void tunnelEnded() {
        attempt.finish(Outcome.SUCCESS, status, false);
        endExchange();
        close();
    }

    private boolean keepUpstream() {
        return route.upstream().keepalive().idle() > 0;
    }

    /** The loop shuts down under the exchange: close the client as the loop would, without blaming the peer. */
    void abandon() {
        close();
    }

    /** The response broke after its head went to the client: nothing to retry, the client sees a cut response. */
    void responseBroken(Attempt current) {
        current.finish(Outcome.SUCCESS, status, false);
        endExchange();
        close();
    }

    /** The head the proxy queued for the client and has not written whole yet, or null. */
    ByteBuffer pendingHead() {
        ByteBuffer head = toClient[0];
        return head != null && head.hasRemaining() ? head : null;
    }

    /** Writes what the proxy queued for the client; true when everything went out, else waits for OP_WRITE. */
    boolean flushClient() {
        return writeClient(toClient, toClient[0] == null ? 0 : 1);
    }

    /**
     * Writes {@code buffers[0, count)} to the client in one gathering write; true when everything went out. When the
     * client cannot take it all, waits for OP_WRITE under send_timeout and returns false. A failed write ends the
     * exchange (false) unless proxy_ignore_client_abort is on: then the bytes are dropped (true).
     */
    boolean writeClient(ByteBuffer[] buffers, int count) {
        if (state == State.CLOSED) {
            return false;
        }
        if (remaining(buffers, count)) {
            if (clientGone) {
                for (int i = 0; i < count; i++) {
                    buffers[i].position(buffers[i].limit());
                }
                return true;
            }
            try {
                channel.write(buffers, 0, count);
            } catch (IOException e) {
                return clientWriteFailed() && writeClient(buffers, count);
            }
            if (remaining(buffers, count)) {
                interest(interestOps() | SelectionKey.OP_WRITE);
                wait(Wait.SEND, loop.engine.limits.sendTimeout().toNanos());
                return false;
            }
        }
        if ((interestOps() & SelectionKey.OP_WRITE) != 0) {
            interest(interestOps() & ~SelectionKey.OP_WRITE);
        }
        if (waiting == Wait.SEND) {
            wait(Wait.NONE, 0);
        }
        return true;
    }

    private static boolean remaining(ByteBuffer[] buffers, int count) {
        for (int i = 0; i < count; i++) {
            if (buffers[i].hasRemaining()) {
                return true;
            }
        }
        return false;
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
            attempt.finish(Outcome.NEUTRAL, 0, false);
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

    /** The request body an attempt sends after the head: buffered, streamed, or null when there is none. */
    BodySource bodySource() {
        if (request == null || !request.hasBody()) {
            return null;
        }
        return streaming ? streamedBody : requestBody;
    }

    // ---------------------------------------------------------------- responses made here

    /** Sends a response of the proxy's own: an error page, or an intercepted status with its {@code error_page}. */
    private void respond(int code, byte[] page, boolean closeAfter) {
        stopStreaming(); // a streamed body's unread rest must never be read as the next request
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
        bodyBytesSent = isHeadRequest() ? 0 : page == null ? HeadWriter.errorPageLength(code) : page.length;
        toClient[0] = out;
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
        requestLimits.release();
        requestBody.release();
        streamedBody.abandon();
        if (request == null && status == 0) {
            return;
        }
        if (!loop.engine.listeners.isEmpty()) {
            long requestNanos = loop.eventLoop.nanoTime() - exchangeStartNanos;
            ExchangeRecord record = new ExchangeRecord(remoteAddress,
                    request == null ? "-" : request.method(), request == null ? "-" : request.target(),
                    request == null ? "-" : request.version().text(), status, bodyBytesSent, requestNanos,
                    attemptRecords == null ? List.of() : List.copyOf(attemptRecords),
                    System.currentTimeMillis() - requestNanos / 1_000_000,
                    request == null ? null : RemoteUser.of(request.fields().get("Authorization")),
                    request == null ? null : request.fields().get("Referer"),
                    request == null ? null : request.fields().get("User-Agent"));
            loop.engine.exchangeEnded(record);
        }
        selection = null;
    }

    private void nextRequest() {
        if (!keepAlive || state == State.CLOSED || loop.eventLoop.isShuttingDown()) {
            close();
            return;
        }
        state = State.READ_HEAD;
        request = null;
        route = null;
        parser.reset();
        headStarted = false;
        toClient[0] = null;
        if (clientClosedInput || clientGone) {
            close();
            return;
        }
        interest(SelectionKey.OP_READ);
        if (in.hasRemaining()) {
            wait(Wait.HEADER, loop.engine.limits.headerTimeout().toNanos());
            parseHead();
        } else {
            releaseInput();
            wait(Wait.KEEPALIVE, loop.engine.limits.keepaliveTimeout().toNanos());
        }
    }

    /**
     * An attempt ends: its outcome goes to the balancer and, with a status, to the attempt records. {@link
     * Attempt#finish} calls it before it releases or closes its connection.
     */
    void attemptFinished(Attempt a, Outcome outcome, int status) {
        reportIfSelected(outcome);
        if (status != 0) {
            recordAttempt(a, status);
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
            takeInput();
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
                if (state == State.UPSTREAM) {
                    abortStream(HttpStatus.REQUEST_TIMEOUT); // a streamed body's client went silent
                } else if (state == State.READ_HEAD && !headStarted) {
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
                    attempt.finish(Outcome.NEUTRAL, 0, false);
                    endExchange();
                }
                close();
                break;
            case LIMIT:
                waiting = Wait.NONE;
                state = State.READ_HEAD;
                interest(interestOps() | SelectionKey.OP_READ);
                readRequest();
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
        attempt.finish(Outcome.NEUTRAL, 0, false);
        key.cancel();
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing: nothing left to do
        }
        release();
    }

    private void release() {
        requestLimits.release();
        responseRelay.end();
        requestBody.release();
        streamedBody.abandon();
        if (tunnel != null) {
            tunnel.stop();
        }
        if (in != null && in != NO_INPUT) {
            loop.eventLoop.buffers().release(in);
        }
        in = null;
        loop.closed(this);
    }

    /** Whether an exchange is in flight, for graceful shutdown. */
    boolean isBusy() {
        return state == State.READ_BODY || state == State.UPSTREAM || state == State.RESPOND || state == State.TUNNEL
                || state == State.READ_HEAD && headStarted;
    }

    /** Graceful shutdown: an idle connection closes now, a busy one after its exchange. */
    void drain() {
        if (!isBusy() && state != State.LINGER) {
            close();
        }
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
