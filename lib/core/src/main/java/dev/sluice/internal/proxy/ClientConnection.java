package dev.sluice.internal.proxy;

import dev.sluice.ClientLimits;
import dev.sluice.ClientTls;
import dev.sluice.internal.http.HeadLimits;
import dev.sluice.internal.http.HttpStatus;
import dev.sluice.internal.http.ParseResult;
import dev.sluice.internal.http.RequestParser;
import dev.sluice.internal.net.BufferPool;
import dev.sluice.internal.net.Interest;
import dev.sluice.internal.net.IoHandler;
import dev.sluice.internal.net.Timeout;
import dev.sluice.internal.net.Wire;
import dev.sluice.internal.tls.TlsServer;
import dev.sluice.internal.tls.TlsSession;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/**
 * One client connection: its socket, buffers and timer, and the state its requests move it through one at a time
 * and in order (pipelined ones wait in the read buffer). It reads request heads, waits for the next one under
 * client_header_timeout and keepalive_timeout, passes each to its {@link RequestCycle}, and closes, lingering as nginx
 * after a response it cut short. nginx's {@code ngx_http_connection_t} and its read and write handlers.
 *
 * <p>Instances are created by the proxy for each accepted connection and live on that connection's event loop.
 */
public final class ClientConnection implements IoHandler {

    /** What the connection's timer waits for. */
    private enum Wait { NONE, HEADER, LIMIT, KEEPALIVE }

    private final LoopContext loop;
    private final ClientLimits limits;
    private Wire wire;
    private final SelectionKey key;
    private final Timeout timer;
    private final RequestParser parser;
    private final RemotePeer remote;
    private final ClientOutput output;
    private final ClientInput input;
    private final RequestCycle cycle;
    /** The TLS handshake of a client of a TLS address, until it is done; null otherwise. */
    private ClientHandshake handshake;
    /** Why every request on this connection gets a 400 of nginx's TLS kinds, or null. */
    private TlsRefusal refusal;
    /** Reads what a TLS session decrypted ahead, which no readiness announces. */
    private final ReadAhead readAhead;

    private ClientState state;
    private Wait waiting = Wait.NONE;
    private int requests;
    private boolean clientClosedInput;
    /** Whether a byte of the next request head arrived: a timeout then answers 408 rather than closing quietly. */
    private boolean headStarted;
    private LingeringClose lingering;

    /** A client that connected on {@code channel}, to an address whose TLS is {@code tls} (null: plain HTTP). */
    ClientConnection(LoopContext loop, ServerTable servers, TlsServer tls, SocketChannel channel) throws IOException {
        this.loop = loop;
        this.limits = loop.engine.limits;
        this.wire = Wire.plain(channel);
        this.remote = RemotePeer.of(channel.getRemoteAddress());
        String localPort = RemotePeer.portOf(channel.getLocalAddress());
        this.key = loop.eventLoop.register(channel, SelectionKey.OP_READ, this);
        this.output = new ClientOutput(this, wire, key, loop);
        BufferPool full = loop.eventLoop.buffers();
        this.input = new ClientInput(wire, loop.buffers(Math.min(ClientInput.FIRST_SIZE, full.bufferSize())), full);
        this.parser = new RequestParser(HeadLimits.of(limits.maxRequestLine(), limits.maxRequestLine(),
                limits.maxHeaderSize()), limits.underscoresInHeaders(), limits.ignoreInvalidHeaders());
        this.timer = loop.eventLoop.newTimeout(this::onTimer);
        this.readAhead = new ReadAhead(loop.eventLoop, this::readAhead);
        this.cycle = new RequestCycle(this, output, loop, servers, remote, localPort);
        this.state = tls == null ? ClientState.READ_HEAD : ClientState.HANDSHAKE;
        this.handshake = tls == null ? null : new ClientHandshake(this, tls, channel, key);
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
        if (state == ClientState.HANDSHAKE) {
            handshake.ready(input);
            return;
        }
        if (state == ClientState.TUNNEL) {
            cycle.tunnelReady(readyOps);
            return;
        }
        if ((readyOps & SelectionKey.OP_WRITE) != 0) {
            onClientWritable();
        }
        if ((readyOps & SelectionKey.OP_READ) != 0 && state != ClientState.CLOSED) {
            onClientReadable();
        }
        readAheadLater();
    }

