package dev.sluice.cli;

import dev.sluice.ServerTls;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A {@code server { ... }} block as a virtual server, {@code .server(NAMES, server -> server.listen(...)
 * .route(...))}: its {@code listen} addresses, {@code server_name}, certificates ({@code ssl_*}), and a route per
 * {@code location}, each with the directives it inherits ({@link Scope}).
 */
final class ServerBlock {

    /** The directives of a server's TLS, which it may inherit from the http block. */
    static final Set<String> SSL = Set.of("ssl_certificate", "ssl_certificate_key", "ssl_protocols", "ssl_ciphers",
            "ssl_client_certificate", "ssl_verify_client");

    /** One {@code listen} line. */
    record Listen(String address, boolean ssl, boolean defaultServer, Directive at) {
    }

    /** A location, its directives in effect, and what it serves with. */
    private record Location(String path, Scope scope, Directive serves, Directive block) {
    }

    private final Directive block;
    private final NginxConfig config;
    private final List<Listen> listens = new ArrayList<>();
    private final List<String> names = new ArrayList<>();
    private final List<Location> locations = new ArrayList<>();
    private final Scope scope;
    private Directive serverReturn;
    private Expr.Local tls;

    private ServerBlock(Directive block, NginxConfig config, Scope http) {
        this.block = block;
        this.config = config;
        this.scope = http.inner(block.block(), NginxConfig.INHERITED);
    }

    /** Reads a server block whose http level is {@code http}. */
    static ServerBlock read(Directive block, NginxConfig config, Scope http) {
        Args.args(block, 0, 0);
        ServerBlock server = new ServerBlock(block, config, http);
        for (Directive d : block.block()) {
            server.directive(d);
        }
        if (server.listens.isEmpty()) {
            server.listens.add(new Listen("0.0.0.0:80", false, false, block));
        }
        return server;
    }

    private void directive(Directive d) {
        if (d.name().equals("location")) {
            location(d);
            return;
        }
        if (d.name().equals("types")) {
            config.common(d, "server"); // a block that a server's locations inherit
            return;
        }
        Args.noBlock(d);
        switch (d.name()) {
            case "listen" -> listens.add(listen(d));
            case "server_name" -> {
                Args.args(d, 1, Integer.MAX_VALUE);
                d.args().stream().filter(n -> !n.isEmpty()).map(n -> n.toLowerCase(Locale.ROOT)).forEach(names::add);
            }
            case "return" -> serverReturn = d;
            default -> config.common(d, "server");
        }
    }

    private void location(Directive d) {
        Args.args(d, 1, 2);
        String path = d.args().size() == 2 ? String.join(" ", d.args()) : modifierApart(d.args().get(0));
        Directive serves = null;
        Directive tryFiles = null;
        for (Directive inner : d.block()) {
            switch (inner.name()) {
                case "location" -> throw Args.unsupported(inner, "a location inside a location");
                case "try_files" -> {
                    Args.noBlock(inner);
                    Args.args(inner, 2, Integer.MAX_VALUE);
                    tryFiles = inner;
                }
                case "proxy_pass", "return" -> {
                    Args.noBlock(inner);
                    if (serves != null) {
                        throw inner.error("\"" + inner.name() + "\" after \"" + serves.name() + "\" at "
                                + serves.origin() + ": a location serves with one of them");
                    }
                    serves = inner;
                }
                case "health_check" -> Args.noBlock(inner);
                case "internal" -> {
                    Args.noBlock(inner);
                    Args.args(inner, 0, 0); // read where the route is made
                }
                case "alias" -> Args.args(inner, 1, 1); // read where the route is made
                default -> config.common(inner, "location");
            }
        }
        if (tryFiles != null && serves != null) {
            throw Args.unsupported(tryFiles, "try_files beside " + serves.name() + "; it goes with root or alias");
        }
        locations.add(new Location(path, scope.inner(d.block(), NginxConfig.INHERITED), serves, d));
    }

    /** {@code =/x} as {@code = /x}: nginx lets a modifier touch its path. */
    private static String modifierApart(String path) {
        for (String modifier : List.of("^~", "~*", "=", "~")) {
            if (path.startsWith(modifier) && path.length() > modifier.length()) {
                return modifier + " " + path.substring(modifier.length());
            }
        }
        return path;
    }

