package dev.sluice.internal.proxy;

import dev.sluice.ValueTemplate;
import dev.sluice.internal.http.HttpFields;
import dev.sluice.internal.http.ResponseHead;
import dev.sluice.upstream.PeerState;
import dev.sluice.upstream.Sticky;
import dev.sluice.upstream.UpstreamGroup;
import java.time.ZonedDateTime;

/**
 * The sticky session of one request (NGINX Plus's {@code sticky}): the value its {@code lookup} variables hold, the
 * peer that value binds it to, and, once a peer answers, what the response binds: the cookie {@code sticky cookie}
 * sets when the request did not already carry that peer's id, or the session {@code sticky learn} learns from the
 * response's cookie. One per exchange, made for the first request to a sticky group.
 */
final class StickyBinding {

    private final StringBuilder scratch = new StringBuilder(48);
    private final FieldEdits cookie = new FieldEdits();
    /** The value the request's lookup variables held, or null. */
    private String requested;

    /** The peer the request's sticky value binds it to in {@code group}, or null. */
    PeerState bind(UpstreamGroup group, ValueTemplate.Variables variables) {
        requested = null;
        for (ValueTemplate lookup : group.sticky().lookup()) {
            scratch.setLength(0);
            lookup.appendTo(scratch, variables);
            if (scratch.length() > 0) {
                requested = scratch.toString();
                return group.stickyPeer(requested);
            }
        }
        return null;
    }

    /**
     * {@code peer} of {@code group} answered with {@code head}, which is relayed with {@code edits} (a handler's,
     * or null): returns the edits with the sticky cookie added when one must be set; learns a session.
     */
    FieldEdits answered(UpstreamGroup group, PeerState peer, ResponseHead head, FieldEdits edits) {
        Sticky sticky = group.sticky();
        if (sticky.method() == Sticky.Method.COOKIE && !peer.stickyId().equals(requested)) {
            FieldEdits withCookie = edits;
            if (withCookie == null) {
                cookie.clear();
                withCookie = cookie;
            }
            withCookie.add("Set-Cookie", sticky.setCookie(peer, ZonedDateTime.now()));
            return withCookie;
        }
        if (sticky.method() == Sticky.Method.LEARN) {
            String session = responseCookie(head.fields(), sticky.cookieName());
            if (session != null) {
                group.learnSession(session, peer);
            }
        }
        return edits;
    }

    /** The value a response sets cookie {@code name} to ({@code $upstream_cookie_NAME}), or null. */
    static String responseCookie(HttpFields fields, String name) {
        for (int i = fields.indexOf("Set-Cookie"); i >= 0; i = fields.indexOf("Set-Cookie", i + 1)) {
            String line = fields.value(i);
            int eq = line.indexOf('=');
            if (eq > 0 && line.substring(0, eq).strip().equals(name)) {
                int end = line.indexOf(';', eq);
                String value = line.substring(eq + 1, end < 0 ? line.length() : end).strip();
                return value.isEmpty() ? null : value;
            }
        }
        return null;
    }
}
