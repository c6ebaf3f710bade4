package dev.sluice.cli;

import java.util.Map;
import java.util.function.BiConsumer;

/**
 * The nginx directives that do not become a builder call, and the verdict on each: accepted, because Sluice already
 * does what it asks or it concerns nginx's own process; accepted with one value, the one Sluice always has ({@code
 * gzip off}); accepted with a warning that names what applies instead; not supported, saying why; or unknown.
 */
final class UnmappedDirectives {

    /** Why {@code http2} is accepted with a warning. */
    static final String HTTP2 = "clients speak HTTP/1.1 here (TLS offers http/1.1 alone in ALPN)";

    /** Directives with nothing to do here, and why. */
    static final Map<String, String> ACCEPTED = Map.ofEntries(
            Map.entry("pid", "the process is the JVM's"),
            Map.entry("user", "the process runs as the user who starts it"),
            Map.entry("daemon", "the proxy runs in the foreground"),
            Map.entry("error_log", "errors go to standard error"),
            Map.entry("use", "the JDK chooses the event mechanism"),
            Map.entry("multi_accept", "each loop accepts what is waiting"),
            Map.entry("accept_mutex", "each loop accepts on its own"),
            Map.entry("sendfile", "files are not sent with sendfile here"),
            Map.entry("tcp_nopush", "files are not sent with sendfile here"),
            Map.entry("tcp_nodelay", "TCP_NODELAY is always set"),
            Map.entry("pcre_jit", "regexes are the JDK's"));

    /**
     * Directives accepted with a warning, because what applies instead is close enough to run the file but is
     * not what it says: the warning names what applies.
     */
    static final Map<String, String> WARNED = Map.ofEntries(
            Map.entry("proxy_busy_buffers_size", "the buffers of a response are proxy_buffers alone, sent as the"
                    + " client reads"),
            Map.entry("ssl_session_cache", "the JDK's session cache applies (20,480 sessions)"),
            Map.entry("ssl_session_timeout", "the JDK's session timeout applies (24 hours)"),
            Map.entry("ssl_session_tickets", "the JDK's session tickets apply (TLS 1.3 tickets on)"),
            Map.entry("ssl_prefer_server_ciphers", "the JDK's cipher order applies"),
            Map.entry("ssl_dhparam", "the JDK's finite-field groups of RFC 7919 apply"),
            Map.entry("ssl_ecdh_curve", "the JDK's named groups apply"),
            Map.entry("http2", HTTP2),
            Map.entry("status_zone", "the status API reports by upstream group"));

    /** Directives accepted with one value, which is what Sluice always does: {@code proxy_cache off}. */
    static final Map<String, String> SETTLED = Map.of(
            "proxy_cache", "off",
            "gzip", "off",
            "ssl_stapling", "off",
            "proxy_cache_bypass", "1",
            "proxy_no_cache", "1",
            "chunked_transfer_encoding", "on",
            "server_tokens", "off");

    /** Directives of nginx that Sluice does not implement, and why or what to use instead. */
    static final Map<String, String> UNSUPPORTED = Map.ofEntries(
            Map.entry("if", "conditions per request; a ProxyHandler decides in code"),
            Map.entry("rewrite", "rewriting the URI; a ProxyHandler's upstreamRequest does"),
            Map.entry("set", "variables of one's own; a ProxyHandler does"),
            Map.entry("add_header", "adding response fields; a ProxyHandler's upstreamResponse does"),
            Map.entry("proxy_hide_header", "hiding response fields; a ProxyHandler's upstreamResponse does"),
            Map.entry("proxy_pass_header", "a ProxyHandler's upstreamResponse does"),
            Map.entry("proxy_cache", "caching"),
            Map.entry("proxy_cache_path", "caching"),
            Map.entry("gzip", "compression"),
            Map.entry("try_files", "try_files in a server block; write it in the root location"),
            Map.entry("alias", "alias belongs in a location"),
            Map.entry("auth_basic", "authentication; a ProxyHandler's onRequest answers 401"),
            Map.entry("allow", "access by address; a ProxyHandler's onRequest answers 403"),
            Map.entry("deny", "access by address; a ProxyHandler's onRequest answers 403"),
            Map.entry("limit_except", "a ProxyHandler's onRequest answers 405"),
            Map.entry("ssl_stapling", "OCSP stapling"),
            Map.entry("ssl_trusted_certificate", "the CAs of OCSP stapling, which Sluice does not staple"),
            Map.entry("stream", "TCP/UDP proxying"),
            Map.entry("fastcgi_pass", "FastCGI upstreams; proxy_pass speaks HTTP"),
            Map.entry("uwsgi_pass", "uwsgi upstreams; proxy_pass speaks HTTP"),
            Map.entry("scgi_pass", "SCGI upstreams; proxy_pass speaks HTTP"),
            Map.entry("grpc_pass", "gRPC upstreams (HTTP/2); proxy_pass speaks HTTP/1.1"),
            Map.entry("memcached_pass", "memcached upstreams; proxy_pass speaks HTTP"),
            Map.entry("auth_request", "subrequests; a ProxyHandler's onRequest can ask an auth service with Answer.after"),
            Map.entry("sub_filter", "rewriting bodies"),
            Map.entry("ssl", "ssl on is gone from nginx too; write listen ... ssl"),
            Map.entry("api", "NGINX Plus's API block; --status-listen and --api-listen serve it from the flags"),
            Map.entry("load_module", "nginx's dynamic modules"),
            Map.entry("proxy_pass_request_body", "subrequests; the body always goes upstream"),
            Map.entry("proxy_pass_request_headers", "subrequests; the fields always go upstream"),
            Map.entry("mail", "mail proxying"));

    private UnmappedDirectives() {
    }

    /**
     * The verdict on {@code d} in {@code context}: returns when it is accepted, tells {@code warn} why when it is
     * accepted but not applied, and throws otherwise.
     *
     * @throws UsageException naming the file and line: not supported and why, or an unknown directive
     */
    static void judge(Directive d, String context, BiConsumer<Directive, String> warn) {
        if (ACCEPTED.containsKey(d.name()) || d.joined().equals(SETTLED.get(d.name()))) {
            return;
        }
        if (WARNED.containsKey(d.name())) {
            warn.accept(d, WARNED.get(d.name()));
            return;
        }
        if (UNSUPPORTED.containsKey(d.name())) {
            throw Args.unsupported(d, UNSUPPORTED.get(d.name()));
        }
        throw Args.unknown(d, context);
    }
}
