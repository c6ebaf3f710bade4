package dev.sluice.internal.proxy;

import dev.sluice.UpstreamRequest;
import dev.sluice.internal.http.FieldText;

/** What a handler changed of the request head the peers get: {@link UpstreamRequest}, reused per request. */
final class RequestEdits extends HeadEdits<UpstreamRequest> implements UpstreamRequest {

    private String method;
    private String target;

    void clear() {
        fields.clear();
        method = null;
        target = null;
    }

    /** The method to send, or null for the client's. */
    String method() {
        return method;
    }

    /** The target to send, or null for the client's. */
    String target() {
        return target;
    }

    @Override
    public UpstreamRequest method(String method) {
        this.method = FieldText.name(method);
        return this;
    }

    @Override
    public UpstreamRequest target(String target) {
        FieldText.value(target);
        if (!target.startsWith("/") || target.indexOf(' ') >= 0) {
            throw new IllegalArgumentException("an upstream target is a path with an optional query: \"" + target
                    + "\"");
        }
        this.target = target;
        return this;
    }

    @Override
    UpstreamRequest self() {
        return this;
    }
}
