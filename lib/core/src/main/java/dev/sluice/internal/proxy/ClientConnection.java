package dev.sluice.internal.proxy;

import dev.sluice.Answer;
import dev.sluice.ClientLimits;
import dev.sluice.Route;
import dev.sluice.internal.http.HeadLimits;
import dev.sluice.internal.http.HttpStatus;
import dev.sluice.internal.http.ParseResult;
import dev.sluice.internal.http.RequestHead;
import dev.sluice.internal.http.RequestParser;
import dev.sluice.internal.net.Interest;
import dev.sluice.internal.net.IoHandler;
import dev.sluice.internal.net.Timeout;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * One client connection: its socket, buffers and timers, and its requests one at a time and in order (pipelined
 * ones wait in the read buffer). It reads a request head, admits it (location, limits), has its body read ({@link
 * RequestBodyReader}), hands it to the {@link Exchange} to go upstream, writes what goes to the client, then waits
 * for the next request under keepalive_timeout or closes (lingering, as nginx, after a response it cut short).
 * nginx's {@code ngx_http_request_t} and its connection handlers.
 *
 * <p>Instances are created by the proxy for each accepted connection and live on that connection's event loop.
 */
public final class ClientConnection implements IoHandler {

    private enum Wait { NONE, HEADER, LIMIT, KEEPALIVE }

    private final LoopContext loop;
    private final ClientLimits limits;
    private final SocketChannel channel;
    private final SelectionKey key;
    private final Timeout timer;
    private final RequestParser parser;
    private final RemotePeer remote;
    private final RequestLimits requestLimits = new RequestLimits();
    private final RequestBodyReader body;
    private final Exchange exchange;
    private final ClientOutput output;
    private final ClientInput input;

    private ClientState state = ClientState.READ_HEAD;
    private Wait waiting = Wait.NONE;
    private int requests;
    private boolean clientClosedInput;
    /** Whether a byte of the next request head arrived: a timeout then answers 408 rather than closing quietly. */
    private boolean headStarted;
    private LingeringClose lingering;
    private LaterAnswer laterAnswer;

    ClientConnection(LoopContext loop, SocketChannel channel) throws IOException {
        this.loop = loop;
        this.limits = loop.engine.limits;
        this.channel = channel;
        this.remote = RemotePeer.of(channel.getRemoteAddress());
        String localPort = RemotePeer.portOf(channel.getLocalAddress());
        this.key = loop.eventLoop.register(channel, SelectionKey.OP_READ, this);
        this.output = new ClientOutput(this, channel, key, loop);
        this.input = new ClientInput(channel, loop.eventLoop.buffers());
        this.parser = new RequestParser(HeadLimits.of(limits.maxRequestLine(), limits.maxRequestLine(),
                limits.maxHeaderSize()), limits.underscoresInHeaders(), limits.ignoreInvalidHeaders());
        this.timer = loop.eventLoop.newTimeout(this::onTimer);
        this.body = new RequestBodyReader(this, output, loop);
        this.exchange = new Exchange(this, output, loop, body, remote,
                new RequestVariables(remote.address, remote.port, localPort));
        loop.opened(this);
        expect(Wait.HEADER, limits.headerTimeout().toNanos());
    }

    private void moveTo(ClientState next) {
        if (!state.allows(next)) {
            throw new IllegalStateException(this + ": no transition to " + next);
        }
        state = next;
    }

    // ---------------------------------------------------------------- client events

    @Override
    public void onReady(int readyOps) {
        if (state == ClientState.TUNNEL) {
            exchange.tunnelReady(true, readyOps);
            return;
        }
        if ((readyOps & SelectionKey.OP_WRITE) != 0) {
            onClientWritable();
        }
        if ((readyOps & SelectionKey.OP_READ) != 0 && state != ClientState.CLOSED) {
            onClientReadable();
        }
    }

    @Override
    public void onClosedByLoop(Throwable cause) {
        if (state != ClientState.CLOSED) {
            state = ClientState.CLOSED;
            exchange.stopAttempt();
            release();
        }
    }

