package dev.sluice.cli;

import dev.sluice.ProxyServer;
import dev.sluice.observe.AccessLog;
import dev.sluice.observe.LogFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * An nginx configuration file ({@code -c FILE}) as the library's builders: {@code upstream} blocks become groups
 * ({@link UpstreamBlock}), {@code server} blocks virtual servers ({@link ServerBlock}), locations routes ({@link
 * RouteDirectives}), and the client-side directives settings of the proxy. The mapping yields code ({@link Expr}),
 * which {@link #build()} runs and {@link #toJava} prints, so {@code -c} and {@code --to-java} cannot differ.
 *
 * <p>What Sluice does not implement is an error naming the file and line, never skipped ({@link
 * UnmappedDirectives}). The client-side directives ({@code
 * client_max_body_size}, {@code keepalive_timeout}, ...) and {@code access_log} apply to the whole proxy here: they
 * may be written at any level, but must not differ between levels.
 */
final class NginxConfig implements RouteDirectives.Surroundings {

    /** Every directive a server or location inherits from the level around it. */
    static final Set<String> INHERITED;

    static {
        Set<String> names = new HashSet<>(RouteDirectives.INHERITED);
        names.addAll(ServerBlock.SSL);
        INHERITED = Set.copyOf(names);
    }

    /** The client-side directives, each one call on the proxy builder. */
    private final Map<String, Function<Directive, Expr.Call>> proxyWide = Map.of(
            "client_body_buffer_size", d -> call(d, "clientBodyBufferSize", Args.parsed(d, NginxSyntax::intSize)),
            "client_body_temp_path", d -> call(d, "clientBodyTempPath", path(Args.one(d))),
            "client_header_timeout", d -> call(d, "clientHeaderTimeout", Args.time(d)),
            "client_body_timeout", d -> call(d, "clientBodyTimeout", Args.time(d)),
            "send_timeout", d -> call(d, "sendTimeout", Args.time(d)),
            "keepalive_timeout", d -> {
                if (d.args().size() == 2) {
                    throw Args.unsupported(d, "the second time (the Keep-Alive: timeout= field)");
                }
                return call(d, "keepaliveTimeout", Args.time(d));
            },
            "keepalive_requests", d -> call(d, "keepaliveRequests", Args.number(d)),
            "underscores_in_headers", d -> call(d, "underscoresInHeaders", Args.onOff(d)),
            "ignore_invalid_headers", d -> call(d, "ignoreInvalidHeaders", Args.onOff(d)));

    private final Path file;
    private final Path prefix;
    private final Names names = new Names();
    private final Map<String, UpstreamBlock> groups = new LinkedHashMap<>();
    private final Map<String, UpstreamBlock> implicitGroups = new LinkedHashMap<>();
    private final Map<String, Directive> matches = new HashMap<>();
    private final LimitZones zones = new LimitZones(this::local);
    private final Map<String, Directive> logFormats = new HashMap<>();
    /** The client-side directives by name, the first of each, and their calls in that order. */
    private final Map<String, Directive> settings = new HashMap<>();
    private final List<Expr.Call> settingCalls = new ArrayList<>();
    private final List<Directive> accessLogs = new ArrayList<>();
    private final List<Expr.Local> locals = new ArrayList<>();
    private final List<Expr.Call> proxy = new ArrayList<>();
    private final Set<String> upgradeVariables = new HashSet<>();
    private final List<String> warnings = new ArrayList<>();
    private final MediaTypeLines mediaTypes = new MediaTypeLines(this::local, warnings::add);
    private Expr.Static resolver;
    private ServerBlock current;
    private Expr.Local accessLog;

    private NginxConfig(Path file) {
        this.file = file.toAbsolutePath().normalize();
        Path parent = this.file.getParent();
        this.prefix = parent == null ? this.file : parent;
    }

    /**
     * Reads and maps a configuration file; nothing is built or started yet.
     *
     * @throws UsageException for the first thing that is wrong or not supported, naming file and line
     */
    static NginxConfig read(Path file) {
        NginxConfig config = new NginxConfig(file);
        config.main(ConfigFile.read(file));
        return config;
    }

    /**
     * What {@link #build()} makes.
     *
     * @param proxy the proxy, ready to {@code start()}
     * @param accessLog its access log, open, to reopen on a signal and close with the proxy; null when off
     */
    record Built(ProxyServer.Builder proxy, AccessLog accessLog) {
    }

    /**
     * Builds the proxy: every local first (groups, certificates, the log), then the builder.
     *
     * @throws UsageException for a value the library refuses or a file it cannot read, naming file and line
     */
    Built build() {
        Evaluator evaluator = new Evaluator();
        for (Expr.Local local : locals()) {
            evaluator.value(local, local.origin());
        }
        ProxyServer.Builder built = (ProxyServer.Builder) evaluator.value(proxyCode(), file.toString());
        return new Built(built, accessLog == null ? null : (AccessLog) evaluator.value(accessLog, accessLog.origin()));
    }

    /** Notes a directive accepted but not applied: {@code FILE:LINE: warning: "NAME" is not applied: why}. */
    void warn(Directive d, String why) {
        warnings.add(d.origin() + ": warning: \"" + d.name() + "\" is not applied: " + why);
    }

    /** The directives accepted but not applied, each {@code FILE:LINE: warning: ...}, in the order read. */
    List<String> warnings() {
        return List.copyOf(warnings);
    }

    /** The Java source of the same proxy: a class {@code className} whose {@code proxy()} returns the builder. */
    String toJava(String className) {
        return JavaSource.of(className, file.getFileName().toString(), locals(), proxyCode());
    }

    private Expr.Static proxyCode() {
        return new Expr.Static(ProxyServer.class, "builder", List.of(), proxy);
    }

    /** Groups first, in the order of their blocks, then the rest in the order made. */
    private List<Expr.Local> locals() {
        List<Expr.Local> all = new ArrayList<>();
        groups.values().forEach(g -> all.add(g.local()));
        implicitGroups.values().forEach(g -> all.add(g.local()));
        all.addAll(locals);
        return all;
    }

    private void main(List<Directive> directives) {
        Directive http = null;
        for (Directive d : directives) {
            switch (d.name()) {
                case "http" -> {
                    if (http != null) {
                        throw d.error("\"http\" directive is duplicate (the first at " + http.origin() + ")");
                    }
                    http = block(d);
                }
                case "events" -> events(block(d));
                case "worker_processes" -> {
                    String n = Args.one(d);
                    proxy.add(call(d, "workers", n.equals("auto") ? 0 : Args.number(d)));
                }
                default -> UnmappedDirectives.judge(d, "main", this::warn);
            }
        }
        if (http == null) {
            throw new UsageException(file + ":1", "no \"http\" block: nothing to proxy");
        }
        http(http);
    }

    private void events(Directive events) {
        for (Directive d : events.block()) {
            if (d.name().equals("worker_connections")) {
                proxy.add(call(d, "workerConnections", Args.number(d)));
            } else {
                UnmappedDirectives.judge(d, "events", this::warn);
            }
        }
    }

    private void http(Directive http) {
        Set<String> maps = MapBlock.names(http.block()); // an upstream block may name a map written after it
        for (Directive d : http.block()) {
            switch (d.name()) {
                case "upstream" -> {
                    UpstreamBlock group = UpstreamBlock.read(block(d), names, maps);
                    if (groups.put(group.name(), group) != null) {
                        throw d.error("duplicate upstream \"" + group.name() + "\"");
                    }
                }
                case "match" -> matches.put(Args.one(block(d)), d);
                case "map" -> map(block(d));
                case "log_format" -> {
                    Args.args(d, 2, Integer.MAX_VALUE);
                    logFormats.put(d.args().get(0), d);
                }
                case "limit_req_zone", "limit_conn_zone" -> zones.declare(d);
                case "resolver" -> resolver = UpstreamBlock.resolver(d, null);
                default -> {
                    // the rest below, once every group, zone and match is known
                }
            }
        }
        Scope scope = Scope.top(upgradeVariables).inner(http.block(), INHERITED);
        List<ServerBlock> servers = new ArrayList<>();
        for (Directive d : http.block()) {
            switch (d.name()) {
                case "server" -> servers.add(ServerBlock.read(block(d), this, scope));
                case "upstream", "match", "map", "log_format", "limit_req_zone", "limit_conn_zone", "resolver" -> {
                    // read above
                }
                default -> common(d, "http");
            }
        }
        if (servers.isEmpty()) {
            throw http.error("no \"server\" block in \"http\": nothing listens");
        }
        ServerBlock.mergeWildcards(servers);
        if (resolver != null) {
            groups.values().forEach(g -> g.useResolver(resolver));
        }
        for (ServerBlock server : servers) {
            for (Directive[] check : server.healthChecks()) {
                group(ProxyPassUrl.of(check[1])).healthCheck(RouteDirectives.healthCheck(check[0], this), check[0]);
            }
        }
        tlsAddresses(servers);
        for (ServerBlock server : servers) {
            current = server;
            proxy.add(server.call());
        }
        current = null;
        proxy.addAll(settingCalls);
        accessLog();
    }

    /** The TLS addresses, each with the certificate of its default server, as nginx takes it from that one. */
    private void tlsAddresses(List<ServerBlock> servers) {
        Map<String, ServerBlock> defaults = new LinkedHashMap<>();
        Map<String, ServerBlock.Listen> lines = new HashMap<>();
        for (ServerBlock server : servers) {
            for (ServerBlock.Listen listen : server.listens()) {
                if (listen.ssl() && (!defaults.containsKey(listen.address()) || listen.defaultServer())) {
                    defaults.put(listen.address(), server);
                    lines.put(listen.address(), listen);
                }
            }
        }
        defaults.forEach((address, server) -> {
            Expr.Local tls = server.tls();
            if (tls == null) {
                throw lines.get(address).at().error("no \"ssl_certificate\" is defined for the \"listen ... ssl\""
                        + " directive");
            }
            proxy.add(call(lines.get(address).at(), "listen", address, tls));
        });
    }

    /**
     * A directive of the http, server or location level other than those the level reads itself: one that a
     * location inherits (read by the route), a client-side setting, {@code access_log}, an accepted one, or an
     * error.
     */
    void common(Directive d, String context) {
        if (ServerBlock.SSL.contains(d.name()) && context.equals("location")) {
            throw d.error("\"" + d.name() + "\" directive is not allowed here (a location)");
        }
        boolean known = INHERITED.contains(d.name()) || proxyWide.containsKey(d.name()) || d.name().equals("access_log");
        if (!known) {
            UnmappedDirectives.judge(d, context, this::warn);
            return;
        }
        if (d.name().equals("types")) {
            MediaTypeLines.check(d);
            return;
        }
        Args.noBlock(d);
        if (d.name().equals("default_type")) {
            Args.args(d, 1, 1);
        }
        if (INHERITED.contains(d.name())) {
            return;
        }
        if (proxyWide.containsKey(d.name())) {
            Expr.Call call = proxyWide.get(d.name()).apply(d);
            Directive earlier = settings.putIfAbsent(d.name(), d);
            if (!context.equals("http")) {
                warnings.add(d.origin() + ": warning: \"" + d.name() + "\" applies to every location of the proxy"
                        + " here, not to this " + context + " alone");
            }
            if (earlier == null) {
                settingCalls.add(call);
            } else if (!earlier.args().equals(d.args())) {
                throw Args.unsupported(d, "different values at different levels (\"" + d.joined() + "\", and \""
                        + earlier.joined() + "\" at " + earlier.origin() + "): it applies to the whole proxy here");
            }
            return;
        }
        if (d.name().equals("access_log")) {
            accessLogs.add(d);
            return;
        }
        UnmappedDirectives.judge(d, context, this::warn);
    }

    /** {@code access_log PATH [FORMAT]} or {@code off}; one log for the whole proxy. */
    private void accessLog() {
        Directive on = null;
        for (Directive d : accessLogs) {
            Args.args(d, 1, 2);
            boolean off = d.args().get(0).equals("off");
            if (on == null && !off) {
                on = d;
            } else if (on != null && !d.args().equals(on.args())) {
                throw Args.unsupported(d, "a second access log, or one turned off in one place (\"" + d.joined()
                        + "\", and \"" + on.joined() + "\" at " + on.origin() + "): one log covers the whole proxy");
            }
        }
        if (on == null) {
            return;
        }
        Directive off = accessLogs.stream().filter(d -> d.args().get(0).equals("off")).findFirst().orElse(null);
        if (off != null) {
            throw Args.unsupported(off, "access_log off in one place while " + on.origin() + " logs: one log covers"
                    + " the whole proxy");
        }
        String target = on.args().get(0);
        if (target.startsWith("syslog:")) {
            throw Args.unsupported(on, "syslog");
        }
        String formatName = on.args().size() == 2 ? on.args().get(1) : "combined";
        Expr.Static format;
        if (logFormats.containsKey(formatName)) {
            Directive f = logFormats.get(formatName);
            List<String> parts = f.args().subList(1, f.args().size());
            if (parts.get(0).startsWith("escape=")) {
                throw Args.unsupported(f, "escape=");
            }
            format = Expr.Static.of(LogFormat.class, "parse", String.join("", parts));
        } else if (formatName.equals("combined")) {
            format = Expr.Static.of(LogFormat.class, "combined");
        } else {
            throw on.error("unknown log format \"" + formatName + "\"");
        }
        accessLog = local("access-log", AccessLog.class, Expr.Static.of(AccessLog.class, "toFile", path(target), format),
                on);
        proxy.add(call(on, "listener", accessLog));
    }

    /** A map block: the proxy's map, declared before every server, or the WebSocket idiom ({@link MapBlock}). */
    private void map(Directive d) {
        String variable = MapBlock.variable(d);
        if (MapBlock.isUpgradeIdiom(d)) {
            upgradeVariables.add(variable);
        } else {
            proxy.add(MapBlock.call(d));
        }
    }

    @Override
    public UpstreamBlock group(ProxyPassUrl url) {
        UpstreamBlock group = groups.get(url.host());
        if (group != null) {
            return group;
        }
        return implicitGroups.computeIfAbsent(url.address(), a -> {
            UpstreamBlock implicit = UpstreamBlock.implicit(a, url.at().origin(), names);
            if (resolver != null) {
                implicit.useResolver(resolver);
            }
            return implicit;
        });
    }

    @Override
    public Expr.Local requestZone(Directive limitReq, Directive status) {
        return zones.requestZone(limitReq, status);
    }

    @Override
    public Expr.Local connectionZone(Directive limitConn, Directive status) {
        return zones.connectionZone(limitConn, status);
    }

    @Override
    public RouteDirectives.PageFile errorPage(String uri) {
        Scope scope = current.pageScope(uri);
        if (scope == null || uri.endsWith("/")) {
            return null;
        }
        Directive rootLine = scope.last("root");
        String root = Args.one(rootLine);
        Path file = path(root + uri);
        try {
            Path real = file.toRealPath();
            if (!real.startsWith(path(root).toRealPath()) || !Files.isRegularFile(real)) {
                return null;
            }
        } catch (IOException e) {
            return null; // not there now: routed when asked for, as nginx would look for it then
        }
        return new RouteDirectives.PageFile(file, mediaTypes(scope, rootLine));
    }

    @Override
    public Expr mediaTypes(Scope scope, Directive at) {
        return mediaTypes.of(scope, at);
    }

    @Override
    public void namedLocation(String name, Directive at) {
        if (!current.hasLocation(name)) {
            throw at.error("no location " + name + " in this server");
        }
    }

    @Override
    public Expr.Static match(String name, Directive at) {
        Directive block = matches.get(name);
        if (block == null) {
            throw at.error("match \"" + name + "\" not found");
        }
        return MatchBlock.code(block);
    }

    @Override
    public Path path(String configured) {
        return prefix.resolve(configured).normalize();
    }

    /** A new local of the generated code, named after {@code name}; {@code at} for its errors. */
    Expr.Local local(String name, Class<?> type, Expr value, Directive at) {
        Expr.Local local = new Expr.Local(names.of(name, "value"), type, value, at.origin());
        locals.add(local);
        return local;
    }

    private static Directive block(Directive d) {
        if (!d.isBlock()) {
            throw d.error("directive \"" + d.name() + "\" has no opening \"{\"");
        }
        return d;
    }

    private static Expr.Call call(Directive d, String method, Object... args) {
        return Expr.Call.of(d.origin(), method, args);
    }
}
