package dev.sluice.internal.proxy;

import dev.sluice.Answer;
import dev.sluice.ClientLimits;
import dev.sluice.ClientTls;
import dev.sluice.ErrorPage;
import dev.sluice.Route;
import dev.sluice.internal.http.HttpStatus;
import dev.sluice.internal.http.RequestHead;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * One request's way through its client connection, from a parsed head to the end of its response: admission (a
 * location, client_max_body_size, limit_req), the handler's answer (now or later), the body ({@link
 * RequestBodyReader}), then the upstream half ({@link Exchange}) or an answer of the proxy's own, and at the end
 * the next request or a lingering close. nginx's request phases and {@code ngx_http_finalize_request}. The {@link
 * ClientConnection} owns the socket and the states this moves it through; one cycle serves its requests in turn.
 */
final class RequestCycle {

    private static final ByteBuffer NO_BODY = ByteBuffer.allocate(0).asReadOnlyBuffer();

    private final ClientConnection client;
    private final ClientOutput output;
    private final LoopContext loop;
    private final ClientLimits limits;
    private final RemotePeer remote;
    private final RequestLimits requestLimits = new RequestLimits();
    private final RequestBodyReader body;
    private final Exchange exchange;
    private final Reroutes reroutes;
    private LaterAnswer laterAnswer;
    private Tunnel tunnel;
    /** Whether the body is being read for the route's handler, which is asked once it is whole. */
    private boolean readingForHandler;
    /** Whether the body was read whole before the handler was asked: it goes upstream as read. */
    private boolean bodyReadFirst;
    /** Whether a route of the current request had limits: those of a route it is rerouted to no longer apply. */
    private boolean limitsChecked;

    RequestCycle(ClientConnection client, ClientOutput output, LoopContext loop, ServerTable servers, RemotePeer remote,
            String localPort) {
        this.client = client;
        this.output = output;
        this.loop = loop;
        this.limits = loop.engine.limits;
        this.remote = remote;
        this.body = new RequestBodyReader(client, this, output, loop);
        this.exchange = new Exchange(this, output, loop, servers, body, remote,
                new RequestVariables(remote.address, remote.port, localPort, loop.engine.maps));
        this.reroutes = new Reroutes(this, exchange, body, client);
    }

    // ---------------------------------------------------------------- admission

    /** A request head was parsed; {@code keepAlive}: whether the connection may serve another after it. */
    void begin(RequestHead head, boolean keepAlive) {
        readingForHandler = false;
        bodyReadFirst = false;
        limitsChecked = false;
        reroutes.begin();
        exchange.begin(head, keepAlive);
        body.begin(head);
        Route route = exchange.route();
        if (route == null || route.internal()) { // an internal route serves rerouted requests alone
            respond(HttpStatus.NOT_FOUND, null, !keepAlive);
            return;
        }
        if (tooLarge(route)) {
            respond(HttpStatus.CONTENT_TOO_LARGE, null, true);
            return;
        }
        admit(route);
    }

    /**
     * Whether the request's declared body is beyond {@code client_max_body_size}: its route's own, else the
     * proxy's; a route's own also bounds a body it reads chunked. nginx checks it for each location the request
     * comes to.
     */
    boolean tooLarge(Route route) {
        long max = route.clientMaxBodySize() >= 0 ? route.clientMaxBodySize() : limits.maxBodySize();
        if (!bodyKept()) {
            body.limit(max);
        }
        return max > 0 && exchange.request().contentLength() > max;
    }

    /**
     * The route's limit_req and limit_conn, once per request as nginx checks them: a request rerouted from a route
     * with limits is not checked again.
     */
    void admit(Route route) {
        if (limitsChecked) {
            beforeHandler();
            return;
        }
        limitsChecked = !route.requestLimits().isEmpty() || !route.connectionLimits().isEmpty();
        long delayMillis = requestLimits.admit(route, remote.address, loop.eventLoop.nanoTime() / 1_000_000);
        if (delayMillis == RequestLimits.REJECTED) {
            respond(requestLimits.rejectStatus(), null, bodyForbidsKeepAlive() || !exchange.keepAlive());
        } else if (delayMillis > 0) {
            client.hold(ClientState.LIMITED, delayMillis * 1_000_000);
        } else {
            beforeHandler();
        }
    }

    /** Whether the request has a body not read yet, which must not be read as the next request. */
    boolean unread() {
        RequestHead request = exchange.request(); // none for a head that could not be parsed
        return request != null && request.hasBody() && !bodyKept();
    }

