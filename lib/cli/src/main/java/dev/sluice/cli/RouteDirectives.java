package dev.sluice.cli;

import dev.sluice.ErrorPage;
import dev.sluice.NextUpstream;
import dev.sluice.UpstreamTls;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * A location's directives, with those it inherits from its server and the http block as nginx inherits them
 * ({@link Scope}), as calls on its {@code Route.Builder}: what the route serves ({@code proxy_pass}, {@code
 * return} or {@code root}), then every {@code proxy_*}, {@code error_page}, {@code limit_*} and {@code health_check}.
 */
final class RouteDirectives {

    /** What a location needs from the rest of the file. */
    interface Surroundings {

        /**
         * The group a {@code proxy_pass} names: an upstream block, or the one nginx makes of {@code HOST:PORT}.
         */
        UpstreamBlock group(ProxyPassUrl url);

        /** The zone of {@code limit_req zone=NAME ...}, as a local. */
        Expr.Local requestZone(Directive limitReq, Directive status);

        /** The zone of {@code limit_conn NAME N}, as a local. */
        Expr.Local connectionZone(Directive limitConn, Directive status);

        /**
         * The page {@code error_page ... URI} sends when it can be read at start: the file of the {@code root}
         * location that serves URI whatever the regex locations say, and that location's types; else null, for a
         * reroute at run time.
         */
        PageFile errorPage(String uri);

        /**
         * The {@code MediaTypes} of the {@code types} blocks and {@code default_type} in effect in {@code scope}, for
         * {@code at}: null for the library's default.
         */
        Expr mediaTypes(Scope scope, Directive at);

        /** Checks that the server has the named location {@code name} ({@code @NAME}) that {@code at} names. */
        void namedLocation(String name, Directive at);

        /** The conditions of {@code match NAME { ... }}, as code. */
        Expr.Static match(String name, Directive at);

        /** A path of the file, relative ones taken from the directory of the main file. */
        Path path(String configured);
    }

    /**
     * A file an error page reads at start, and the {@code MediaTypes} of the location that serves it (null: the
     * library's default).
     */
    record PageFile(Path file, Expr types) {
    }

    /** Directives that become one call of the route builder, each from its own arguments. */
    private static final Map<String, Function<Directive, Expr.Call>> SIMPLE = Map.ofEntries(
            Map.entry("proxy_connect_timeout", d -> call(d, "connectTimeout", Args.time(d))),
            Map.entry("proxy_send_timeout", d -> call(d, "sendTimeout", Args.time(d))),
            Map.entry("proxy_read_timeout", d -> call(d, "readTimeout", Args.time(d))),
            Map.entry("proxy_intercept_errors", d -> call(d, "interceptErrors", Args.onOff(d))),
            Map.entry("proxy_buffering", d -> call(d, "buffering", Args.onOff(d))),
            Map.entry("proxy_request_buffering", d -> call(d, "requestBuffering", Args.onOff(d))),
            Map.entry("proxy_buffer_size", d -> call(d, "bufferSize", Args.parsed(d, NginxSyntax::intSize))),
            Map.entry("proxy_buffers", d -> {
                Args.args(d, 2, 2);
                return call(d, "buffers", Args.parsed(d, a -> NginxSyntax.number(d.args().get(0))),
                        Args.parsed(d, a -> NginxSyntax.intSize(d.args().get(1))));
            }),
            Map.entry("proxy_http_version", d -> call(d, "httpVersion", Args.one(d))),
            Map.entry("proxy_socket_keepalive", d -> call(d, "socketKeepalive", Args.onOff(d))),
            Map.entry("proxy_ignore_client_abort", d -> call(d, "ignoreClientAbort", Args.onOff(d))),
            Map.entry("client_max_body_size", d -> call(d, "clientMaxBodySize", Args.parsed(d, NginxSyntax::size))),
            Map.entry("proxy_ignore_headers", d -> {
                Args.args(d, 1, Integer.MAX_VALUE);
                return call(d, "ignoreHeaders", (Object) d.args().toArray(new String[0]));
            }),
            Map.entry("proxy_bind", RouteDirectives::bind));

