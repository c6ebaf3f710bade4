package dev.sluice.internal.proxy;

import dev.sluice.Answer;
import dev.sluice.ClientTls;
import dev.sluice.Route;
import dev.sluice.internal.http.BodyFraming;
import dev.sluice.internal.http.HttpStatus;
import dev.sluice.internal.http.HttpVersion;
import dev.sluice.internal.http.RequestHead;
import dev.sluice.internal.http.ResponseHead;
import dev.sluice.observe.ExchangeRecord;
import dev.sluice.upstream.Outcome;
import dev.sluice.upstream.PeerState;
import dev.sluice.upstream.UpstreamGroup;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The upstream half of one request on a client connection: write the request for the peers once ({@link
 * UpstreamRequest}), run {@link Attempt}s on the peers {@link PeerChoice} picks until one gives a response or {@link
 * RetryDecision} says stop, then relay that response ({@link ResponseRelay}) or the upgraded connection ({@link
 * Tunnel}); answers of the proxy's own (502, 504, an {@code error_page}) go back to the client connection. nginx's
 * {@code ngx_http_upstream_t} with the decisions of {@code ngx_http_upstream_next}. One instance per client
 * connection serves its requests in turn, so a request allocates no exchange.
 */
final class Exchange implements AttemptListener {

    private static final Logger logger = LoggerFactory.getLogger(Exchange.class);

    private final RequestCycle cycle;
    /** The virtual servers of the address the client came to. */
    private final ServerTable servers;
    private final ClientOutput output;
    private final LoopContext loop;
    private final RequestBodyReader body;
    private final Attempt attempt;
    private final ResponseRelay responseRelay;
    private final PeerChoice choice;
    private final UpstreamRequest upstreamRequest;
    private final RequestVariables variables;
    private final ExchangeLog log;
    private final Hooks hooks;
    private final StringBuilder scratch = new StringBuilder(64);

    private RequestHead request;
    /** The virtual server's routes the request's route is one of. */
    private LocationTable table;
    private Route route;
    private UpstreamGroup group;
    private boolean keepAlive;
    private boolean headerSent;
    private int status;
    /** The status the client gets whatever answers it, or 0: see {@link #forceStatus}. */
    private int forcedStatus;
    private long firstAttemptNanos;

    Exchange(RequestCycle cycle, ClientOutput output, LoopContext loop, ServerTable servers, RequestBodyReader body,
            RemotePeer remote, RequestVariables variables) {
        this.servers = servers;
        this.cycle = cycle;
        this.output = output;
        this.loop = loop;
        this.body = body;
        this.log = new ExchangeLog(loop, remote.address);
        this.hooks = new Hooks(remote.address, variables);
        this.choice = new PeerChoice(this, loop, remote.bytes, scratch);
        this.upstreamRequest = new UpstreamRequest(body, scratch);
        this.variables = variables;
        this.attempt = new Attempt(this, loop, upstreamRequest);
        this.responseRelay = new ResponseRelay(this, loop);
    }

    // ---------------------------------------------------------------- a new request

    /** Begins the exchange of a parsed request head; {@code keepAlive} is whether the connection may serve more. */
    void begin(RequestHead head, boolean keepAlive) {
        reset(head);
        this.keepAlive = keepAlive;
        LocationTable server = servers.server(head);
        table = server;
        log.serverName(server.name());
        route = server.find(head, scratch, variables.captures());
        hooks.bind(route == null ? null : server.handler(route), route, head);
    }

    /**
     * nginx's internal redirect ({@link Answer#reroute}): the request takes {@code target} and is routed again on
     * its virtual server, or goes to the named route {@code target} ({@code @NAME}) as it is; false, changing
     * nothing, when the target's path is refused. {@link #route()} is the new route, or null when none matches.
     */
    boolean reroute(String target) {
        if (target.startsWith("@")) {
            route = table.named(target);
        } else if (request.reroute(target)) {
            route = table.find(request, scratch, variables.captures());
        } else {
            return false;
        }
        hooks.bind(route == null ? null : table.handler(route), route, request);
        return true;
    }

    /**
     * From now on the client gets {@code status} in place of the one the request is answered with (nginx's {@code
     * error_page CODE =ANSWER @NAME}, or the CODE itself without {@code =}); 0: the answer's own.
     */
    void forceStatus(int status) {
        forcedStatus = status;
    }