    /**
     * Whether a response of the proxy's own must close the connection for the request's body: one partly read or
     * sent, whose rest cannot be told apart from the next request, or one too large, whose error page nginx sends
     * on a closing connection. A body never taken up is dropped by its framing after the response instead ({@link
     * BodyDiscard}).
     */
    boolean bodyForbidsKeepAlive() {
        return unread() && (!body.untouched() || reroutes.bodyDiscarded());
    }

    /**
     * Whether the body was read whole and is kept: for the handler, or buffered for a peer before an error page
     * rerouted the request.
     */
    boolean bodyKept() {
        return bodyReadFirst || !body.isStreaming() && body.complete();
    }

    /** The client's TLS handshake settled {@code tls}: for the variables and the handler of its requests. */
    void secured(ClientTls tls) {
        exchange.secured(tls);
    }

    /** The proxy answers {@code status} with {@code page} to every request of the connection, then closes it. */
    void refuse(int status, byte[] page) {
        exchange.beginWithoutRequest();
        respond(status, page, true);
    }

    /** The proxy answers {@code status} to what is not a request: a head it could not parse, or none in time. */
    void refuse(int status) {
        exchange.beginWithoutRequest();
        respond(status, null, true);
    }

    /** A request limit_req delayed may go on. */
    void delayOver() {
        beforeHandler();
    }

    /**
     * Reads the body first when the route's handler reads it (413 beyond its limit), else asks the handler now; a
     * body read for the handler of a route the request was rerouted from is the new handler's too.
     */
    private void beforeHandler() {
        Route route = exchange.route();
        RequestHead request = exchange.request();
        if (route.handlerBodyLimit() == 0) {
            askHandler();
        } else if (request.hasBody() && bodyKept()) {
            exchange.hooks().requestBody(body.inMemory()); // read for a route the request was rerouted from
            askHandler();
        } else if (request.contentLength() > route.handlerBodyLimit()) {
            respond(HttpStatus.CONTENT_TOO_LARGE, null, true);
        } else if (!request.hasBody()) {
            exchange.hooks().requestBody(NO_BODY);
            askHandler();
        } else {
            readingForHandler = true;
            body.streams(route);
            client.enter(ClientState.READ_BODY);
            body.readWhole();
        }
    }

    /** Asks the location's handler for an answer; without one, or when it has none, the request goes on. */
    private void askHandler() {
        Answer answer = exchange.hooks().onRequest();
        if (answer != null && answer.later() != null) {
            awaitHandler(answer.later());
        } else {
            proceed(answer);
        }
    }

    /** Waits, reading nothing, for a handler's answer that comes later; the stage completes on any thread. */
    private void awaitHandler(CompletionStage<Answer> later) {
        client.hold(ClientState.HOOK, 0);
        if (laterAnswer == null) {
            laterAnswer = new LaterAnswer(loop, this::handlerAnswered);
        }
        laterAnswer.await(later, exchange.route().hookTimeout());
    }

    /** The wait for a handler's later answer ended, on this connection's loop: go on with it, or with a 500. */
    private void handlerAnswered(Answer answer, Throwable failure) {
        if (!client.resume(ClientState.HOOK)) {
            return;
        }
        if (failure != null) {
            exchange.hooks().failed("onRequest (a later answer)", failure);
            proceed(Hooks.FAILED_BEFORE_UPSTREAM);
        } else {
            proceed(answer);
        }
    }

    /** Goes on with a request its handler answered ({@code answer}), or with its body and upstream (null). */
    private void proceed(Answer answer) {
        boolean unread = unread();
        if (answer != null && answer.reroute() != null) {
            reroutes.to(answer.reroute());
        } else if (answer != null) {
            answer(answer, bodyForbidsKeepAlive()); // an unread body must not be read as the next request
        } else if (reroutes.bodyDiscarded()) {
            respond(HttpStatus.CONTENT_TOO_LARGE, null, true); // a route that would read the body too large
        } else if (!unread || body.streams(exchange.route())) {
            upstream();
        } else {
            client.enter(ClientState.READ_BODY); // client_body_timeout is the reader's from here
            body.readWhole();
        }
    }

    /** A peer answered with {@code X-Accel-Redirect: target}: see {@link Reroutes#accelRedirect}. */
    void accelRedirect(String target) {
        reroutes.accelRedirect(target);
    }