    private void onClientReadable() {
        switch (state) {
            case READ_HEAD:
            case READ_BODY:
                if (readClient() < 0) {
                    close();
                } else if (state == ClientState.READ_HEAD) {
                    parseHead();
                } else {
                    body.readBuffered();
                }
                break;
            case UPSTREAM:
                if (body.clientReadable()) {
                    exchange.bodyArrived();
                } else if (body.holdsRun()) {
                    Interest.remove(key, SelectionKey.OP_READ); // the peer has not taken the bytes before
                } else {
                    watchForAbort();
                }
                break;
            case RESPOND:
                watchForAbort();
                break;
            case LINGER:
                lingering.read();
                break;
            default:
                break;
        }
    }

    private void onClientWritable() {
        if (state == ClientState.UPSTREAM && exchange.headerSent()) {
            exchange.relay();
        } else if (state == ClientState.RESPOND || state == ClientState.UPSTREAM || state == ClientState.LINGER
                || state == ClientState.READ_BODY) {
            if (output.flush()) {
                afterLocalResponse();
            }
        }
    }

    /** What the client sent and the proxy has not consumed yet, in read mode. */
    ByteBuffer input() {
        return input.bytes();
    }

    /** Reads client bytes after those {@link #input()} still holds; -1 at end of stream or on an error. */
    int readClient() {
        return input.read();
    }

    /** While an exchange runs: notices a client that went away ({@code proxy_ignore_client_abort off}). */
    private void watchForAbort() {
        int n = readClient();
        if (n < 0) {
            inputEnded();
            Interest.remove(key, SelectionKey.OP_READ);
            if (state == ClientState.UPSTREAM && !exchange.route().ignoreClientAbort()) {
                exchange.clientAborted();
                endAndClose();
            }
        } else if (input.isFull()) {
            Interest.remove(key, SelectionKey.OP_READ);
        }
    }

    /** The client closed its side: the connection closes after the exchange. */
    void inputEnded() {
        clientClosedInput = true;
    }

    /** Reads the client again: for an abort or the next request, once a streamed body went to the peer whole. */
    void watchInput() {
        if (state == ClientState.UPSTREAM) {
            Interest.add(key, SelectionKey.OP_READ);
        }
    }

    // ---------------------------------------------------------------- request

    private void parseHead() {
        if (!input.hasRemaining()) {
            return;
        }
        if (waiting == Wait.KEEPALIVE) {
            expect(Wait.HEADER, limits.headerTimeout().toNanos());
        }
        headStarted = true;
        ParseResult result = parser.parse(input.bytes());
        if (result == ParseResult.ERROR) {
            exchange.beginWithoutRequest();
            respond(parser.errorStatus(), null, true);
        } else if (result != ParseResult.NEED_MORE) {
            startExchange(parser.head());
        }
    }

    private void startExchange(RequestHead head) {
        requests++;
        boolean keepAlive = head.isKeepAlive() && requests < limits.keepaliveRequests()
                && !loop.eventLoop.isShuttingDown() && !limits.keepaliveTimeout().isZero();
        exchange.begin(head, keepAlive);
        body.begin(head);
        Route route = exchange.route();
        if (route == null) {
            respond(HttpStatus.NOT_FOUND, null, head.hasBody() || !keepAlive);
            return;
        }
        if (limits.maxBodySize() > 0 && head.contentLength() > limits.maxBodySize()) {
            respond(HttpStatus.CONTENT_TOO_LARGE, null, true);
            return;
        }
        long delayMillis = requestLimits.admit(route, remote.address, loop.eventLoop.nanoTime() / 1_000_000);
        if (delayMillis == RequestLimits.REJECTED) {
            respond(requestLimits.rejectStatus(), null, head.hasBody() || !keepAlive);
        } else if (delayMillis > 0) {
            moveTo(ClientState.LIMITED);
            Interest.remove(key, SelectionKey.OP_READ);
            expect(Wait.LIMIT, delayMillis * 1_000_000);
        } else {
            readRequest();
        }
    }

    /** Goes on with an admitted request: reads or streams its body, or goes upstream when it has none. */
    private void readRequest() {
        Answer answer = exchange.handlerAnswer();
        if (answer != null && answer.later() != null) {
            awaitHook(answer.later());
        } else {
            proceed(answer);
        }
    }

