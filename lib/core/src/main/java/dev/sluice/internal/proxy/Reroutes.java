package dev.sluice.internal.proxy;

import dev.sluice.Answer;
import dev.sluice.ErrorPage;
import dev.sluice.internal.http.HttpStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * nginx's internal redirects for the current request of one client connection ({@link Answer#reroute}): the
 * request is routed again on its virtual server and admitted by its new route, at most {@link #MAX} times, as
 * {@code NGX_HTTP_MAX_URI_CHANGES}. An {@code error_page} that names a route reroutes the request there once, with
 * the status it forces (nginx's {@code recursive_error_pages off}): at once when the request could go anywhere whole,
 * after reading its body when none of it was read, never reading it when it is too large (nginx discards it). A
 * peer's {@code X-Accel-Redirect} reroutes it as a GET. Reset for each request; allocates nothing unless a request
 * is rerouted.
 */
final class Reroutes {

    /** The reroutes a request may take; one more is a cycle: 500. */
    static final int MAX = 10;

    private static final Logger log = LoggerFactory.getLogger(Reroutes.class);

    private final RequestCycle cycle;
    private final Exchange exchange;
    private final RequestBodyReader body;
    private final ClientConnection client;
    /** The times the current request was rerouted. */
    private int count;
    /** Whether an error page rerouted the current request: no error page answers it again. */
    private boolean byErrorPage;
    /** The error page that reroutes the request once its body is read, or null. */
    private ErrorPage afterBody;
    /** Whether an error page rerouted the request for a body too large, which is never read. */
    private boolean bodyDiscarded;

    Reroutes(RequestCycle cycle, Exchange exchange, RequestBodyReader body, ClientConnection client) {
        this.cycle = cycle;
        this.exchange = exchange;
        this.body = body;
        this.client = client;
    }

    /** A new request: not rerouted yet. */
    void begin() {
        count = 0;
        byErrorPage = false;
        afterBody = null;
        bodyDiscarded = false;
    }

    /** Whether the route's error pages still answer the request: none rerouted it yet. */
    boolean errorPagesApply() {
        return !byErrorPage;
    }

    /** Whether the body was left unread for a 413's error page: a route that would read it answers 413. */
    boolean bodyDiscarded() {
        return bodyDiscarded;
    }

    /**
     * The error page {@code page}, which names a route, answers {@code code}: true when it reroutes the request (or
     * reads its body first to do so); false when the request cannot go on whole (its body went to a peer
     * unbuffered, or timed out) and gets the built-in page.
     */
    boolean errorPage(int code, ErrorPage page) {
        boolean unstarted = !body.isStreaming() && !client.isUpstream() && !client.isReadingBody();
        if (!cycle.unread()) { // no body, or one read whole and kept: the request can go anywhere whole
            to(page);
        } else if (code == HttpStatus.CONTENT_TOO_LARGE && unstarted) {
            bodyDiscarded = true; // as nginx discards it: a page answers, then the connection closes
            to(page);
        } else if (code != HttpStatus.CONTENT_TOO_LARGE && code != HttpStatus.REQUEST_TIMEOUT && unstarted
                && !body.streams(exchange.route())) {
            afterBody = page; // the body is read first, as it would be for the new route
            client.enter(ClientState.READ_BODY);
            body.readWhole();
        } else {
            return false;
        }
        return true;
    }

    /** The body was read whole: true when an error page waited for it, which reroutes the request now. */
    boolean bodyRead() {
        if (afterBody == null) {
            return false;
        }
        ErrorPage page = afterBody;
        afterBody = null;
        to(page);
        return true;
    }

    /**
     * A peer answered with {@code X-Accel-Redirect: target}: the request goes on as a GET (a HEAD stays one) to
     * {@code target}, a path or a named route, as nginx's; one that is neither is a 502, logged.
     */
    void accelRedirect(String target) {
        Answer reroute;
        try {
            reroute = Answer.reroute(target);
        } catch (IllegalArgumentException e) {
            log.error("a peer's X-Accel-Redirect names no path or named route: {} for {}", target,
                    exchange.request().receivedTarget());
            cycle.respond(HttpStatus.BAD_GATEWAY, null, cycle.bodyForbidsKeepAlive());
            return;
        }
        exchange.request().rerouteAsGet();
        to(reroute.reroute());
    }

    /**
     * The request is routed again with {@code target} and admitted by its new route; 404 when none matches, 413 for
     * a body beyond the new route's limit, and 500 for a path nginx refuses, a named route the server lacks or one
     * reroute too many.
     */
    void to(String target) {
        if (++count > MAX) {
            log.error("rerouted more than {} times, a cycle: {} to {}", MAX, exchange.request().receivedTarget(),
                    target);
            cycle.respond(HttpStatus.INTERNAL_SERVER_ERROR, null, cycle.bodyForbidsKeepAlive());
        } else if (!exchange.reroute(target)) {
            log.error("a reroute to an invalid path: {} to {}", exchange.request().receivedTarget(), target);
            cycle.respond(HttpStatus.INTERNAL_SERVER_ERROR, null, cycle.bodyForbidsKeepAlive());
        } else if (exchange.route() == null && target.startsWith("@")) {
            log.error("a reroute to {}, which no route of the server is: {}", target,
                    exchange.request().receivedTarget());
            cycle.respond(HttpStatus.INTERNAL_SERVER_ERROR, null, cycle.bodyForbidsKeepAlive());
        } else if (exchange.route() == null) {
            cycle.respond(HttpStatus.NOT_FOUND, null, cycle.bodyForbidsKeepAlive());
        } else if (!cycle.bodyKept() && !bodyDiscarded && cycle.tooLarge(exchange.route())) {
            cycle.respond(HttpStatus.CONTENT_TOO_LARGE, null, true);
        } else {
            cycle.admit(exchange.route());
        }
    }

    /** The request goes to the route {@code page} names, with the status it forces; a path's as a GET. */
    private void to(ErrorPage page) {
        byErrorPage = true;
        exchange.forceStatus(page.status());
        if (page.location().startsWith("/")) {
            exchange.request().rerouteAsGet(); // nginx asks for an error page's URI with a GET
        }
        to(page.location());
    }
}
