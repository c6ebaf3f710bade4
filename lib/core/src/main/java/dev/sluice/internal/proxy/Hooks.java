package dev.sluice.internal.proxy;

import dev.sluice.Answer;
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
 * Calls the {@link ProxyHandler} of a route (its own or its server's) for the exchanges of one client connection, each phase guarded: a hook that
 * throws is logged once with the route and the phase, and the exchange answers for it (500 before the request went
 * upstream, 502 after) instead of losing the connection's other requests. Made for a connection when its first
 * request meets a route with a handler; the views and edits it hands out are reused.
 */
final class Hooks {

    /** What a hook that failed before the request went upstream costs the client. */
    static final Answer FAILED_BEFORE_UPSTREAM = Answer.of(500);
    /** What a hook that failed on the peer's response costs the client. */
    static final Answer FAILED_ON_RESPONSE = Answer.of(502);

    private static final Logger log = LoggerFactory.getLogger(Hooks.class);

    private final RequestView view;
    private final RequestEdits requestEdits = new RequestEdits();
    private final ResponseEdits responseEdits = new ResponseEdits();

    Hooks(String clientAddress) {
        this.view = new RequestView(clientAddress);
    }

    /** The body the handlers of the current request see, read-only, or null when its route reads none. */
    void requestBody(ByteBuffer body) {
        view.body(body);
    }

    /** {@link ProxyHandler#onRequest}: its answer, null to proxy the request, or a 500 when it failed. */
    Answer onRequest(ProxyHandler handler, Route route, RequestHead request) {
        try {
            return handler.onRequest(view.of(request, route));
        } catch (RuntimeException e) {
            failed(route, "onRequest", request, e);
            return FAILED_BEFORE_UPSTREAM;
        }
    }

    /** {@link ProxyHandler#chooseUpstream}: the group, or null when the hook failed or returned none. */
    UpstreamGroup chooseUpstream(ProxyHandler handler, Route route, RequestHead request) {
        try {
            UpstreamGroup group = handler.chooseUpstream(view.of(request, route), route.upstream());
            if (group == null) {
                throw new IllegalStateException("chooseUpstream returned no group");
            }
            return group;
        } catch (RuntimeException e) {
            failed(route, "chooseUpstream", request, e);
            return null;
        }
    }

    /** {@link ProxyHandler#upstreamRequest}: the edits to apply, or null when the hook failed. */
    RequestEdits upstreamRequest(ProxyHandler handler, Route route, RequestHead request) {
        requestEdits.clear();
        try {
            handler.upstreamRequest(view.of(request, route), requestEdits);
            return requestEdits;
        } catch (RuntimeException e) {
            failed(route, "upstreamRequest", request, e);
            return null;
        }
    }

    /**
     * {@link ProxyHandler#upstreamResponse}: an answer that replaces the response (a 502 when the hook failed), or
     * null to relay it with {@link #responseEdits()}.
     */
    Answer upstreamResponse(ProxyHandler handler, Route route, RequestHead request, ResponseHead head) {
        try {
            return handler.upstreamResponse(view.of(request, route), responseEdits.of(head));
        } catch (RuntimeException e) {
            failed(route, "upstreamResponse", request, e);
            return FAILED_ON_RESPONSE;
        }
    }

    /** The field edits of the last {@link #upstreamResponse}. */
    FieldEdits responseEdits() {
        return responseEdits.fields;
    }

    /** {@link ProxyHandler#done}; a failure is logged and changes nothing. */
    void done(ProxyHandler handler, Route route, RequestHead request, ExchangeRecord record) {
        try {
            handler.done(view.of(request, route), record);
        } catch (RuntimeException e) {
            failed(route, "done", request, e);
        }
    }

    static void failed(Route route, String phase, RequestHead request, Throwable e) {
        log.warn("the handler of route {} failed in {} for {} {}", route.prefix(), phase, request.method(),
                request.target(), e);
    }
}