    /** The TLS directives of the upstream side, gathered into one {@code UpstreamTls}. */
    private static final Set<String> PROXY_SSL = Set.of("proxy_ssl_verify", "proxy_ssl_trusted_certificate",
            "proxy_ssl_name", "proxy_ssl_server_name", "proxy_ssl_certificate", "proxy_ssl_certificate_key",
            "proxy_ssl_session_reuse", "proxy_ssl_protocols");

    /** Every directive a location may inherit (nginx: those allowed in http, server and location). */
    static final Set<String> INHERITED;

    static {
        Set<String> names = new java.util.HashSet<>(SIMPLE.keySet());
        names.addAll(PROXY_SSL);
        names.addAll(Set.of("proxy_set_header", "proxy_next_upstream", "proxy_next_upstream_tries",
                "proxy_next_upstream_timeout", "error_page", "limit_req", "limit_req_status", "limit_conn",
                "limit_conn_status", "root", "index", "proxy_redirect", "types", "default_type"));
        INHERITED = Set.copyOf(names);
    }

    private final Scope scope;
    private final Surroundings around;
    private final Directive location;
    private final List<Expr.Call> calls = new ArrayList<>();
    /** The codes an {@code error_page} line answered already: a later line for one of them does not count. */
    private final Set<Integer> errorPageCodes = new HashSet<>();
    /** Whether the location has nginx's {@code proxy_set_header Upgrade $http_upgrade} (or a constant protocol): it
     * forwards upgrades. */
    private boolean upgrades;

    private RouteDirectives(Scope scope, Surroundings around, Directive location) {
        this.scope = scope;
        this.around = around;
        this.location = location;
    }

    /**
     * The calls of one route.
     *
     * @param scope the directives in effect in the location, inherited ones included
     * @param serves the location's own {@code proxy_pass} or {@code return}, or null for a {@code root} one
     * @param location the location block, for errors
     */
    static List<Expr.Call> of(Scope scope, Surroundings around, Directive serves, Directive location) {
        RouteDirectives route = new RouteDirectives(scope, around, location);
        route.serves(serves);
        route.options();
        location.block().stream().filter(d -> d.name().equals("internal")).findFirst()
                .ifPresent(d -> route.calls.add(call(d, "internal")));
        if (serves != null && serves.name().equals("proxy_pass") && !route.upgrades) {
            route.calls.add(call(location, "upgradeProtocols", (Object) new String[0]));
        }
        return route.calls;
    }

    private void serves(Directive serves) {
        if (serves != null && serves.name().equals("return")) {
            calls.addAll(returns(serves, scope, around));
        } else if (serves != null) {
            proxyPass(serves);
        } else if (alias() != null || scope.has("root")) {
            Directive alias = alias();
            Directive root = alias != null ? alias : scope.last("root");
            calls.add(call(root, root.name(), around.path(Args.one(root))));
            mediaTypes(scope, around, location).ifPresent(calls::add);
            if (scope.has("index")) {
                Directive index = scope.last("index");
                Args.args(index, 1, Integer.MAX_VALUE);
                calls.add(call(index, "index", (Object) index.args().toArray(new String[0])));
            }
            location.block().stream().filter(d -> d.name().equals("try_files")).reduce((a, b) -> b).ifPresent(d -> {
                String fallback = d.args().get(d.args().size() - 1);
                if (fallback.startsWith("@")) {
                    around.namedLocation(fallback, d);
                }
                calls.add(call(d, "tryFiles", (Object) d.args().toArray(new String[0])));
            });
        } else {
            throw location.error("not supported: a location without proxy_pass, return, root or alias");
        }
    }

    /** The location's own {@code alias}, which no other level gives it, or null; refused beside its own root. */
    private Directive alias() {
        Directive alias = null;
        Directive root = null;
        for (Directive d : location.block()) {
            boolean isAlias = d.name().equals("alias");
            if (!isAlias && !d.name().equals("root")) {
                continue;
            }
            if (isAlias && alias != null) {
                throw d.error("\"alias\" directive is duplicate");
            }
            Directive earlier = isAlias ? root : alias;
            if (earlier != null) {
                throw d.error("\"" + d.name() + "\" directive is duplicate, \"" + earlier.name()
                        + "\" directive was specified earlier");
            }
            if (isAlias) {
                alias = d;
            } else {
                root = d;
            }
        }
        return alias;
    }

