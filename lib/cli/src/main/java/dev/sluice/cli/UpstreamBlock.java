package dev.sluice.cli;

import dev.sluice.upstream.Resolver;
import dev.sluice.upstream.UpstreamGroup;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * An {@code upstream NAME { ... }} block as a group, {@code UpstreamGroup.builder(NAME)...build()}: its {@code
 * server} lines, balancing method, {@code keepalive*} directives, {@code zone} (one balancing state shared by every
 * event loop; without it each loop keeps its own, as nginx's workers do), and NGINX Plus's {@code sticky}, {@code queue},
 * {@code ntlm}, {@code state} and {@code resolver}; the {@code health_check} of a location that proxies to it is
 * added by {@link #healthCheck}. Also the group nginx makes of {@code proxy_pass http://HOST:PORT} without a block.
 */
final class UpstreamBlock {

    /** The balancing methods that take no {@code backup} server, as nginx's: they pick among every server. */
    private static final Set<String> WITHOUT_BACKUP = Set.of("ip_hash", "hash", "random");

    private final String name;
    private final String origin;
    private final Names names;
    private final List<Expr.Call> calls = new ArrayList<>();
    private final List<Expr.Call> keepalive = new ArrayList<>();
    private String hashKey;
    private Expr.Static healthCheck;
    private Expr.Static resolver;
    private String healthCheckOrigin;
    private Expr.Local local;

    private UpstreamBlock(String name, String origin, Names names) {
        this.name = name;
        this.origin = origin;
        this.names = names;
    }

    /**
     * Reads an upstream block.
     *
     * @param names where the group's variable name comes from
     * @throws UsageException for a directive it does not know or cannot use, naming file and line
     */
    static UpstreamBlock read(Directive block, Names names, Set<String> maps) {
        if (block.args().size() != 1) {
            throw block.error("invalid number of arguments in \"upstream\"");
        }
        UpstreamBlock group = new UpstreamBlock(block.args().get(0), block.origin(), names);
        Directive resolver = null;
        Duration resolverTimeout = null;
        int servers = 0;
        Directive backup = null;
        Directive method = null;
        for (Directive d : block.block()) {
            Args.noBlock(d);
            switch (d.name()) {
                case "server" -> {
                    group.server(d);
                    servers++;
                    backup = backup == null && d.args().contains("backup") ? d : backup;
                }
                case "least_conn", "ip_hash", "hash", "random", "least_time" -> {
                    group.balance(d, maps);
                    method = d;
                }
                case "keepalive" -> group.keepalive.add(Expr.Call.of(d.origin(), "idle", Args.number(d)));
                case "keepalive_requests" -> group.keepalive.add(Expr.Call.of(d.origin(), "maxRequests", Args.number(d)));
                case "keepalive_time" -> group.keepalive.add(Expr.Call.of(d.origin(), "maxLifetime", Args.time(d)));
                case "keepalive_timeout" -> group.keepalive.add(Expr.Call.of(d.origin(), "idleTimeout", Args.time(d)));
                case "zone" -> {
                    Args.args(d, 1, 2);
                    group.calls.add(Expr.Call.of(d.origin(), "sharedState"));
                }
                case "sticky" -> {
                    Expr.Static sticky = Args.parsed(d, text -> StickyLine.code(sticky(d), maps));
                    group.calls.add(Expr.Call.of(d.origin(), "sticky", sticky));
                }
                case "queue" -> {
                    QueueLine queue = Args.parsed(d, QueueLine::parse);
                    group.calls.add(Expr.Call.of(d.origin(), "queue", queue.size(), queue.timeout()));
                }
                case "ntlm" -> {
                    Args.args(d, 0, 0);
                    group.calls.add(Expr.Call.of(d.origin(), "ntlm"));
                }
                case "state" -> group.calls.add(Expr.Call.of(d.origin(), "stateFile", Path.of(Args.one(d))));
                case "resolver" -> resolver = d;
                case "resolver_timeout" -> resolverTimeout = Args.time(d);
                default -> throw Args.unknown(d, "upstream");
            }
        }
        if (backup != null && method != null && WITHOUT_BACKUP.contains(method.name())) {
            throw backup.error("balancing method does not support parameter \"backup\" (\"" + method.name()
                    + "\" at " + method.origin() + ")");
        }
        if (servers == 0 && group.calls.stream().noneMatch(c -> c.method().equals("stateFile"))) {
            throw block.error("no servers are inside upstream");
        }
        if (resolver != null) {
            group.resolver = resolver(resolver, resolverTimeout);
        }
        return group;
    }

    /** The group nginx makes for {@code proxy_pass http://HOST:PORT}: that one server, resolved at start. */
    static UpstreamBlock implicit(String address, String origin, Names names) {
        UpstreamBlock group = new UpstreamBlock(address, origin, names);
        group.calls.add(Expr.Call.of(origin, "server", address));
        return group;
    }

    /**
     * {@code resolver ADDRESS... [valid=T]} as code: {@code Resolver.dns(List.of(new InetSocketAddress(...)),
     * timeout, valid)}; {@code timeout} null for nginx's 30 s.
     */
    static Expr.Static resolver(Directive d, Duration timeout) {
        List<Object> servers = new ArrayList<>();
        Duration valid = null;
        for (String arg : d.args()) {
            if (arg.startsWith("valid=")) {
                valid = Args.parsed(d, a -> NginxSyntax.seconds(arg.substring("valid=".length())));
            } else if (arg.startsWith("ipv6=") || arg.startsWith("status_zone=")) {
                throw d.error("not supported: \"" + arg + "\" in \"resolver\"");
            } else {
                InetSocketAddress address = Args.parsed(d, a -> Settings.resolverAddress(arg));
                servers.add(Expr.Static.of(InetSocketAddress.class, "new", address.getAddress().getHostAddress(),
                        address.getPort()));
            }
        }
        if (servers.isEmpty()) {
            throw d.error("invalid number of arguments in \"resolver\"");
        }
        Expr.Static list = new Expr.Static(List.class, "of", servers, List.of());
        return Expr.Static.of(Resolver.class, "dns", list, timeout == null ? Duration.ofSeconds(30) : timeout,
                valid);
    }

    /** The resolver of the http block, for a group without one of its own. */
    void useResolver(Expr.Static http) {
        if (resolver == null) {
            resolver = http;
        }
    }

    /** The name the block gives the group. */
    String name() {
        return name;
    }

    /** The key of {@code hash KEY}, which every route to the group takes as its hash key, or null. */
    String hashKey() {
        return hashKey;
    }

    /**
     * NGINX Plus's {@code health_check} of a location proxying to this group: the group is checked so; a second
     * location may repeat the same check, not another. All come before the first {@link #local()}.
     */
    void healthCheck(Expr.Static check, Directive at) {
        if (healthCheck != null && !healthCheck.equals(check)) {
            throw at.error("not supported: a second, different health_check for upstream \"" + name + "\" (the one at "
                    + healthCheckOrigin + "); a group has one health check");
        }
        healthCheck = check;
        healthCheckOrigin = at.origin();
    }

    /** The group as a local, {@code UpstreamGroup NAME = ...build();}, made when first asked for. */
    Expr.Local local() {
        if (local == null) {
            Expr.Static group = Expr.Static.of(UpstreamGroup.class, "builder", name);
            List<Expr.Call> all = new ArrayList<>(calls);
            if (resolver != null) {
                all.add(Expr.Call.of(origin, "resolver", resolver));
            }
            if (!keepalive.isEmpty()) {
                all.add(Expr.Call.of(origin, "keepalive", new Expr.Lambda(keepalive)));
            }
            if (healthCheck != null) {
                all.add(Expr.Call.of(healthCheckOrigin, "healthCheck", healthCheck));
            }
            all.add(Expr.Call.of(origin, "build"));
            local = new Expr.Local(names.of(name, "group"), UpstreamGroup.class,
                    new Expr.Static(group.type(), group.method(), group.args(), all), origin);
        }
        return local;
    }

    /**
     * A {@code sticky} line in the flag's words: NGINX Plus's {@code zone=NAME:SIZE} of {@code learn} becomes the
     * sessions it holds, about 4,000 per megabyte as NGINX Plus documents.
     */
    private static String sticky(Directive d) {
        StringBuilder text = new StringBuilder();
        for (String arg : d.args()) {
            String word = arg;
            if (arg.startsWith("zone=") && arg.indexOf(':') > 0) {
                long bytes = NginxSyntax.size(arg.substring(arg.indexOf(':') + 1));
                word = "size=" + Math.max(1, bytes * 4000 / (1 << 20));
            } else if (arg.equals("sync")) {
                throw Args.unsupported(d, "sync (sessions shared between cluster nodes)");
            }
            text.append(text.length() == 0 ? "" : " ").append(word);
        }
        return text.toString();
    }

    private void server(Directive d) {
        ServerLine line = Args.parsed(d, ServerLine::parse);
        if (KubernetesLine.is(line.address())) {
            throw d.error("not supported: k8s: servers in a configuration file (use --server with the flags)");
        }
        calls.add(line.parameters().isEmpty() ? Expr.Call.of(d.origin(), "server", line.address())
                : Expr.Call.of(d.origin(), "server", line.address(), new Expr.Lambda(line.parameters())));
    }

    private void balance(Directive d, Set<String> maps) {
        BalanceLine line = Args.parsed(d, text -> BalanceLine.parse(d.name() + (text.isEmpty() ? "" : " " + text),
                maps));
        calls.add(Expr.Call.of(d.origin(), "balancer", line.method()));
        hashKey = line.hashKey();
    }
}