    /** The TLS handshake is done: requests come through {@code session}; {@code refused} answers each, or null. */
    void secured(TlsSession session, ClientTls facts, TlsRefusal refused) {
        handshake = null;
        wire = session;
        input.use(session);
        output.use(session);
        cycle.secured(facts);
        refusal = refused;
        moveTo(ClientState.READ_HEAD);
        Interest.set(key, SelectionKey.OP_READ);
        onClientReadable();
        readAheadLater();
    }

    /** The client of a TLS address spoke plain HTTP: its request, read as it is, gets nginx's 400 for that. */
    void plainOnTlsPort() {
        handshake = null;
        refusal = TlsRefusal.PLAIN_HTTP;
        moveTo(ClientState.READ_HEAD);
        parseHead();
    }

    /**
     * While the client is read, bytes a TLS session decrypted beyond what the last read took are read in a coming
     * iteration: the socket will not say they are there.
     */
    private void readAheadLater() {
        if (wire.hasBufferedInput() && (Interest.of(key) & SelectionKey.OP_READ) != 0 && state != ClientState.CLOSED) {
            readAhead.schedule();
        }
    }

    private void readAhead() {
        if (state != ClientState.CLOSED && (Interest.of(key) & SelectionKey.OP_READ) != 0) {
            onReady(SelectionKey.OP_READ);
        }
    }