    /**
     * {@code return CODE [TEXT|URL]} or {@code return URL} (a 302), as nginx's rewrite module, with the types of
     * {@code scope} for a text.
     */
    static List<Expr.Call> returns(Directive d, Scope scope, Surroundings around) {
        Args.args(d, 1, 2);
        String first = d.args().get(0);
        boolean url = first.startsWith("http://") || first.startsWith("https://") || first.startsWith("$scheme");
        if (d.args().size() == 1 && url) {
            return List.of(call(d, "returns", 302, first));
        }
        int code = Args.parsed(d, a -> NginxSyntax.number(first));
        if (code == 444) {
            throw Args.unsupported(d, "444 (close without a response)");
        }
        String text = d.args().size() == 2 ? d.args().get(1) : "";
        List<Expr.Call> calls = new ArrayList<>();
        calls.add(call(d, "returns", code, text));
        boolean redirect = code == 301 || code == 302 || code == 303 || code == 307 || code == 308;
        boolean typed = !redirect && code != 204 && (code < 400 || !text.isEmpty());
        if (typed) {
            mediaTypes(scope, around, d).ifPresent(calls::add);
        }
        return calls;
    }

    /** The route's {@code mediaTypes} call for the {@code types} and {@code default_type} of {@code scope}, if any. */
    private static Optional<Expr.Call> mediaTypes(Scope scope, Surroundings around, Directive at) {
        return Optional.ofNullable(around.mediaTypes(scope, at)).map(t -> call(at, "mediaTypes", t));
    }

    private void proxyPass(Directive d) {
        ProxyPassUrl url = ProxyPassUrl.of(d);
        UpstreamBlock group = around.group(url);
        calls.add(call(d, "upstream", group.local()));
        if (url.uri() != null) {
            calls.add(call(d, "passUri", url.uri()));
        }
        if (group.hashKey() != null) {
            calls.add(call(d, "hashKey", group.hashKey()));
        }
        if (url.tls()) {
            calls.add(call(d, "upstreamTls", upstreamTls()));
        } else {
            for (String name : PROXY_SSL) {
                if (scope.has(name)) {
                    throw scope.last(name).error("\"" + name + "\" needs proxy_pass https:// in its location");
                }
            }
        }
    }

    private Expr.Static upstreamTls() {
        Expr.Static tls = Expr.Static.of(UpstreamTls.class, "builder");
        for (Directive d : scope.all(PROXY_SSL)) {
            switch (d.name()) {
                case "proxy_ssl_verify" -> tls = tls.then("verify", Args.onOff(d));
                case "proxy_ssl_trusted_certificate" -> tls = tls.then("trustedCertificate", around.path(Args.one(d)));
                case "proxy_ssl_name" -> tls = tls.then("name", Args.one(d));
                case "proxy_ssl_server_name" -> tls = tls.then("serverName", Args.onOff(d));
                case "proxy_ssl_session_reuse" -> tls = tls.then("sessionReuse", Args.onOff(d));
                case "proxy_ssl_protocols" -> tls = tls.then("protocols", (Object) d.args().toArray(new String[0]));
                default -> {
                    // the certificate and its key go together, below
                }
            }
        }
        if (scope.has("proxy_ssl_certificate") != scope.has("proxy_ssl_certificate_key")) {
            Directive one = scope.has("proxy_ssl_certificate") ? scope.last("proxy_ssl_certificate")
                    : scope.last("proxy_ssl_certificate_key");
            throw one.error("proxy_ssl_certificate and proxy_ssl_certificate_key go together");
        }
        if (scope.has("proxy_ssl_certificate")) {
            tls = tls.then("certificate", around.path(Args.one(scope.last("proxy_ssl_certificate"))),
                    around.path(Args.one(scope.last("proxy_ssl_certificate_key"))));
        }
        return tls.then("build");
    }

    /** NGINX Plus's {@code health_check [PARAMETER...] [match=NAME]} as code. */
    static Expr.Static healthCheck(Directive d, Surroundings around) {
        List<String> words = new ArrayList<>();
        Expr.Static match = null;
        for (String arg : d.args()) {
            if (arg.startsWith("match=")) {
                match = around.match(arg.substring("match=".length()), d);
            } else if (arg.startsWith("status=") || arg.startsWith("header=") || arg.startsWith("body")) {
                throw d.error("invalid parameter \"" + arg + "\" (conditions go in a match block)");
            } else {
                words.add(arg);
            }
        }
        Expr.Static conditions = match;
        return Args.parsed(d, text -> HealthCheckLine.code(words, conditions));
    }