    /** The body was read whole: its route's handler is asked now if it reads it, else the request goes upstream. */
    void bodyRead() {
        if (reroutes.bodyRead()) {
            return; // an error page waited for the body
        }
        if (readingForHandler) {
            readingForHandler = false;
            bodyReadFirst = true;
            exchange.hooks().requestBody(body.inMemory());
            askHandler();
        } else {
            upstream();
        }
    }

    private void upstream() {
        if (!client.isUpstream()) { // an error page rerouted the request from upstream: it stays there
            client.enter(ClientState.UPSTREAM);
        }
        client.reading(true);
        exchange.beginUpstream();
    }

    /**
     * A streamed body failed on the client's side for {@code why} (refused, timed out, cut off): the peer, which got
     * part of a body, loses its connection, and the client gets {@code code} on a closing connection.
     */
    void abortStream(int code, String why) {
        exchange.stopAttempt(why);
        respond(code, null, true);
    }

    // ---------------------------------------------------------------- the client while the exchange runs

    /** More of a body being buffered arrived. */
    void bodyReadable() {
        body.readBuffered();
    }

    /** The client sent bytes while the request is upstream or answered. */
    void clientReadable(boolean upstream) {
        if (!upstream) {
            watchForAbort();
        } else if (body.clientReadable()) {
            exchange.bodyArrived();
        } else if (body.holdsRun()) {
            client.reading(false); // the peer has not taken the bytes before
        } else {
            watchForAbort();
        }
    }

    /**
     * While the request is held (limit_req's delay, a handler's later answer): keeps what the client sends for later
     * and notices a client that went away, as nginx's {@code ngx_http_test_reading} does during limit_req's delay:
     * the request ends with 499 and goes no further, so a client that left takes no upstream request and no place.
     */
    void heldClientReadable() {
        if (client.inputFull()) {
            client.reading(false);
            return;
        }
        if (client.readClient() < 0) {
            client.inputEnded();
            exchange.clientAborted();
            endAndClose();
        }
    }

    /** While an exchange runs: notices a client that went away ({@code proxy_ignore_client_abort off}). */
    private void watchForAbort() {
        int n = client.readClient();
        if (n < 0) {
            client.inputEnded();
            client.reading(false);
            if (client.isUpstream() && !exchange.route().ignoreClientAbort()) {
                exchange.clientAborted();
                endAndClose();
            }
        } else if (client.inputFull()) {
            client.reading(false);
        }
    }

    /** The client can take more: the relay goes on, or the rest of an answer of the proxy's own. */
    void clientWritable() {
        if (client.isUpstream() && exchange.headerSent()) {
            exchange.relay();
        } else if (output.flush()) {
            afterLocalResponse();
        }
    }

    /** A write to the client failed; true when the exchange goes on without the client (ignore_client_abort). */
    boolean writeFailed() {
        if (client.isUpstream()) {
            if (exchange.route().ignoreClientAbort()) {
                client.inputEnded();
                output.drop();
                return true;
            }
            exchange.clientAborted();
            end();
        }
        client.close();
        return false;
    }

    /** The client took nothing for send_timeout: the exchange ends as 499 (or with the status it sent). */
    void clientStalled() {
        if (client.isUpstream()) {
            exchange.clientStalled();
            end();
        }
        client.close();
    }

    // ---------------------------------------------------------------- what goes to the client

    /** The peer's response goes to the client from now on: no request timers, no read buffer held while it does. */
    void responding() {
        client.responding();
    }

    /** The relayed response went to the client whole: the next request, or a lingering close. */
    void responseSent() {
        end();
        if (body.isStreaming() && !body.complete()) {
            client.lingeringClose(); // the rest of the request body is still on its way: let the client read the answer
        } else {
            client.nextRequest(exchange.keepAlive());
        }
    }

    /** The peer switched protocols: relay {@code head} (the 101) then bytes both ways with the peer's connection. */
    void tunnel(ByteBuffer head, Attempt peer, long idleNanos) {
        if (tunnel == null) {
            tunnel = new Tunnel(exchange, loop);
        }
        peer.beginTunnel(tunnel);
        ByteBuffer switched = output.adopt(head);
        client.enter(ClientState.TUNNEL);
        tunnel.start(client.key(), client.wire(), client.inputForTunnel(), peer.key(), peer.wire(), peer.headBuffer(),
                switched, idleNanos);
    }