    /** Waits, reading nothing, for a handler's answer that comes later; the stage completes on any thread. */
    private void awaitHook(CompletionStage<Answer> later) {
        moveTo(ClientState.HOOK);
        expect(Wait.NONE, 0);
        Interest.remove(key, SelectionKey.OP_READ);
        if (laterAnswer == null) {
            laterAnswer = new LaterAnswer(loop, this::hookAnswered);
        }
        laterAnswer.await(later, exchange.route().hookTimeout());
    }

    /** The wait for a handler's later answer ended, on this connection's loop: go on with it, or with a 500. */
    private void hookAnswered(Answer answer, Throwable failure) {
        if (state != ClientState.HOOK) {
            return;
        }
        Interest.add(key, SelectionKey.OP_READ);
        if (failure != null) {
            exchange.hookFailedLater(failure);
            proceed(Hooks.FAILED_BEFORE_UPSTREAM);
        } else {
            proceed(answer);
        }
    }

    /** Goes on with a request its handler answered ({@code answer}), or with its body and upstream (null). */
    private void proceed(Answer answer) {
        if (answer != null) {
            answer(answer, exchange.request().hasBody()); // an unread body must not be read as the next request
            return;
        }
        if (!exchange.request().hasBody() || body.streams(exchange.route())) {
            bodyRead();
            return;
        }
        moveTo(ClientState.READ_BODY);
        expect(Wait.NONE, 0); // client_body_timeout is the reader's from here
        body.readWhole();
    }

    /** The body was read whole, or it streams: the request goes upstream. */
    void bodyRead() {
        moveTo(ClientState.UPSTREAM);
        expect(Wait.NONE, 0);
        Interest.set(key, SelectionKey.OP_READ);
        exchange.beginUpstream();
    }

    /**
     * A streamed body failed on the client's side (refused, timed out, cut off): the peer, which got part of a
     * body, loses its connection, and the client gets {@code code} on a closing connection.
     */
    void abortStream(int code) {
        exchange.stopAttempt();
        respond(code, null, true);
    }

    boolean isReadingBody() {
        return state == ClientState.READ_BODY;
    }

    boolean isUpstream() {
        return state == ClientState.UPSTREAM;
    }

    boolean isTunnel() {
        return state == ClientState.TUNNEL;
    }

    // ---------------------------------------------------------------- what goes to the client

    /** The peer's response goes to the client from now on: no request timers, no read buffer held while it does. */
    void responding() {
        expect(Wait.NONE, 0);
        input.releaseIfEmpty();
    }

    /** The relayed response went to the client whole: the next request, or a lingering close. */
    void responseSent() {
        endExchange();
        if (body.isStreaming() && !body.complete()) {
            lingeringClose(); // the rest of the request body is still on its way: let the client read the answer
        } else {
            nextRequest();
        }
    }

    /** The peer switched protocols: relay {@code head} (the 101) then bytes both ways with the peer's connection. */
    void tunnel(Tunnel tunnel, ByteBuffer head, Attempt peer, long idleNanos) {
        ByteBuffer switched = output.adopt(head);
        moveTo(ClientState.TUNNEL);
        expect(Wait.NONE, 0);
        tunnel.start(key, input.bytes(), peer.key(), peer.headBuffer(), switched, idleNanos);
    }

    /** Sends a response of the proxy's own: an error page, or an intercepted status with its {@code error_page}. */
    void respond(int code, byte[] page, boolean closeAfter) {
        respond(code, page == null ? List.of() : LocalResponse.HTML, page, closeAfter);
    }

    /** Sends a handler's answer. */
    void answer(Answer answer, boolean closeAfter) {
        respond(answer.status(), answer.headers(), answer.body(), closeAfter);
    }

    private void respond(int code, List<Map.Entry<String, String>> fields, byte[] body, boolean closeAfter) {
        boolean head = exchange.isHeadRequest();
        boolean keepAlive = exchange.answeredLocally(code, LocalResponse.bodyLength(code, body, head), closeAfter);
        moveTo(ClientState.RESPOND);
        expect(Wait.NONE, 0);
        output.queueFlipped(LocalResponse.write(output.cleared(), code, fields, body, keepAlive, head));
        if (output.flush()) {
            afterLocalResponse();
        }
    }

    private void afterLocalResponse() {
        if (state == ClientState.RESPOND) {
            endExchange();
            if (exchange.keepAlive()) {
                nextRequest();
            } else {
                lingeringClose();
            }
        }
    }