    /** The status the client gets for an answer of {@code status}: the {@link #forceStatus forced} one, if any. */
    int statusSent(int status) {
        return forcedStatus != 0 ? forcedStatus : status;
    }

    /** Begins an exchange that has no request: one the proxy answers before a head was parsed (400, 408). */
    void beginWithoutRequest() {
        reset(null);
        keepAlive = false;
        route = null;
        hooks.bind(null, null, null);
        variables.captures().clear();
    }

    private void reset(RequestHead head) {
        request = head;
        log.begin();
        status = 0;
        forcedStatus = 0;
        headerSent = false;
        group = null;
    }

    RequestHead request() {
        return request;
    }

    /** The location that serves the request, or null when none matches. */
    Route route() {
        return route;
    }

    boolean keepAlive() {
        return keepAlive;
    }

    /** Whether a response head (the peer's or one of the proxy's own) went to the client. */
    boolean headerSent() {
        return headerSent;
    }

    /**
     * The proxy answers this request itself with {@code code}: the response the client gets from now on. Returns
     * whether the connection stays open after it.
     */
    boolean answeredLocally(int code, long bodyBytes, boolean closeAfter) {
        if (body.stop()) {
            keepAlive = false; // a streamed body's unread rest must never be read as the next request
        }
        status = code;
        keepAlive = keepAlive && !closeAfter && request != null;
        log.bodyBytes(bodyBytes);
        headerSent = true;
        return keepAlive;
    }

    /** The client's TLS, for {@code $scheme}, {@code $ssl_*} and {@link dev.sluice.ProxyRequest#tls()}. */
    void secured(ClientTls tls) {
        variables.secured(tls);
        hooks.secured(tls);
        log.secured(tls);
    }

    Hooks hooks() {
        return hooks;
    }

    // ---------------------------------------------------------------- upstream

    /** The request (and a buffered body) is ready: choose a peer and send it. */
    void beginUpstream() {
        group = route.upstream();
        RequestEdits edits = null;
        if (hooks.bound()) {
            group = hooks.chooseUpstream();
            edits = group == null ? null : hooks.upstreamRequest();
            if (edits == null) {
                cycle.answer(Hooks.FAILED_BEFORE_UPSTREAM, !keepAlive);
                return;
            }
        }
        upstreamRequest.write(request, route, group, variables.bind(request, group), edits);
        choice.begin(group, route, variables, edits == null ? null : edits.hashKey(),
                group.ntlm() ? attempt.boundPeer(route, group) : null, request.hasNtlmAuthorization());
        firstAttemptNanos = loop.eventLoop.nanoTime();
        nextAttempt();
    }

    private void nextAttempt() {
        PeerState peer = choice.next();
        if (peer != null) {
            attempt.start(route, group, peer, choice.ntlm());
        } else if (!choice.waitInQueue()) {
            noLivePeer();
        }
    }

    /** nginx's "no live upstreams": no peer to try, and no (more) waiting for one. */
    private void noLivePeer() {
        log.noPeer(group.name(), Failure.NO_LIVE.status);
        cycle.respond(Failure.NO_LIVE.status, null, !keepAlive);
    }

    /** The wait in the queue ended: the request selects again ({@code admitted}) or, its time up, gets 502. */
    void queueWaitEnded(boolean admitted) {
        if (cycle.isUpstream() && admitted) {
            nextAttempt();
        } else if (cycle.isUpstream()) {
            noLivePeer();
        }
    }

    /** An attempt failed before a response head: {@code ngx_http_upstream_next} for ERROR, TIMEOUT, INVALID_HEADER. */
    @Override
    public void attemptFailed(Attempt failed, Failure failure, boolean stalePooledConnection) {
        if (!cycle.isUpstream()) {
            return;
        }
        RetryDecision.Action action = decide(failure, stalePooledConnection, failed.freshRetryUsed(),
                failed.requestSent(), failed.neverProcessed(failure));
        if (action == RetryDecision.Action.FRESH_CONNECTION) {
            failed.retryOnFreshConnection();
            return;
        }
        failed.finish(stalePooledConnection ? Outcome.NEUTRAL : Outcome.FAILURE, failure.status, false);
        if (action == RetryDecision.Action.NEXT_PEER_UNSPENT) {
            PeerState peer = choice.refundTry() ? choice.next() : null; // none: the failure's status, as tries out
            if (peer != null) {
                attempt.start(route, group, peer, choice.ntlm());
            } else {
                cycle.respond(failure.status, null, !keepAlive);
            }
        } else if (action == RetryDecision.Action.NEXT_PEER) {
            nextAttempt();
        } else {
            cycle.respond(failure.status, null, !keepAlive);
        }
    }

