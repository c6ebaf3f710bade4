package dev.sluice.internal.proxy;

import dev.sluice.ClientTls;
import dev.sluice.ValueTemplate;
import dev.sluice.VariableMap;
import dev.sluice.internal.http.HttpFields;
import dev.sluice.internal.http.RequestHead;
import dev.sluice.upstream.UpstreamGroup;
import java.util.Map;

/**
 * The values of nginx's variables for the request being proxied on one client connection: what {@code
 * proxy_set_header} values and {@code hash} keys are made of. One per connection, bound to each request in turn.
 */
final class RequestVariables implements ValueTemplate.Variables {

    private final String remoteAddress;
    private final String remotePort;
    private final String localPort;
    private final Captures captures = new Captures();
    /** The proxy's {@code map} variables, by name. */
    private final Map<String, VariableMap> maps;
    private RequestHead request;
    private UpstreamGroup group;
    /** The connection's TLS, or null for plain HTTP. */
    private ClientTls tls;

    RequestVariables(String remoteAddress, String remotePort, String localPort, Map<String, VariableMap> maps) {
        this.maps = maps;
        this.remoteAddress = remoteAddress;
        this.remotePort = remotePort;
        this.localPort = localPort;
    }

    /** The client's TLS: {@code $scheme} is https from now on, and the {@code $ssl_*} variables have values. */
    void secured(ClientTls tls) {
        this.tls = tls;
    }

    /** What the request's regex route captured: {@code $1} to {@code $9}. */
    Captures captures() {
        return captures;
    }

    /** Points the variables at {@code request}, proxied to {@code group}; returns this. */
    RequestVariables bind(RequestHead request, UpstreamGroup group) {
        this.request = request;
        this.group = group;
        return this;
    }

    @Override
    public void append(ValueTemplate.Part part, StringBuilder sb) {
        switch (part.variable()) {
            case HOST:
                sb.append(hostVariable());
                break;
            case REMOTE_ADDR:
                sb.append(remoteAddress);
                break;
            case REMOTE_PORT:
                sb.append(remotePort);
                break;
            case PROXY_ADD_X_FORWARDED_FOR:
                for (int f = request.fields().indexOf("X-Forwarded-For"); f >= 0;
                        f = request.fields().indexOf("X-Forwarded-For", f + 1)) {
                    sb.append(request.fields().value(f)).append(", ");
                }
                sb.append(remoteAddress);
                break;
            case SCHEME:
                sb.append(tls == null ? "http" : "https");
                break;
            case HTTPS:
                sb.append(tls == null ? "" : "on");
                break;
            case SSL_PROTOCOL:
                appendTls(tls == null ? null : tls.protocol(), sb);
                break;
            case SSL_CIPHER:
                appendTls(tls == null ? null : tls.cipher(), sb);
                break;
            case SSL_SERVER_NAME:
                appendTls(tls == null ? null : tls.serverName(), sb);
                break;
            case SSL_CLIENT_VERIFY:
                appendTls(tls == null ? null : tls.clientVerify(), sb);
                break;
            case SSL_CLIENT_S_DN:
                appendTls(tls == null ? null : tls.clientSubject(), sb);
                break;
            case REQUEST_URI:
                sb.append(RequestRewriter.originForm(request.receivedTarget()));
                break;
            case URI:
                request.appendPath(sb);
                break;
            case ARGS:
                String full = request.target();
                int at = full.indexOf('?');
                if (at >= 0) {
                    sb.append(full, at + 1, full.length());
                }
                break;
            case IS_ARGS:
                int query = request.target().indexOf('?');
                if (query >= 0 && query < request.target().length() - 1) {
                    sb.append('?'); // nginx's $is_args: "?" when the query has something in it
                }
                break;
            case REQUEST_METHOD:
                sb.append(request.method());
                break;
            case SERVER_PORT:
                sb.append(localPort);
                break;
            case CAPTURE:
                captures.appendTo(part.name().charAt(0) - '0', sb);
                break;
            case MAP:
                VariableMap map = maps.get(part.name());
                if (map != null) { // else a sticky group that only a handler chooses names a map the proxy lacks
                    map.appendTo(sb, this);
                }
                break;
            case PROXY_HOST:
                if (group != null) {
                    sb.append(group.name());
                }
                break;
            case HTTP:
                String value = request.fields().get(part.name());
                if (value != null) {
                    sb.append(value);
                }
                break;
            case ARG:
                appendArg(request.target(), part.name(), sb);
                break;
            case COOKIE:
                appendCookie(request.fields(), part.name(), sb);
                break;
            default:
                break;
        }
    }

    /** nginx's {@code $host}: {@link ServerTable#host}, else {@code localhost}. */
    private String hostVariable() {
        String host = ServerTable.host(request);
        return host == null ? "localhost" : host;
    }

    private static void appendTls(String value, StringBuilder sb) {
        if (value != null) {
            sb.append(value);
        }
    }

    /** Appends nginx's {@code $arg_NAME}: the value of query argument NAME, as sent. */
    static void appendArg(String target, String name, StringBuilder out) {
        int q = target.indexOf('?');
        if (q < 0) {
            return;
        }
        int i = q + 1;
        while (i <= target.length()) {
            int end = target.indexOf('&', i);
            if (end < 0) {
                end = target.length();
            }
            int eq = target.indexOf('=', i);
            if (eq > i && eq < end && target.regionMatches(true, i, name, 0, name.length()) && eq - i == name.length()) {
                out.append(target, eq + 1, end);
                return;
            }
            i = end + 1;
        }
    }

    /** Appends nginx's {@code $cookie_NAME}: the value of cookie NAME from the Cookie fields. */
    static void appendCookie(HttpFields fields, String name, StringBuilder out) {
        for (int f = fields.indexOf("Cookie"); f >= 0; f = fields.indexOf("Cookie", f + 1)) {
            String value = fields.value(f);
            for (String pair : value.split(";")) {
                String trimmed = pair.trim();
                int eq = trimmed.indexOf('=');
                if (eq > 0 && trimmed.substring(0, eq).equals(name)) {
                    out.append(trimmed, eq + 1, trimmed.length());
                    return;
                }
            }
        }
    }

}