    @Override
    public void onClosedByLoop(Throwable cause) {
        if (state != ClientState.CLOSED) {
            state = ClientState.CLOSED;
            cycle.stop();
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
                    cycle.bodyReadable();
                }
                break;
            case UPSTREAM:
            case RESPOND:
                cycle.clientReadable(state == ClientState.UPSTREAM);
                break;
            case LIMITED:
            case HOOK:
                cycle.heldClientReadable();
                break;
            case DISCARD_BODY:
                cycle.discardReadable();
                break;
            case LINGER:
                lingering.read();
                break;
            default:
                break;
        }
    }

    private void onClientWritable() {
        if (state == ClientState.RESPOND || state == ClientState.UPSTREAM || state == ClientState.LINGER
                || state == ClientState.READ_BODY) {
            cycle.clientWritable();
        }
    }

    /** What the client sent and the proxy has not consumed yet, in read mode. */
    ByteBuffer input() {
        return input.bytes();
    }

    /** The connection's bytes, for the tunnel. */
    Wire wire() {
        return wire;
    }

    /** {@link #input()} in a full-size buffer, which a tunnel relays the client's bytes through. */
    ByteBuffer inputForTunnel() {
        return input.fullBytes();
    }

    /** Whether the read buffer is full of what the proxy has not consumed. */
    boolean inputFull() {
        return input.isFull();
    }

    /** Reads client bytes after those {@link #input()} still holds; -1 at end of stream or on an error. */
    int readClient() {
        return input.read();
    }

    /** The client closed its side: the connection closes after the exchange. */
    void inputEnded() {
        clientClosedInput = true;
    }

    /** Reads the client again: for an abort or the next request, once a streamed body went to the peer whole. */
    void watchInput() {
        if (state == ClientState.UPSTREAM) {
            reading(true);
        }
    }

    /** Whether the client is read: not while a request waits, nor while its bytes may not move. */
    void reading(boolean read) {
        if (read) {
            Interest.add(key, SelectionKey.OP_READ);
            readAheadLater();
        } else {
            Interest.remove(key, SelectionKey.OP_READ);
        }
    }

    SelectionKey key() {
        return key;
    }

    // ---------------------------------------------------------------- requests

    private void parseHead() {
        if (!input.hasRemaining()) {
            return;
        }
        if (waiting == Wait.KEEPALIVE) {
            expect(Wait.HEADER, limits.headerTimeout().toNanos());
        }
        headStarted = true;
        ParseResult result = parser.parse(input.bytes());
        if (refusal != null && result != ParseResult.NEED_MORE) {
            cycle.refuse(HttpStatus.BAD_REQUEST, refusal.page());
        } else if (result == ParseResult.ERROR) {
            cycle.refuse(parser.errorStatus());
        } else if (result != ParseResult.NEED_MORE) {
            requests++;
            boolean keepAlive = parser.head().isKeepAlive() && requests < limits.keepaliveRequests()
                    && !loop.eventLoop.isShuttingDown() && !limits.keepaliveTimeout().isZero();
            cycle.begin(parser.head(), keepAlive);
        }
    }

    /** The request cycle moves the connection to {@code next}; none of the connection's own waits goes on. */
    void enter(ClientState next) {
        moveTo(next);
        expect(Wait.NONE, 0);
    }

    /**
     * The request waits in {@code next} (a delay of limit_req, or a handler's later answer) while the client is
     * watched ({@link RequestCycle#heldClientReadable()}): what it sends meanwhile waits in its read buffer, and a
     * client that leaves ends the request; a delay of {@code delayNanos} &gt; 0 ends with {@link
     * RequestCycle#delayOver()}.
     */
    void hold(ClientState next, long delayNanos) {
        enter(next);
        reading(!input.isFull());
        if (delayNanos > 0) {
            expect(Wait.LIMIT, delayNanos);
        }
    }

    /** Ends a {@link #hold} in {@code held}: false when the connection moved on meanwhile (it closed). */
    boolean resume(ClientState held) {
        if (state != held) {
            return false;
        }
        reading(true);
        return true;
    }

    /** The peer's response goes to the client from now on: no request timers, no read buffer held while it does. */
    void responding() {
        expect(Wait.NONE, 0);
        input.releaseIfEmpty();
    }

    /**
     * The client sent nothing more for now: its read buffer goes back while it holds nothing, so that a body that
     * comes slowly holds only the buffer it is gathered in (nginx reads it straight into client_body_buffer_size).
     */
    void idleInput() {
        input.releaseIfEmpty();
    }

    /** A write to the client failed; true when the exchange goes on without the client (ignore_client_abort). */
    boolean writeFailed() {
        return cycle.writeFailed();
    }

    /** The client took nothing for send_timeout. */
    void sendTimedOut() {
        cycle.clientStalled();
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

    boolean isResponding() {
        return state == ClientState.RESPOND;
    }

    boolean isClosed() {
        return state == ClientState.CLOSED;
    }

    // ---------------------------------------------------------------- between requests

    /** The exchange is over: the next request (pipelined, or awaited under keepalive_timeout), or a close. */
    void nextRequest(boolean keepAlive) {
        // a client that half-closed after pipelining its requests (proxy_ignore_client_abort on) gets every one
        if (!keepAlive || state == ClientState.CLOSED || loop.eventLoop.isShuttingDown()
                || clientClosedInput && !input.hasRemaining() || output.isDropping()) {
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
            parser.release();
            output.release();
            expect(Wait.KEEPALIVE, limits.keepaliveTimeout().toNanos());
        }
        readAheadLater();
    }

    /**
     * A response of the proxy's own went out for a request whose body was never read: the body is dropped by its
     * framing, then the next request is read ({@link BodyDiscard}), as nginx discards such a body.
     */
    void discardBody() {
        moveTo(ClientState.DISCARD_BODY);
        expect(Wait.NONE, 0);
        Interest.set(key, SelectionKey.OP_READ);
        cycle.discardBody();
    }

    /**
     * Closes the way nginx's lingering close does: stop sending, read and drop what the client still sends for a
     * while, then close, so the client reads our response instead of a reset.
     */
    void lingeringClose() {
        if (state == ClientState.CLOSED) {
            return;
        }
        moveTo(ClientState.LINGER);
        try {
            wire.shutdownOutput();
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

    // ---------------------------------------------------------------- the timer

    private void onTimer() {
        Wait expired = waiting;
        waiting = Wait.NONE;
        switch (expired) {
            case HEADER:
                if (state == ClientState.HANDSHAKE) {
                    close(); // nginx closes a handshake that ran out of client_header_timeout without a word
                } else if (state != ClientState.READ_HEAD) {
                    cycle.respond(HttpStatus.REQUEST_TIMEOUT, null, true);
                } else if (headStarted) {
                    cycle.refuse(HttpStatus.REQUEST_TIMEOUT);
                } else {
                    close();
                }
                break;
            case LIMIT:
                reading(true);
                cycle.delayOver();
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
        cycle.stop();
        key.cancel();
        try {
            wire.close();
        } catch (IOException ignored) {
            // closing: nothing left to do
        }
        release();
    }

    private void release() {
        cycle.release();
        input.release();
        parser.release();
        output.release();
        loop.closed(this);
    }

    /** Whether an exchange is in flight, for graceful shutdown. */
    boolean isBusy() {
        return state == ClientState.READ_BODY || state == ClientState.HOOK || state == ClientState.UPSTREAM
                || state == ClientState.RESPOND || state == ClientState.TUNNEL
                || state == ClientState.READ_HEAD && headStarted;
    }

    /**
     * Whether the connection waits for a request and has not had a byte of it, nor of a TLS handshake: nginx's
     * reusable connection, which it closes when it runs out of connections.
     */
    boolean waitsForRequest() {
        return state == ClientState.READ_HEAD && !headStarted || state == ClientState.HANDSHAKE && !handshake.started();
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