    private RetryDecision.Action decide(Failure failure, boolean stale, boolean freshRetryUsed, boolean requestSent,
            boolean neverProcessed) {
        return RetryDecision.decide(failure, stale, freshRetryUsed, requestSent, neverProcessed,
                upstreamRequest.isIdempotent(),
                body.isStreaming(), body.anySent(), headerSent, route.nextUpstream(), choice.triesLeft(),
                loop.eventLoop.nanoTime() - firstAttemptNanos);
    }

    /** A buffered body could not be read back from its temporary file: the proxy's own failure, 500. */
    @Override
    public void bodyUnreadable(Attempt failed, IOException cause) {
        logger.warn("cannot read a request body back from {}", loop.engine.tempFiles.directory(), cause);
        failed.abandon(0, "cannot read the request body back from a temporary file");
        cycle.respond(HttpStatus.INTERNAL_SERVER_ERROR, null, true);
    }

    /** The peer's response head is in: move on (a listed status), intercept it, or relay it. */
    @Override
    public void responseHead(Attempt current, ResponseHead head) {
        int code = head.status();
        Failure failure = Failure.ofStatus(code);
        if (failure != null && decide(failure, false, true, true, false) == RetryDecision.Action.NEXT_PEER) {
            current.finish(failure.countsAgainstPeer() ? Outcome.FAILURE : Outcome.NEUTRAL, code, false);
            nextAttempt();
            return;
        }
        if (body.stop()) {
            keepAlive = false; // nginx sends no more of the request once it answers: the rest stays unread
        }
        if (route.interceptErrors() && code >= 300 && route.errorPages().containsKey(code)) {
            current.finish(Outcome.SUCCESS, code, keepUpstream());
            cycle.respond(code, null, !keepAlive); // the route's error_page for the code
            return;
        }
        int accel = route.followsAccelRedirect() ? head.fields().indexOf("X-Accel-Redirect") : -1;
        if (accel >= 0 && !request.hasBody()) {
            current.finish(Outcome.SUCCESS, code, false); // its body is not read: the connection goes
            cycle.accelRedirect(head.fields().value(accel));
            return;
        }
        if (code == HttpStatus.SWITCHING_PROTOCOLS) {
            if (upstreamRequest.isUpgrade()) {
                status = code;
                keepAlive = false;
                headerSent = true;
                cycle.tunnel(ResponseRewriter.write(head, 0, request, false, output.cleared(), true, false, null,
                        null, variables, scratch), current,
                        route.readTimeout().toNanos());
            } else {
                attemptFailed(current, Failure.INVALID_HEADER, false); // it switched without being asked to
            }
            return;
        }
        FieldEdits edits = null;
        if (hooks.bound()) {
            Answer replacement = hooks.upstreamResponse(head);
            if (replacement != null) {
                current.finish(replacement == Hooks.FAILED_ON_RESPONSE ? Outcome.NEUTRAL : Outcome.SUCCESS, code,
                        replacement != Hooks.FAILED_ON_RESPONSE && keepUpstream());
                cycle.answer(replacement, !keepAlive);
                return;
            }
            edits = hooks.responseEdits();
        }
        edits = choice.answered(head, edits);
        status = statusSent(code);
        boolean dechunk = request.version() == HttpVersion.HTTP_1_0 && head.bodyFraming() == BodyFraming.CHUNKED;
        boolean chunk = ResponseRelay.chunks(head, request);
        if (head.bodyFraming() == BodyFraming.UNTIL_CLOSE && !chunk || dechunk || loop.eventLoop.isShuttingDown()) {
            keepAlive = false;
        }
        output.queue(ResponseRewriter.write(head, forcedStatus, request, keepAlive, output.cleared(), false, chunk,
                edits, group == route.upstream() ? table.redirectRewrite(route) : null, variables, scratch));
        headerSent = true;
        cycle.responding();
        responseRelay.begin(head, current.beginRelay(), route, ResponseRelay.buffering(head, route),
                dechunk, chunk);
        relay();
    }

