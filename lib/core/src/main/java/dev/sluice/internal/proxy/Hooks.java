package dev.sluice.internal.proxy;

import dev.sluice.Answer;
import dev.sluice.ClientTls;
import dev.sluice.ProxyHandler;
import dev.sluice.Route;
import dev.sluice.internal.http.RequestHead;
import dev.sluice.internal.http.ResponseHead;
import dev.sluice.observe.ExchangeRecord;
import dev.sluice.upstream.UpstreamGroup;
import java.nio.ByteBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link ProxyHandler} of the current request's route (its own or its server's), bound per request and called
 * phase by phase, each phase guarded: a hook that throws is logged once with the route and the phase, and the
 * exchange answers for it (500 before the request went upstream, 502 after) instead of losing the connection's other
 * requests. One per client connection; the view and edits it hands out are made when its first request meets a
 * handler, and reused.
 */
final class Hooks {

    /** What a hook that failed before the request went upstream costs the client. */
    static final Answer FAILED_BEFORE_UPSTREAM = Answer.of(500);
    /** What a hook that failed on the peer's response costs the client. */
    static final Answer FAILED_ON_RESPONSE = Answer.of(502);

    private static final Logger log = LoggerFactory.getLogger(Hooks.class);

    private final String clientAddress;
    private final RequestVariables variables;
    private ClientTls tls;
    private RequestView view;
    private RequestEdits requestEdits;
    private ResponseEdits responseEdits;
    private ProxyHandler handler;
    private Route route;
    private RequestHead request;

    Hooks(String clientAddress, RequestVariables variables) {
        this.clientAddress = clientAddress;
        this.variables = variables;
    }

    /** The client's TLS, which the request view gives the handler. */
    void secured(ClientTls tls) {
        this.tls = tls;
        if (view != null) {
            view.secured(tls);
        }
    }

    /** Binds the handler of a new request ({@code handler} null: the request has none, every hook is skipped). */
    void bind(ProxyHandler handler, Route route, RequestHead request) {
        this.handler = handler;
        this.route = route;
        this.request = request;
        if (handler != null && view == null) {
            view = new RequestView(clientAddress, variables);
            view.secured(tls);
            requestEdits = new RequestEdits();
            responseEdits = new ResponseEdits();
        }
        if (view != null) {
            view.of(request, route).body(null);
        }
    }

    /** Whether the current request has a handler. */
    boolean bound() {
        return handler != null;
    }

    /** The body the handler of the current request sees, read-only: {@link dev.sluice.ProxyRequest#body()}. */
    void requestBody(ByteBuffer body) {
        if (view != null) {
            view.body(body);
        }
    }

    /** {@link ProxyHandler#onRequest}: its answer, null to proxy the request (always without a handler), or a 500. */
    Answer onRequest() {
        if (handler == null) {
            return null;
        }
        try {
            return handler.onRequest(view);
        } catch (RuntimeException e) {
            failed("onRequest", e);
            return FAILED_BEFORE_UPSTREAM;
        }
    }

    /** {@link ProxyHandler#chooseUpstream}: the group, or null when the hook failed or returned none. */
    UpstreamGroup chooseUpstream() {
        try {
            UpstreamGroup group = handler.chooseUpstream(view, route.upstream());
            if (group == null) {
                throw new IllegalStateException("chooseUpstream returned no group");
            }
            return group;
        } catch (RuntimeException e) {
            failed("chooseUpstream", e);
            return null;
        }
    }

    /** {@link ProxyHandler#upstreamRequest}: the edits to apply, or null when the hook failed. */
    RequestEdits upstreamRequest() {
        requestEdits.clear();
        try {
            handler.upstreamRequest(view, requestEdits);
            return requestEdits;
        } catch (RuntimeException e) {
            failed("upstreamRequest", e);
            return null;
        }
    }

    /**
     * {@link ProxyHandler#upstreamResponse}: an answer that replaces the response (a 502 when the hook failed), or
     * null to relay it with {@link #responseEdits()}.
     */
    Answer upstreamResponse(ResponseHead head) {
        try {
            Answer answer = handler.upstreamResponse(view, responseEdits.of(head));
            if (answer != null && answer.reroute() != null) {
                throw new IllegalStateException("a reroute answers onRequest only: " + answer);
            }
            return answer;
        } catch (RuntimeException e) {
            failed("upstreamResponse", e);
            return FAILED_ON_RESPONSE;
        }
    }

    /** The field edits of the last {@link #upstreamResponse}. */
    FieldEdits responseEdits() {
        return responseEdits.fields;
    }

    /** {@link ProxyHandler#done}, when the request has a handler; a failure is logged and changes nothing. */
    void done(ExchangeRecord record) {
        if (handler == null) {
            return;
        }
        try {
            handler.done(view, record);
        } catch (RuntimeException e) {
            failed("done", e);
        }
    }

    /** The handler's later answer failed or did not come in time: logged as its phase's failure. */
    void failed(String phase, Throwable e) {
        log.warn("the handler of route {} failed in {} for {} {}", route.prefix(), phase, request.method(),
                request.target(), e);
    }
}
