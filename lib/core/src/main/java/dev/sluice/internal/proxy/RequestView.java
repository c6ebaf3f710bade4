package dev.sluice.internal.proxy;

import dev.sluice.ClientTls;
import dev.sluice.ProxyRequest;
import dev.sluice.Route;
import dev.sluice.ValueTemplate;
import dev.sluice.internal.http.RequestHead;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;

/** The {@link ProxyRequest} a handler sees: a view of the connection's current request head, reused per request. */
final class RequestView implements ProxyRequest {

    private final String clientAddress;
    private final RequestVariables variables;
    private final StringBuilder scratch = new StringBuilder(64);
    private RequestHead head;
    private Route route;
    private String path;
    private ByteBuffer body;
    private ClientTls tls;

    RequestView(String clientAddress, RequestVariables variables) {
        this.clientAddress = clientAddress;
        this.variables = variables;
    }

    @Override
    public String value(ValueTemplate template) {
        StringBuilder out = new StringBuilder();
        template.appendTo(out, variables.bind(head, route.upstream()));
        return out.toString();
    }

    /** The client's TLS: {@link ProxyRequest#tls()}. */
    void secured(ClientTls tls) {
        this.tls = tls;
    }

    @Override
    public Optional<ClientTls> tls() {
        return Optional.ofNullable(tls);
    }

    /** The body the route read for its handler (read-only), or null: {@link ProxyRequest#body()}. */
    void body(ByteBuffer body) {
        this.body = body;
    }

    @Override
    public ByteBuffer body() {
        return body == null ? null : body.duplicate();
    }

    /** Points this view at a new request. */
    RequestView of(RequestHead head, Route route) {
        this.head = head;
        this.route = route;
        this.path = null;
        return this;
    }

    @Override
    public String method() {
        return head.method();
    }

    @Override
    public String target() {
        return head.target();
    }

    @Override
    public String path() {
        if (path == null) {
            scratch.setLength(0);
            head.appendPath(scratch);
            path = scratch.toString();
        }
        return path;
    }

    @Override
    public String query() {
        String target = head.target();
        int question = target.indexOf('?');
        return question < 0 ? "" : target.substring(question + 1);
    }

    @Override
    public String header(String name) {
        return head.fields().get(name);
    }

    @Override
    public List<String> headers(String name) {
        return head.fields().getAll(name);
    }

    @Override
    public String clientAddress() {
        return clientAddress;
    }

    @Override
    public String routePrefix() {
        return route.prefix();
    }

    @Override
    public String toString() {
        return head.method() + " " + head.target();
    }
}