    /** The client took nothing for send_timeout: the exchange ends as 499 (or with the status it sent), and the
     * connection closes. */
    void sendTimedOut() {
        if (state == ClientState.UPSTREAM) {
            exchange.clientStalled();
            endExchange();
        }
        close();
    }

    /** A write to the client failed; true when the exchange goes on without the client (ignore_client_abort). */
    boolean writeFailed() {
        if (state == ClientState.UPSTREAM) {
            if (exchange.route().ignoreClientAbort()) {
                clientClosedInput = true;
                output.drop();
                return true;
            }
            exchange.clientAborted();
            endExchange();
        }
        close();
        return false;
    }

    boolean isClosed() {
        return state == ClientState.CLOSED;
    }

    // ---------------------------------------------------------------- between requests

    private void endExchange() {
        requestLimits.release();
        body.release();
        exchange.end();
    }

    /** The exchange ended in a way that leaves the client connection unusable: log it, then close. */
    void endAndClose() {
        endExchange();
        close();
    }

    private void nextRequest() {
        if (!exchange.keepAlive() || state == ClientState.CLOSED || loop.eventLoop.isShuttingDown()
                || clientClosedInput || output.isDropping()) {
            close();
            return;
        }
        moveTo(ClientState.READ_HEAD);
        parser.reset();
        headStarted = false;
        output.reset();
        Interest.set(key, SelectionKey.OP_READ);
        if (input.hasRemaining()) {
            expect(Wait.HEADER, limits.headerTimeout().toNanos());
            parseHead();
        } else {
            input.releaseIfEmpty();
            expect(Wait.KEEPALIVE, limits.keepaliveTimeout().toNanos());
        }
    }

    /**
     * Closes the way nginx's lingering close does: stop sending, read and drop what the client still sends for a
     * while, then close, so the client reads our response instead of a reset.
     */
    private void lingeringClose() {
        if (state == ClientState.CLOSED) {
            return;
        }
        moveTo(ClientState.LINGER);
        try {
            channel.shutdownOutput();
        } catch (IOException e) {
            close();
            return;
        }
        expect(Wait.NONE, 0);
        Interest.set(key, SelectionKey.OP_READ);
        if (lingering == null) {
            lingering = new LingeringClose(this, input, loop);
        }
        lingering.begin();
    }

    // ---------------------------------------------------------------- timers

    private void onTimer() {
        Wait expired = waiting;
        waiting = Wait.NONE;
        switch (expired) {
            case HEADER:
                if (state == ClientState.READ_HEAD && !headStarted) {
                    close();
                } else {
                    if (state == ClientState.READ_HEAD) {
                        exchange.beginWithoutRequest();
                    }
                    respond(HttpStatus.REQUEST_TIMEOUT, null, true);
                }
                break;
            case LIMIT:
                Interest.add(key, SelectionKey.OP_READ);
                readRequest();
                break;
            case KEEPALIVE:
                close();
                break;
            default:
                break;
        }
    }

    private void expect(Wait what, long nanos) {
        waiting = what;
        if (what == Wait.NONE) {
            timer.cancel();
        } else {
            timer.schedule(nanos);
        }
    }

    // ---------------------------------------------------------------- closing

    /** Closes the client connection and releases everything it holds. */
    void close() {
        if (state == ClientState.CLOSED) {
            return;
        }
        moveTo(ClientState.CLOSED);
        timer.cancel();
        output.stop();
        if (lingering != null) {
            lingering.stop();
        }
        if (laterAnswer != null) {
            laterAnswer.cancel();
        }
        exchange.stopAttempt();
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
        exchange.release();
        body.release();
        input.release();
        loop.closed(this);
    }

    /** Whether an exchange is in flight, for graceful shutdown. */
    boolean isBusy() {
        return state == ClientState.READ_BODY || state == ClientState.HOOK || state == ClientState.UPSTREAM
                || state == ClientState.RESPOND || state == ClientState.TUNNEL
                || state == ClientState.READ_HEAD && headStarted;
    }

    /** Graceful shutdown: an idle connection closes now, a busy one after its exchange. */
    void drain() {
        if (!isBusy() && state != ClientState.LINGER) {
            close();
        }
    }

    @Override
    public String toString() {
        return "client " + remote.address + ":" + remote.port + " " + state;
    }
}