    /**
     * Moves response body bytes from the peer to the client: when the head is in, and whenever either side is
     * ready. Once the whole body is read the peer is released, before the client has it all, as nginx finalizes the
     * upstream when it is done; the exchange ends when the client has it all.
     */
    @Override
    public void relay() {
        ResponseRelay.Step step = responseRelay.pump(attempt.isRelaying() ? attempt.wire() : null);
        if (step == ResponseRelay.Step.STOPPED || !cycle.isUpstream()) {
            return;
        }
        if (responseRelay.isComplete() && attempt.isRelaying()) {
            attempt.bodyRead(responseRelay.hasSurplus());
            attempt.finish(Outcome.SUCCESS, status, keepUpstream());
        }
        if (step == ResponseRelay.Step.DONE) {
            responseRelay.end();
            cycle.responseSent();
        } else if (step == ResponseRelay.Step.BROKEN) {
            responseBroken(attempt);
        } else if (attempt.isRelaying()) {
            attempt.awaitBody(responseRelay.wantsUpstream());
        }
    }

    /** Response bytes read from the peer after its head, for the peer's {@code received}. */
    void countReceived(long bytes) {
        attempt.meter().received(bytes);
    }

    /** Body bytes queued for the client, for {@code $body_bytes_sent}. */
    void countBody(int bytes) {
        log.countBody(bytes);
    }

    private boolean keepUpstream() {
        return group.keepalive().idle() > 0;
    }

    // ---------------------------------------------------------------- the end of an attempt or of the exchange

    /** The tunnel ended (both sides closed, an error, or idle for proxy_read_timeout): both connections close. */
    void tunnelEnded() {
        attempt.finish(Outcome.SUCCESS, status, false);
        cycle.endAndClose();
    }

    /** The loop shuts down under the exchange: close the client as the loop would, without blaming the peer. */
    @Override
    public void abandon() {
        cycle.close();
    }

    /** The response broke after its head went to the client: nothing to retry, the client sees a cut response. */
    @Override
    public void responseBroken(Attempt current) {
        responseRelay.breakOff();
        current.finish(Outcome.SUCCESS, status, false);
        cycle.endAndClose();
    }

    /** The client went away while the exchange was upstream: 499, and the peer is let go. */
    void clientAborted() {
        int answered = answeredStatus();
        status = 499;
        attempt.abandon(answered, "client prematurely closed connection, so upstream connection is closed too");
    }

    /** The client took nothing for send_timeout: 499 unless a response status was already sent; the peer is let go. */
    void clientStalled() {
        int answered = answeredStatus();
        status = status == 0 ? 499 : status;
        attempt.abandon(answered, "client timed out");
    }

    /**
     * The status the current attempt's peer answered, once its head went to the client (the attempt then keeps its
     * place in {@code $upstream_addr} and {@code $upstream_status}, as nginx logs it); 0 before.
     */
    private int answeredStatus() {
        return headerSent ? status : 0;
    }

    /** Ends the current attempt, if any, for {@code why} on the client's side, without blaming its peer. */
    void stopAttempt(String why) {
        attempt.abandon(answeredStatus(), why);
    }

    /** An attempt ends: its outcome goes to the balancer, and the attempt to the records. */
    @Override
    public void attemptFinished(Attempt a, Outcome outcome, int code) {
        choice.report(a, outcome, code);
        log.attempt(a, code);
    }

    /**
     * The exchange is over: its record goes to the listeners, and the memory its heads were written and read into
     * goes back to the thread.
     */
    void end() {
        if (request != null || status != 0) {
            ExchangeRecord record = log.end(request, status, route == null ? null : route.location(),
                    group == null ? null : group.name());
            if (record != null && request != null) {
                hooks.done(record);
            }
        }
        choice.end();
        giveBackHeads();
    }

    /** The client connection closed: the relay and the heads let go of their buffers. */
    void release() {
        responseRelay.end();
        attempt.unbind();
        choice.end();
        giveBackHeads();
    }

    /** The heads written and read for this exchange are not asked for any more: their memory goes back. */
    private void giveBackHeads() {
        attempt.forgetHead();
        upstreamRequest.release();
    }

    // ---------------------------------------------------------------- what the attempt and the relay ask

    boolean isHeadRequest() {
        return request != null && request.isMethod("HEAD");
    }

    /** A streamed body waited for the client, whose bytes came: the attempt sends them. */
    void bodyArrived() {
        attempt.bodyArrived();
    }

    /** The request went to the peer whole: watch the client again, for an abort or the next request. */
    @Override
    public void requestWritten() {
        if (body.isStreaming()) {
            cycle.watchInput();
        }
    }

    /** What goes to the client: the relay writes the response through it. */
    ClientOutput output() {
        return output;
    }
}