    private Listen listen(Directive d) {
        Args.args(d, 1, Integer.MAX_VALUE);
        String address = d.args().get(0);
        if (address.startsWith("unix:")) {
            throw Args.unsupported(d, "unix sockets (" + address + ")");
        }
        if (address.matches("[0-9]+")) {
            address = "0.0.0.0:" + address;
        } else if (address.startsWith("*:")) {
            address = "0.0.0.0" + address.substring(1);
        } else if (!address.matches(".*:[0-9]+")) {
            address = address + ":80";
        }
        boolean ssl = false;
        boolean defaultServer = false;
        for (String parameter : d.args().subList(1, d.args().size())) {
            switch (parameter) {
                case "ssl" -> ssl = true;
                case "default_server", "default" -> defaultServer = true;
                case "ipv6only=on", "ipv6only=off" -> {
                    // an IPv6 wildcard address is dual-stack here: see NginxConfig's merge of wildcards
                }
                case "http2" -> config.warn(d, UnmappedDirectives.HTTP2);
                default -> throw Args.unsupported(d, "the listen parameter \"" + parameter + "\"");
            }
        }
        return new Listen(address, ssl, defaultServer, d);
    }

    /** The {@code listen} lines, with {@code 0.0.0.0:80} when there is none (nginx's {@code *:80}). */
    List<Listen> listens() {
        return listens;
    }

    /**
     * nginx's {@code listen 80; listen [::]:80;}: two sockets there, since nginx sets IPV6_V6ONLY; one here, the
     * IPv6 wildcard, which the JDK opens dual-stack, so that it serves IPv4 clients too. Each IPv4 wildcard whose
     * port also has an IPv6 wildcard in the file becomes that one.
     */
    static void mergeWildcards(List<ServerBlock> servers) {
        Set<String> ipv6 = new LinkedHashSet<>();
        servers.forEach(s -> s.listens.stream().map(Listen::address).filter(a -> a.startsWith("[::]:")).forEach(ipv6::add));
        for (ServerBlock server : servers) {
            server.listens.replaceAll(l -> l.address().startsWith("0.0.0.0:")
                    && ipv6.contains("[::]" + l.address().substring(7))
                    ? new Listen("[::]" + l.address().substring(7), l.ssl(), l.defaultServer(), l.at()) : l);
        }
    }

    /** The server's {@code health_check} lines with the {@code proxy_pass} of their location. */
    List<Directive[]> healthChecks() {
        List<Directive[]> checks = new ArrayList<>();
        for (Location location : locations) {
            for (Directive d : location.block().block()) {
                if (d.name().equals("health_check")) {
                    if (location.serves() == null || !location.serves().name().equals("proxy_pass")) {
                        throw d.error("\"health_check\" needs a proxy_pass to an upstream group in its location");
                    }
                    checks.add(new Directive[] {d, location.serves()});
                }
            }
        }
        return checks;
    }

    /**
     * The server's certificates and TLS settings as a local, or null when it has no {@code ssl_certificate}.
     */
    Expr.Local tls() {
        if (tls != null || !scope.has("ssl_certificate")) {
            return tls;
        }
        List<Directive> certificates = scope.all(Set.of("ssl_certificate"));
        List<Directive> keys = scope.all(Set.of("ssl_certificate_key"));
        if (certificates.size() != keys.size()) {
            throw block.error("each \"ssl_certificate\" needs its \"ssl_certificate_key\" (" + certificates.size()
                    + " certificates, " + keys.size() + " keys)");
        }
        Expr.Static server = Expr.Static.of(ServerTls.class, "builder");
        for (int i = 0; i < certificates.size(); i++) {
            server = server.then("certificate", config.path(Args.one(certificates.get(i))),
                    config.path(Args.one(keys.get(i))));
        }
        for (Directive d : scope.all(Set.of("ssl_protocols", "ssl_ciphers", "ssl_client_certificate",
                "ssl_verify_client"))) {
            switch (d.name()) {
                case "ssl_protocols" -> server = server.then("protocols", (Object) d.args().toArray(new String[0]));
                case "ssl_ciphers" -> server = ciphers(server, d);
                case "ssl_client_certificate" -> server = server.then("clientCertificate", config.path(Args.one(d)));
                default -> server = server.then("verifyClient", Args.parsed(d, FlagValues::verifyClient));
            }
        }
        String name = names().isEmpty() ? "server" : names().get(0);
        tls = config.local(name + "-tls", ServerTls.class, server.then("build"), block);
        return tls;
    }

