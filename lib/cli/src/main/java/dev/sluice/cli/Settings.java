package dev.sluice.cli;

import dev.sluice.NextUpstream;
import dev.sluice.ProxyServer;
import dev.sluice.Route;
import dev.sluice.UpstreamTls;
import dev.sluice.observe.AccessLog;
import dev.sluice.observe.LogFormat;
import dev.sluice.observe.UpstreamApi;
import dev.sluice.observe.UpstreamStatus;
import dev.sluice.upstream.Balancer;
import dev.sluice.upstream.HealthCheck;
import dev.sluice.upstream.Keepalive;
import dev.sluice.upstream.Resolver;
import dev.sluice.upstream.Sticky;
import dev.sluice.upstream.UpstreamGroup;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the command line asked for, its syntax already checked by {@link Cli}, ready to become the library's
 * builders: one upstream group named {@value #GROUP} from the {@code --server} lines, one route {@code "/"}
 * carrying every {@code --proxy-*} flag, and the client-side flags on the proxy itself.
 *
 * <p>Nothing here starts a server: {@link #toBuilder()} returns a {@code ProxyServer.Builder} for the caller to
 * {@code start()}, and {@link #upstream()} and {@link #configureRoute} build the group and the route on their
 * own, which is how tests check what each flag became. A value the library refuses comes out as a {@link
 * UsageException} naming the flag.
 */
final class Settings {

    /** The name of the one upstream group, as in {@code upstream backend { ... }}. */
    static final String GROUP = "backend";

    private boolean help;
    private boolean demo;
    /** {@code -c}, {@code -t}, {@code --to-java}. */
    private Path configFile;
    private boolean testOnly;
    private Path toJava;
    private String statusListen;
    private String apiListen;
    private AccessLogTarget accessLog;
    private final Map<String, LogFormat> logFormats = new HashMap<>(Map.of(
            "combined", LogFormat.combined(), "upstream", LogFormat.upstream()));
    private AccessLog openLog;
    private Balancer balancer = Balancer.roundRobin();
    private HealthCheck healthCheck;
    private QueueLine queue;
    private Sticky sticky;
    private boolean ntlm;
    private Path stateFile;
    /** {@code --resolver}: DNS servers and {@code valid=}, or none; {@code --resolver-timeout}. */
    private List<InetSocketAddress> resolvers;
    private Duration resolverValid;
    private Duration resolverTimeout = Duration.ofSeconds(30);
    /** Where {@code k8s:} lines find the API server, its token and its CA; null: the pod's own. */
    private URI kubernetesApi;
    private Path kubernetesToken;
    private Path kubernetesCa;
    private NextUpstream nextUpstream = NextUpstream.defaults();
    private final List<ServerLine> servers = new ArrayList<>();
    private final List<Step<ProxyServer.Builder>> proxySteps = new ArrayList<>();
    private final List<Step<Keepalive.Builder>> keepaliveSteps = new ArrayList<>();
    private final List<Step<NextUpstream>> nextUpstreamSteps = new ArrayList<>();
    private final List<Step<Route.Builder>> routeSteps = new ArrayList<>();
    /** The {@code --ssl-*} and {@code --proxy-ssl-*} flags. */
    private final TlsFlags tls = new TlsFlags();

    /** Whether {@code --help} was given: print the usage and do nothing else. */
    boolean help() {
        return help;
    }

    /** Whether {@code --demo} was given. */
    boolean demo() {
        return demo;
    }

    /** The nginx configuration file of {@code -c}, or null. */
    Path configFile() {
        return configFile;
    }

    /** Whether {@code -t} was given: check the file and exit. */
    boolean testOnly() {
        return testOnly;
    }

    /** The nginx configuration file of {@code --to-java}, or null. */
    Path toJava() {
        return toJava;
    }

    /** The {@code --access-log} destination; when not given, off, or standard output under {@code --demo}. */
    AccessLogTarget accessLog() {
        if (accessLog != null) {
            return accessLog;
        }
        return demo ? AccessLogTarget.STDOUT : AccessLogTarget.OFF;
    }

    /** The {@code --server} lines, in order. */
    List<ServerLine> servers() {
        return Collections.unmodifiableList(servers);
    }

    /**
     * Builds the group {@value #GROUP}: the {@code --balance} method, every {@code --server} line (names resolved
     * now, one peer per address, as nginx resolves at startup) and the {@code --upstream-keepalive*} options.
     */
    UpstreamGroup upstream() {
        UpstreamGroup.Builder group = UpstreamGroup.builder(GROUP).balancer(balancer)
                .resolver(resolvers == null ? Resolver.system() : Resolver.dns(resolvers, resolverTimeout, resolverValid));
        for (ServerLine server : servers) {
            try {
                if (KubernetesLine.is(server.address())) {
                    group.discover(server.address(), KubernetesLine.source(server.address(), kubernetesApi,
                            kubernetesToken, kubernetesCa), server::applyTo);
                } else {
                    group.server(server.address(), server::applyTo);
                }
            } catch (IllegalArgumentException e) {
                throw UsageException.rejected("--server", server.text(), e);
            }
        }
        group.keepalive(k -> Step.applyAll(k, keepaliveSteps));
        if (healthCheck != null) {
            group.healthCheck(healthCheck);
        }
        if (queue != null) {
            group.queue(queue.size(), queue.timeout());
        }
        if (sticky != null) {
            group.sticky(sticky);
        }
        if (ntlm) {
            group.ntlm();
        }
        if (stateFile != null) {
            group.stateFile(stateFile);
        }
        try {
            return group.build();
        } catch (IllegalArgumentException e) {
            boolean state = stateFile != null && e.getMessage().startsWith(stateFile + ":");
            throw new UsageException(state ? "--upstream-state" : "--server", e.getMessage());
        }
    }

    /** Sets every {@code --proxy-*}, {@code --error-page} and hash-key option on a route to {@code upstream}. */
    Route.Builder configureRoute(Route.Builder route, UpstreamGroup upstream) {
        route.upstream(upstream).nextUpstream(Step.applyAll(nextUpstream, nextUpstreamSteps));
        UpstreamTls upstreamTls = tls.upstream();
        if (upstreamTls != null) {
            route.upstreamTls(upstreamTls);
        }
        return Step.applyAll(route, routeSteps);
    }

    /** A proxy builder with the listen, worker and client-side flags and the access log, but no route yet. */
    ProxyServer.Builder proxyBuilder() {
        ProxyServer.Builder proxy = Step.applyAll(ProxyServer.builder(), proxySteps);
        AccessLog log = openAccessLog();
        return log == null ? proxy : proxy.listener(log);
    }

    /**
     * The access log the flags ask for, opened once (a file is opened for appending), or null when it is off.
     *
     * @throws UsageException when the format is not defined
     * @throws UncheckedIOException when the file cannot be opened
     */
    AccessLog openAccessLog() {
        AccessLogTarget target = accessLog();
        if (!target.enabled() || openLog != null) {
            return openLog;
        }
        LogFormat format = logFormats.get(target.format());
        if (format == null) {
            throw new UsageException("--access-log", "unknown log format \"" + target.format()
                    + "\" (combined, upstream, or one given by --log-format)");
        }
        try {
            openLog = target.kind() == AccessLogTarget.Kind.FILE ? AccessLog.toFile(target.file(), format)
                    : AccessLog.toLogger(format);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the access log " + target.file(), e);
        }
        return openLog;
    }

    /**
     * The whole proxy, ready to {@code start()}: {@link #proxyBuilder()} with the route {@code "/"} to the group.
     * Call {@link AccessLogTarget#configureLogging()} first when the access log is on: this creates its logger.
     *
     * @throws UsageException naming the flag whose value the library refused
     */
    ProxyServer.Builder toBuilder() {
        return toBuilder(upstream());
    }

    /** {@link #toBuilder()} with the group built already, so that another listener can share it. */
    ProxyServer.Builder toBuilder(UpstreamGroup backend) {
        ProxyServer.Builder proxy = proxyBuilder();
        return proxy.route("/", r -> configureRoute(r, backend));
    }

    // Filled in by Cli, one flag at a time.

    void setHelp() {
        help = true;
    }

    /** {@code --status-listen}: checked at once, so that a bad address names the flag. */
    void setStatusListen(String hostPort) {
        ProxyServer.builder().listen(hostPort);
        statusListen = hostPort;
    }

    /** {@code --api-listen}: checked at once, so that a bad address names the flag; a bare port is loopback's. */
    void setApiListen(String hostPort) {
        String address = hostPort.matches("[0-9]+") ? "127.0.0.1:" + hostPort : hostPort;
        ProxyServer.builder().listen(address);
        apiListen = address;
    }

    /**
     * The listeners of NGINX Plus's upstream API for {@code backend}, the group the main {@code proxy} uses, each a
     * second proxy whose one route answers the API's paths, by what they serve: {@code --status-listen} reads the
     * live state, {@code --api-listen} also changes the servers ({@link UpstreamApi}); both count {@code proxy}'s
     * idle connections.
     */
    Map<String, ProxyServer.Builder> apiBuilders(UpstreamGroup backend, ProxyServer proxy) {
        Map<String, ProxyServer.Builder> listeners = new LinkedHashMap<>();
        if (statusListen != null) {
            UpstreamStatus status = UpstreamStatus.of(List.of(backend)).withPoolsOf(proxy);
            listeners.put("status API", ProxyServer.builder().listen(statusListen).workers(1)
                    .route("/", r -> r.upstream(backend).handler(status.handler())));
        }
        if (apiListen != null) {
            UpstreamApi api = UpstreamApi.of(List.of(backend)).withPoolsOf(proxy);
            listeners.put("upstream API (with writes)", ProxyServer.builder().listen(apiListen).workers(1)
                    .route("/", r -> r.upstream(backend).handler(api.handler())
                            .handlerReadsBody(UpstreamApi.BODY_LIMIT)));
        }
        return listeners;
    }

    void setDemo() {
        demo = true;
    }

    void setConfigFile(Path file) {
        configFile = file;
    }

    void setTestOnly() {
        testOnly = true;
    }

    void setToJava(Path file) {
        toJava = file;
    }

    /** {@code -t} needs {@code -c}; {@code --to-java} goes alone. */
    void checkConfigFlags() {
        if (testOnly && configFile == null) {
            throw new UsageException("-t", "tests the file of -c FILE, which is missing");
        }
        if (toJava != null && (configFile != null || testOnly)) {
            throw new UsageException("--to-java", "goes alone: it prints code and runs nothing");
        }
    }

    void setAccessLog(AccessLogTarget target) {
        accessLog = target;
    }

    /** {@code --log-format 'NAME FORMAT'}: the name, then everything after the first run of spaces. */
    void addLogFormat(String value) {
        String trimmed = value.strip();
        int space = 0;
        while (space < trimmed.length() && !Character.isWhitespace(trimmed.charAt(space))) {
            space++;
        }
        String name = trimmed.substring(0, space);
        String format = trimmed.substring(space).strip();
        if (name.isEmpty() || format.isEmpty()) {
            throw new IllegalArgumentException("expected 'NAME FORMAT', got \"" + value + "\"");
        }
        logFormats.put(name, LogFormat.parse(format));
    }

    void setHealthCheck(HealthCheck check) {
        this.healthCheck = check;
    }

    void setQueue(QueueLine queue) {
        this.queue = queue;
    }

    void setSticky(Sticky sticky) {
        this.sticky = sticky;
    }

    void setNtlm() {
        this.ntlm = true;
    }

    void setStateFile(Path file) {
        this.stateFile = file;
    }

    /** {@code --resolver 'ADDRESS... [valid=T]'}: IP addresses, each with an optional port (53 otherwise). */
    void setResolver(String value) {
        List<InetSocketAddress> servers = new ArrayList<>();
        Duration valid = null;
        for (String token : value.trim().split("\\s+")) {
            if (token.startsWith("valid=")) {
                valid = NginxSyntax.seconds(token.substring("valid=".length()));
            } else if (!token.isEmpty()) {
                servers.add(resolverAddress(token));
            }
        }
        if (servers.isEmpty()) {
            throw new IllegalArgumentException("no DNS server address in \"" + value + "\"");
        }
        this.resolvers = servers;
        this.resolverValid = valid;
    }

    void setKubernetesApi(String value) {
        URI uri;
        try {
            uri = URI.create(value);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--kubernetes-api", "not a URL: \"" + value + "\"");
        }
        if (!"https".equals(uri.getScheme()) && !"http".equals(uri.getScheme()) || uri.getHost() == null) {
            throw new UsageException("--kubernetes-api", "write https://HOST[:PORT], not \"" + value + "\"");
        }
        this.kubernetesApi = uri;
    }

    void setKubernetesToken(Path file) {
        this.kubernetesToken = file;
    }

    void setKubernetesCa(Path file) {
        this.kubernetesCa = file;
    }

    void setResolverTimeout(Duration timeout) {
        this.resolverTimeout = timeout;
    }

    /** A DNS server: {@code IPv4}, {@code IPv4:PORT}, {@code IPv6}, {@code [IPv6]} or {@code [IPv6]:PORT}. */
    static InetSocketAddress resolverAddress(String token) {
        String host = token;
        String port = "53";
        int colon = token.indexOf(':');
        if (token.startsWith("[") && token.indexOf(']') > 0) {
            int close = token.indexOf(']');
            host = token.substring(1, close);
            String rest = token.substring(close + 1);
            port = rest.startsWith(":") ? rest.substring(1) : rest.isEmpty() ? port : "-";
        } else if (colon >= 0 && colon == token.lastIndexOf(':')) {
            host = token.substring(0, colon);
            port = token.substring(colon + 1);
        }
        boolean literal = host.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}") || host.contains(":") && host.matches("[0-9A-Fa-f:.]+");
        if (!literal || !port.matches("[0-9]{1,5}") || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535) {
            throw new IllegalArgumentException("a DNS server is an IP address with an optional port: \"" + token + "\"");
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(host), Integer.parseInt(port));
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("a DNS server is an IP address with an optional port: \"" + token + "\"", e);
        }
    }

    void setBalancer(Balancer balancer) {
        this.balancer = balancer;
    }

    void setNextUpstream(NextUpstream conditions) {
        nextUpstream = conditions;
    }

    void addServer(ServerLine server) {
        servers.add(server);
    }

    void addProxyStep(Step<ProxyServer.Builder> step) {
        proxySteps.add(step);
    }

    void addKeepaliveStep(Step<Keepalive.Builder> step) {
        keepaliveSteps.add(step);
    }

    void addNextUpstreamStep(Step<NextUpstream> step) {
        nextUpstreamSteps.add(step);
    }

    /** {@code --listen}: an address, in TLS when {@code ssl}, whose certificate comes from the {@code --ssl-*} flags. */
    void addListen(String flag, String value, String hostPort, boolean ssl) {
        tls.listensWithTls(ssl);
        proxySteps.add(new Step<>(flag, value, b -> ssl ? b.listen(hostPort, tls.server()) : b.listen(hostPort)));
    }

    /** The {@code --ssl-*} and {@code --proxy-ssl-*} flags, for Cli to fill. */
    TlsFlags tls() {
        return tls;
    }

    void addRouteStep(Step<Route.Builder> step) {
        routeSteps.add(step);
    }
}