    /**
     * Sends a response of the proxy's own: {@code page} (HTML) with {@code code}, or without a page the route's {@code
     * error_page} for the code when it has one (nginx's {@code error_page 502 504 /50x.html}, an intercepted status,
     * a page with a status of its own, a redirect), else nginx's built-in page. A page that reroutes the request
     * reads its body first when no part of it was read yet; for a 413 the body is never read (a route that would read
     * it answers 413), as nginx discards it; one whose body went to a peer unbuffered, or a 408, gets the built-in
     * page.
     */
    void respond(int code, byte[] page, boolean closeAfter) {
        Route route = exchange.route();
        ErrorPage errorPage = page == null && route != null && reroutes.errorPagesApply()
                ? route.errorPages().get(code) : null;
        if (errorPage != null && errorPage.reroutes() && reroutes.errorPage(code, errorPage)) {
            return;
        }
        if (errorPage == null || errorPage.reroutes()) {
            respond(code, page == null ? List.of() : LocalResponse.HTML, page, closeAfter);
        } else if (errorPage.location() != null) {
            respond(errorPage.status(), List.of(Map.entry("Location", errorPage.location())), null, closeAfter);
        } else {
            List<Map.Entry<String, String>> typed = errorPage.contentType().isEmpty() ? List.of()
                    : List.of(Map.entry("Content-Type", errorPage.contentType())); // "": default_type "", no type
            respond(errorPage.status(), typed, errorPage.body(), closeAfter);
        }
    }

    /**
     * Sends a handler's answer. One of a status alone ({@code Answer.of(404)}: {@code return 404}, a file that is
     * not there) gets the route's {@code error_page} for it, as nginx's built-in page would be replaced.
     */
    void answer(Answer answer, boolean closeAfter) {
        byte[] body = answer.body(); // a copy, taken once
        if (body == null && answer.headers().isEmpty()) {
            respond(answer.status(), null, closeAfter);
        } else {
            respond(answer.status(), answer.headers(), body, closeAfter);
        }
    }

    /**
     * Sends {@code answered} with {@code fields} and {@code page}; the status an error page forces replaces it
     * unless this is itself an error or a redirect without a page of its own, which, as nginx's special responses,
     * keeps its status.
     */
    private void respond(int answered, List<Map.Entry<String, String>> fields, byte[] page, boolean closeAfter) {
        int code = page == null && answered >= 300 ? answered : exchange.statusSent(answered);
        boolean head = exchange.isHeadRequest();
        // as nginx, drop what came of an untouched body first: one that breaks its framing closes the connection
        boolean broken = !closeAfter && unread() && body.untouched() && !body.dropArrived();
        boolean keepAlive = exchange.answeredLocally(code, LocalResponse.bodyLength(code, page, head),
                closeAfter || broken);
        client.enter(ClientState.RESPOND);
        output.queueFlipped(LocalResponse.write(output.cleared(), code, fields, page, keepAlive, head));
        if (output.flush()) {
            afterLocalResponse();
        }
    }

    private void afterLocalResponse() {
        if (client.isResponding()) {
            boolean unread = unread();
            boolean discard = unread && body.untouched();
            end();
            if (exchange.keepAlive() && discard) {
                client.discardBody();
            } else if (exchange.keepAlive() && !unread) {
                client.nextRequest(true);
            } else {
                client.lingeringClose();
            }
        }
    }

    /** The response went out, the body was never read: drop it, then the next request. */
    void discardBody() {
        body.discard();
    }

    /** The client sent more of a body being dropped. */
    void discardReadable() {
        body.discardReadable();
    }

    // ---------------------------------------------------------------- the end

    /** The exchange ended in a way that leaves the client connection unusable: log it, then close. */
    void endAndClose() {
        end();
        client.close();
    }

    private void end() {
        requestLimits.release();
        body.release();
        exchange.end();
    }

    /** The connection closes: a wait for a handler ends, the attempt lets its peer go without blame. */
    void stop() {
        if (laterAnswer != null) {
            laterAnswer.cancel();
        }
        exchange.stopAttempt("client connection closed");
    }

    /** The connection closed: everything the request held goes back. */
    void release() {
        requestLimits.release();
        exchange.release();
        if (tunnel != null) {
            tunnel.stop();
        }
        body.release();
    }

    // ---------------------------------------------------------------- what the exchange asks of the connection

    boolean isUpstream() {
        return client.isUpstream();
    }

    void watchInput() {
        client.watchInput();
    }

    void close() {
        client.close();
    }

    /** Readiness of the client while tunnelling. */
    void tunnelReady(int readyOps) {
        if (client.isTunnel()) {
            tunnel.ready(true, readyOps);
        }
    }
}