    /**
     * {@code ssl_ciphers}: JSSE suite names pass; nginx's default {@code HIGH:!aNULL:!MD5} is the JDK's default
     * list, which holds no anonymous and no MD5 suite; other OpenSSL cipher strings are refused.
     */
    private static Expr.Static ciphers(Expr.Static server, Directive d) {
        String list = Args.one(d);
        if (list.equals("HIGH:!aNULL:!MD5")) {
            return server;
        }
        String[] suites = list.split(":");
        for (String suite : suites) {
            if (!suite.startsWith("TLS_")) {
                throw Args.unsupported(d, "OpenSSL cipher names (" + suite + "); write the JSSE names, such as"
                        + " TLS_AES_128_GCM_SHA256, or leave ssl_ciphers out for the JDK's defaults");
            }
        }
        return server.then("ciphers", (Object) suites);
    }

    /** The {@code server_name} names, lowercased; empty when none is given. */
    List<String> names() {
        return names;
    }

    /** The server as {@code .server(NAMES, server -> ...)}: its listens, certificate and routes. */
    Expr.Call call() {
        List<Expr.Call> calls = new ArrayList<>();
        Set<String> addresses = new LinkedHashSet<>();
        for (Listen listen : listens) {
            if (addresses.add(listen.address())) {
                calls.add(Expr.Call.of(listen.at().origin(), "listen", listen.address()));
            }
        }
        if (listens.stream().anyMatch(Listen::defaultServer)) {
            calls.add(Expr.Call.of(block.origin(), "defaultServer"));
        }
        Expr.Local certificates = tls();
        if (certificates != null) {
            calls.add(Expr.Call.of(block.origin(), "tls", certificates));
        }
        if (serverReturn != null) {
            calls.add(Expr.Call.of(serverReturn.origin(), "route", "/",
                    new Expr.Lambda(RouteDirectives.returns(serverReturn, scope, config))));
        } else {
            for (Location location : locations) {
                List<Expr.Call> route = RouteDirectives.of(location.scope(), config, location.serves(), location.block());
                calls.add(Expr.Call.of(location.block().origin(), "route", location.path(), new Expr.Lambda(route)));
            }
        }
        if (calls.stream().noneMatch(c -> c.method().equals("route"))) {
            throw Args.unsupported(block, "a server without a location or return");
        }
        String serverNames = this.names.isEmpty() ? "_" : String.join(" ", this.names);
        return Expr.Call.of(block.origin(), "server", serverNames, new Expr.Lambda(calls));
    }

    /** Whether a location of the server is written {@code location PATH} ({@code @app} for a named one). */
    boolean hasLocation(String path) {
        return locations.stream().anyMatch(l -> l.path().equals(path));
    }

    /**
     * The directives in effect in the location that serves an {@code error_page} URI (its {@code root}, its {@code
     * types}) when it is sure which location that is: the exact one, else the longest prefix when it is {@code ^~}
     * or the server has no regex location, and it serves files of a root (no {@code proxy_pass}, {@code return},
     * {@code alias} or {@code try_files}). Null otherwise: the URI is then routed at run time, as nginx redirects
     * internally.
     */
    Scope pageScope(String uri) {
        Location best = null;
        int bestLength = -1;
        boolean exact = false;
        for (Location location : locations) {
            String path = location.path();
            if (path.equals("= " + uri) || path.equals("=" + uri)) {
                best = location;
                exact = true;
                break;
            }
            String prefix = path.startsWith("^~ ") ? path.substring(3) : path;
            if (!prefix.startsWith("~") && !prefix.startsWith("=") && !prefix.startsWith("@") && uri.startsWith(prefix)
                    && prefix.length() > bestLength) {
                best = location;
                bestLength = prefix.length();
            }
        }
        boolean regexes = locations.stream().anyMatch(l -> l.path().startsWith("~"));
        if (best == null || !exact && regexes && !best.path().startsWith("^~ ") || best.serves() != null
                || !best.scope().has("root") || best.block().block().stream()
                .anyMatch(d -> d.name().equals("alias") || d.name().equals("try_files"))) {
            return null;
        }
        return best.scope();
    }
}