    /** Every other directive in effect, in the order written. */
    private void options() {
        List<Directive> redirects = scope.all(Set.of("proxy_redirect"));
        if (redirects.size() > 1 && redirects.stream().anyMatch(d -> d.args().equals(List.of("off")))) {
            throw redirects.get(1).error("\"proxy_redirect\" directive is duplicate (off goes alone)");
        }
        for (Directive d : scope.all(INHERITED)) {
            Function<Directive, Expr.Call> simple = SIMPLE.get(d.name());
            if (simple != null) {
                calls.add(simple.apply(d));
                continue;
            }
            switch (d.name()) {
                case "proxy_set_header" -> setHeader(d);
                case "error_page" -> errorPage(d);
                case "limit_req" -> calls.add(call(d, "limitRequests",
                        around.requestZone(d, scope.has("limit_req_status") ? scope.last("limit_req_status") : null)));
                case "limit_conn" -> calls.add(call(d, "limitConnections",
                        around.connectionZone(d, scope.has("limit_conn_status") ? scope.last("limit_conn_status") : null)));
                case "proxy_redirect" -> calls.add(redirect(d, location));
                default -> {
                    // root, index, proxy_ssl_*, limit_*_status and proxy_next_upstream* are read where they belong
                }
            }
        }
        if (scope.has("proxy_next_upstream") || scope.has("proxy_next_upstream_tries")
                || scope.has("proxy_next_upstream_timeout")) {
            calls.add(call(location, "nextUpstream", nextUpstream()));
        }
    }

    private Expr.Static nextUpstream() {
        Expr.Static next = scope.has("proxy_next_upstream")
                ? Args.parsed(scope.last("proxy_next_upstream"), NextUpstreamLine::code)
                : Expr.Static.of(NextUpstream.class, "defaults");
        if (scope.has("proxy_next_upstream_tries")) {
            next = next.then("tries", Args.number(scope.last("proxy_next_upstream_tries")));
        }
        if (scope.has("proxy_next_upstream_timeout")) {
            next = next.then("timeout", Args.time(scope.last("proxy_next_upstream_timeout")));
        }
        return next;
    }

    /**
     * {@code proxy_set_header}, except the lines of nginx's WebSocket idiom ({@code Upgrade $http_upgrade}, and
     * {@code Connection} set to {@code upgrade} or to the variable a {@code map $http_upgrade} block makes): with
     * them the route forwards a genuine WebSocket upgrade itself, and keeps upstream connections alive for every
     * other request; without them it forwards none, as nginx forwards none. A constant {@code Upgrade websocket}
     * works as the idiom does, for the protocols it names: the upgrade a client asks for is forwarded.
     */
    private void setHeader(Directive d) {
        Args.args(d, 1, 2);
        String name = d.args().get(0);
        String value = d.args().size() == 2 ? d.args().get(1) : "";
        String lower = name.toLowerCase(Locale.ROOT);
        boolean upgrade = lower.equals("upgrade") && (value.equals("$http_upgrade")
                || !value.isEmpty() && value.indexOf('$') < 0);
        boolean idiom = upgrade
                || lower.equals("connection") && (value.equalsIgnoreCase("upgrade") || scope.isUpgradeVariable(value));
        if (!idiom) {
            calls.add(call(d, "setHeader", name, value));
        }
        if (upgrade && !value.startsWith("$")) {
            calls.add(call(d, "upgradeProtocols", (Object) value.split("[ ,]+")));
        }
        upgrades |= upgrade;
    }

