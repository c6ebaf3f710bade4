package dev.sluice.internal.proxy;

import dev.sluice.UpstreamRequest;
import dev.sluice.internal.http.FieldText;
import java.util.Objects;

/** What a handler changed of the request head the peers get: {@link UpstreamRequest}, reused per request. */
final class RequestEdits extends HeadEdits<UpstreamRequest> implements UpstreamRequest {

    private String method;
    private String target;
    private String hashKey;

    void clear() {
        fields.clear();
        method = null;
        target = null;
        hashKey = null;
    }

    /** The method to send, or null for the client's. */
    String method() {
        return method;
    }

    /** The target to send, or null for the client's. */
    String target() {
        return target;
    }

    /** The key a hash balancer uses, or null for the route's. */
    String hashKey() {
        return hashKey;
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
    public UpstreamRequest hashKey(String key) {
        this.hashKey = Objects.requireNonNull(key, "hashKey");
        return this;
    }

    @Override
    UpstreamRequest self() {
        return this;
    }
}
