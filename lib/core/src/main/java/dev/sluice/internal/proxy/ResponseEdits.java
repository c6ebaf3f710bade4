package dev.sluice.internal.proxy;

import dev.sluice.UpstreamResponse;
import dev.sluice.internal.http.ResponseHead;

/** What a handler changed of the response head the client gets: {@link UpstreamResponse}, reused per response. */
final class ResponseEdits extends HeadEdits<UpstreamResponse> implements UpstreamResponse {

    private ResponseHead head;

    ResponseEdits of(ResponseHead head) {
        this.head = head;
        fields.clear();
        return this;
    }

    @Override
    public int status() {
        return head.status();
    }

    @Override
    public String header(String name) {
        return head.fields().get(name);
    }

    @Override
    UpstreamResponse self() {
        return this;
    }
}