    /**
     * {@code proxy_redirect default}, {@code off}, or {@code REDIRECT REPLACEMENT}. {@code default} stands where nginx
     * takes it: in {@code location}, after its {@code proxy_pass}, whose URL names no variable (at server or http
     * level, or before the {@code proxy_pass}, nginx has no URL to make it of and refuses the file).
     */
    private static Expr.Call redirect(Directive d, Directive location) {
        Args.args(d, 1, 2);
        String first = d.args().get(0);
        if (d.args().size() == 2) {
            return call(d, "redirectRewrite", first, d.args().get(1));
        }
        if (!first.equals("off") && !first.equals("default")) {
            throw d.error("invalid parameter \"" + first + "\" (default, off, or a redirect and its replacement)");
        }
        if (first.equals("default")) {
            List<Directive> before = location.block().subList(0, Math.max(0, location.block().indexOf(d)));
            Directive pass = before.stream().filter(p -> p.name().equals("proxy_pass")).findFirst().orElse(null);
            if (pass == null) {
                throw d.error("\"proxy_redirect default\" should be placed after the \"proxy_pass\" directive");
            }
            if (Args.one(pass).indexOf('$') >= 0) {
                throw d.error("\"proxy_redirect default\" cannot be used with \"proxy_pass\" directive with variables");
            }
        }
        return call(d, "redirectRewrite", first.equals("default"));
    }

    /**
     * {@code error_page CODE... [=[ANSWER]] URI}: the file a {@code root} location serves for URI, read at start,
     * where no other location could take the URI (its status kept, or ANSWER, or 200 for a bare {@code =}); else a
     * reroute to URI, or to a named location {@code @NAME} (CODE kept, or ANSWER, or the route's own status for a
     * bare {@code =}); or a redirect to a URL (302 unless ANSWER says otherwise).
     */
    private void errorPage(Directive d) {
        Args.args(d, 2, Integer.MAX_VALUE);
        List<String> args = d.args();
        String uri = args.get(args.size() - 1);
        String answer = args.get(args.size() - 2).startsWith("=") ? args.get(args.size() - 2) : null;
        List<String> codes = args.subList(0, args.size() - (answer == null ? 1 : 2));
        if (uri.startsWith("=") || codes.isEmpty() || codes.stream().anyMatch(a -> a.startsWith("="))) {
            throw d.error("invalid value \"" + (uri.startsWith("=") ? uri : answer) + "\"");
        }
        boolean redirect = uri.startsWith("http://") || uri.startsWith("https://") || uri.startsWith("$scheme");
        boolean named = uri.startsWith("@");
        if (!redirect && !named && !uri.startsWith("/")) {
            throw Args.unsupported(d, "a page that is neither a local URI nor an http or https URL (" + uri + ")");
        }
        Integer status = answer == null || answer.equals("=") ? null
                : Args.parsed(d, a -> NginxSyntax.number(answer.substring(1)));
        if (!named && uri.indexOf('$') >= 0) {
            throw Args.unsupported(d, "variables in an error page's URI or URL (" + uri + ")");
        }
        PageFile page = redirect || named ? null : around.errorPage(uri);
        boolean reroute = named || !redirect && page == null;
        if (named) {
            around.namedLocation(uri, d);
        }
        for (String code : codes) {
            int of = Args.parsed(d, a -> NginxSyntax.number(code));
            if (!errorPageCodes.add(of)) {
                continue; // nginx takes the first error_page for a code
            }
            int forced = answer == null ? of : status == null ? 0 : status; // = alone: the route's own
            int sent = answer == null ? of : status == null ? 200 : status;
            Object line = reroute ? Expr.Static.of(ErrorPage.class, "new", forced, null, null, uri)
                    : redirect ? Expr.Static.of(ErrorPage.class, "new", status == null ? 302 : status, null, uri)
                    : page.types() != null ? Expr.Static.of(ErrorPage.class, "file", sent, page.file(), page.types())
                    : answer == null ? null : Expr.Static.of(ErrorPage.class, "file", sent, page.file());
            calls.add(line == null ? call(d, "errorPage", of, page.file()) : call(d, "errorPage", of, line));
        }
    }

    /** {@code proxy_bind ADDRESS}: an IP address; {@code off}, variables and {@code transparent} are not. */
    private static Expr.Call bind(Directive d) {
        Args.args(d, 1, 2);
        String address = d.args().get(0);
        if (d.args().size() == 2 || address.indexOf('$') >= 0) {
            throw Args.unsupported(d, "variables and transparent (" + d.joined() + "): an IP address of this host");
        }
        return call(d, "bind", Expr.Static.of(InetAddress.class, "getByName", address));
    }

    private static Expr.Call call(Directive d, String method, Object... args) {
        return Expr.Call.of(d.origin(), method, args);
    }
}
