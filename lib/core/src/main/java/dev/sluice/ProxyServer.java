package dev.sluice;

import dev.sluice.internal.net.EventLoopGroup;
import dev.sluice.internal.discovery.Discovery;
import dev.sluice.internal.health.HealthChecker;
import dev.sluice.internal.proxy.ProxyEngine;
import dev.sluice.observe.AccessLog;
import dev.sluice.observe.ExchangeListener;
import dev.sluice.upstream.Ticker;
import dev.sluice.upstream.UpstreamGroup;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.spi.SelectorProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * A running reverse proxy: listening sockets, event loops, and the routes that carry requests to upstream
 * groups. nginx's {@code http { server { listen ...; location ... { proxy_pass ...; } } }} as an object.
 *
 * <pre>{@code
 * ProxyServer proxy = ProxyServer.builder()
 *     .listen("127.0.0.1:8080")
 *     .route("/", r -> r.upstream(backend).connectTimeout(Duration.ofSeconds(5)))
 *     .start();
 * ...
 * proxy.close();
 * }</pre>
 *
 * <p>Routes match a request's path as nginx's {@code $uri} holds it, computed as nginx computes it: %XX decoded
 * ({@code %2F} and {@code %2e} included), runs of '/' merged ({@code merge_slashes on}), {@code .} and {@code ..}
 * segments resolved, the query left out. So {@code /api/../admin/x} goes to the {@code /admin} route and {@code
 * //admin} matches it; the upstream still receives the target exactly as the client sent it (an absolute-form one
 * in origin form), as nginx forwards it when {@code proxy_pass} has no URI part. The proxy answers some requests
 * itself, as nginx does, and then closes the connection: a path that climbs above the root ({@code /a/../../x}) or
 * holds a broken or NUL %-escape gets 400; {@code OPTIONS *} gets 400, because nginx's request-line parser takes no
 * asterisk-form target (RFC 9110 §9.3.7 would let a server answer for itself; nginx does not); {@code CONNECT} gets
 * 405, as nginx 1.29.3 and later answer it without a tunnel module.
 */
public final class ProxyServer implements AutoCloseable {

    private final ProxyEngine engine;
    private final HealthChecker checks;
    private final Discovery discovery;

    private ProxyServer(ProxyEngine engine, HealthChecker checks, Discovery discovery) {
        this.engine = engine;
        this.checks = checks;
        this.discovery = discovery;
    }

    /** Starts describing a proxy. */
    public static Builder builder() {
        return new Builder();
    }

    /** The addresses the proxy listens on, with the ports the system chose for port 0. */
    public List<InetSocketAddress> addresses() {
        return engine.addresses();
    }

    /** The port of the first listening address. */
    public int port() {
        return addresses().get(0).getPort();
    }

    /**
     * The idle keepalive connections this proxy's loops hold to {@code group}'s peers now (NGINX Plus's {@code
     * keepalive} of an upstream); 0 for a group it never used.
     */
    public int idleConnections(UpstreamGroup group) {
        return engine.idleConnections(Objects.requireNonNull(group, "group"));
    }

    /**
     * Shuts down gracefully, as nginx's {@code quit} signal: stops accepting, lets exchanges in flight finish within
     * {@code grace}, closes idle connections and releases every socket.
     *
     * @return whether everything finished within the grace period
     */
    public boolean shutdown(Duration grace) {
        checks.close();
        discovery.close();
        return engine.shutdown(grace);
    }

    /**
     * Reads the certificate, key and CA files of every TLS address and virtual server again and uses them for the
     * handshakes from now on, connections already open keeping theirs: nginx's reload for certificates. The CLI
     * calls it on {@code SIGHUP}.
     *
     * @throws IllegalArgumentException naming the file that cannot be used, and why; the certificates in use then
     *     all stay
     */
    public void reloadCertificates() {
        engine.reloadCertificates();
    }

    /** Shuts down with a grace period of 10 seconds. */
    @Override
    public void close() {
        shutdown(Duration.ofSeconds(10));
    }

    /** Describes a proxy; {@link #start()} checks it, binds the sockets and starts the event loops. */
    public static final class Builder {

        private static final Duration MAX = Duration.ofDays(365);

        private final List<InetSocketAddress> listen = new ArrayList<>();
        private final Map<InetSocketAddress, ServerTls> tls = new HashMap<>();
        private final List<Route> routes = new ArrayList<>();
        /** The maps declared so far, by name, in their order. */
        private final Map<String, VariableMap> maps = new LinkedHashMap<>();
        private ProxyHandler handler;
        private final List<VirtualServer> servers = new ArrayList<>();
        private final List<ExchangeListener> listeners = new ArrayList<>();
        private int workers;
        private Duration headerTimeout = ClientLimits.DEFAULTS.headerTimeout();
        private Duration bodyTimeout = ClientLimits.DEFAULTS.bodyTimeout();
        private Duration sendTimeout = ClientLimits.DEFAULTS.sendTimeout();
        private Duration keepaliveTimeout = ClientLimits.DEFAULTS.keepaliveTimeout();
        private int keepaliveRequests = ClientLimits.DEFAULTS.keepaliveRequests();
        private long maxBodySize = ClientLimits.DEFAULTS.maxBodySize();
        private Duration lingeringTimeout = ClientLimits.DEFAULTS.lingeringTimeout();
        private Duration lingeringTime = ClientLimits.DEFAULTS.lingeringTime();
        private int bodyBufferSize = ClientLimits.DEFAULTS.bodyBufferSize();
        private Path bodyTempPath;
        private boolean underscoresInHeaders = ClientLimits.DEFAULTS.underscoresInHeaders();
        private boolean ignoreInvalidHeaders = ClientLimits.DEFAULTS.ignoreInvalidHeaders();
        private int workerConnections;
        private int maxConnections;
        private SelectorProvider selectorProvider = SelectorProvider.provider();
        private Ticker ticker = Ticker.system();

        private Builder() {
        }

        /** {@code listen HOST:PORT}; repeatable; default 127.0.0.1:8080. Port 0 picks a free port. */
        public Builder listen(String hostPort) {
            return listen(ListenAddress.parse(hostPort));
        }

        /** {@code listen ADDRESS}; repeatable. */
        public Builder listen(InetSocketAddress address) {
            listen.add(ListenAddress.checked(address));
            return this;
        }

        /**
         * {@code listen HOST:PORT ssl}: clients speak TLS to this address, which presents {@code tls}'s certificate
         * unless the SNI name selects a virtual server with one of its own ({@link VirtualServer.Builder#tls}).
         * Plain HTTP sent to it gets nginx's 400 "The plain HTTP request was sent to HTTPS port".
         */
        public Builder listen(String hostPort, ServerTls tls) {
            InetSocketAddress address = ListenAddress.parse(hostPort);
            this.tls.put(address, Objects.requireNonNull(tls, "tls"));
            return listen(address);
        }

        /**
         * {@code worker_processes N}: the number of event loops; 0 (the default) means one per processor. Like nginx's
         * workers, each loop balances with its own copy of a group's state unless the group shares one ({@link
         * dev.sluice.upstream.UpstreamGroup.Builder#sharedState()}, nginx's {@code zone}).
         */
        public Builder workers(int workers) {
            if (workers < 0 || workers > 1024) {
                throw new IllegalArgumentException("workers must be between 0 and 1024: " + workers);
            }
            this.workers = workers;
            return this;
        }

        /**
         * {@code worker_connections N}: how many client connections each event loop holds at most; 0 (the default)
         * means no limit. Unlike nginx's, the count leaves out upstream connections. A connection beyond it is not
         * accepted but waits in the listen backlog until one closes, and the proxy stops listening for accepts
         * meanwhile, so a flood of connections costs no CPU.
         */
        public Builder workerConnections(int connections) {
            if (connections < 0) {
                throw new IllegalArgumentException("workerConnections must not be negative: " + connections);
            }
            this.workerConnections = connections;
            return this;
        }

        /**
         * How many client connections the proxy holds at most over all its event loops; 0 (the default) means no
         * limit. Beyond it, as beyond {@link #workerConnections}, connections wait in the listen backlog.
         */
        public Builder maxConnections(int connections) {
            if (connections < 0) {
                throw new IllegalArgumentException("maxConnections must not be negative: " + connections);
            }
            this.maxConnections = connections;
            return this;
        }

        /**
         * {@code location [=|^~|~|~*] PATH { proxy_pass ...; }}: the requests whose normalised path ({@code $uri},
         * see above) the location matches, chosen as nginx chooses a location ({@link Route}): an exact match, else
         * the longest prefix unless a regex added earlier than the others matches first.
         */
        public Builder route(String location, Consumer<Route.Builder> options) {
            Route.add(routes, location, options, "", maps.keySet());
            return this;
        }

        /**
         * nginx's {@code map SOURCE $NAME { ... }}: the variable {@code $NAME} ({@code name} without its '$'), whose
         * value {@code entries} choose by the value of the template {@code source} (see {@link VariableMap}); the
         * routes and servers added after it, and the maps declared after it, may name it in their values:
         * {@code map("backend_version", "$cookie_version", m -> m.entry("beta", "/v2").entry("default", "/v1"))}.
         */
        public Builder map(String name, String source, Consumer<VariableMap.Builder> entries) {
            VariableMap.Builder map = new VariableMap.Builder(name, source, new VariableNames(Map.of(), maps.keySet()));
            entries.accept(map);
            maps.put(name, map.build());
            return this;
        }

        /**
         * The hooks ({@link ProxyHandler}) of every route given to this builder directly (the default server's)
         * that has no handler of its own and does not answer every request itself; a {@link VirtualServer} has its
         * own. None by default.
         */
        public Builder handler(ProxyHandler handler) {
            this.handler = Objects.requireNonNull(handler, "handler");
            return this;
        }

        /**
         * {@code server { server_name NAMES; location ... }}: a virtual server for the requests whose host one of
         * {@code names} matches (see {@link VirtualServer}), with the routes {@code options} adds. Routes given to
         * this builder directly form the default server, which serves every other host.
         */
        public Builder server(String names, Consumer<VirtualServer.Builder> options) {
            VirtualServer.Builder server = VirtualServer.builder(names, maps.keySet());
            options.accept(server);
            servers.add(server.build());
            return this;
        }

        /** {@code client_header_timeout}, default 60s. */
        public Builder clientHeaderTimeout(Duration timeout) {
            this.headerTimeout = positive("clientHeaderTimeout", timeout);
            return this;
        }

        /** {@code client_body_timeout}, default 60s. */
        public Builder clientBodyTimeout(Duration timeout) {
            this.bodyTimeout = positive("clientBodyTimeout", timeout);
            return this;
        }

        /** {@code send_timeout}, default 60s. */
        public Builder sendTimeout(Duration timeout) {
            this.sendTimeout = positive("sendTimeout", timeout);
            return this;
        }

        /** {@code keepalive_timeout}, default 75s; zero closes every client connection after one request. */
        public Builder keepaliveTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "keepaliveTimeout");
            if (timeout.isNegative() || timeout.compareTo(MAX) > 0) {
                throw new IllegalArgumentException("keepaliveTimeout must be between 0 and 365d: " + timeout);
            }
            this.keepaliveTimeout = timeout;
            return this;
        }

        /** {@code keepalive_requests}, default 1000. */
        public Builder keepaliveRequests(int requests) {
            if (requests < 1) {
                throw new IllegalArgumentException("keepaliveRequests must be at least 1: " + requests);
            }
            this.keepaliveRequests = requests;
            return this;
        }

        /** {@code client_max_body_size}, default 1 MiB; 0 means unlimited. */
        public Builder clientMaxBodySize(long bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("clientMaxBodySize must not be negative: " + bytes);
            }
            this.maxBodySize = bytes;
            return this;
        }

        /**
         * {@code client_body_buffer_size}, default 16k: with request buffering on, a body up to this size is kept
         * in memory; a larger one (or a chunked one that grows past it) is written to a temporary file in {@link
         * #clientBodyTempPath} as it arrives, through a buffer of this size, so a request never holds more memory
         * than this whatever {@code clientMaxBodySize} allows. 1 KiB to 64 MiB.
         */
        public Builder clientBodyBufferSize(int bytes) {
            if (bytes < 1024 || bytes > 64 << 20) {
                throw new IllegalArgumentException(
                        "clientBodyBufferSize must be between 1024 and 67108864 bytes: " + bytes);
            }
            this.bodyBufferSize = bytes;
            return this;
        }

        /**
         * {@code client_body_temp_path}: the directory of the temporary files that hold request bodies larger than
         * {@link #clientBodyBufferSize}; default {@code sluice} in {@code java.io.tmpdir}, created when first
         * needed. A directory given here is created by {@link #start()}, which fails if it cannot be. Each file is
         * readable by its owner only and is deleted when the exchange ends (on POSIX systems it is unlinked as soon
         * as it is opened, as nginx does, so not even a crash leaves it behind).
         */
        public Builder clientBodyTempPath(Path directory) {
            this.bodyTempPath = Objects.requireNonNull(directory, "clientBodyTempPath");
            return this;
        }

        /**
         * {@code lingering_timeout} and {@code lingering_time}, defaults 5s and 30s: how long a closing connection
         * reads and drops what the client still sends, between two reads and in all; the same bounds hold while the
         * body of a request the proxy answered itself (a 404, a redirect) is dropped before the next request, as nginx
         * discards it.
         */
        public Builder lingering(Duration timeout, Duration time) {
            this.lingeringTimeout = positive("lingeringTimeout", timeout);
            this.lingeringTime = positive("lingeringTime", time);
            return this;
        }

        /**
         * {@code underscores_in_headers on|off}, default off: whether a request field name may hold underscores.
         * Off, a field such as {@code X_Forwarded_For} is dropped (with {@link #ignoreInvalidHeaders} on), so it
         * cannot pose as the proxy's own {@code X-Forwarded-For} to a server that maps {@code _} and {@code -} to
         * the same variable (CGI, WSGI, PHP).
         */
        public Builder underscoresInHeaders(boolean allowed) {
            this.underscoresInHeaders = allowed;
            return this;
        }

        /**
         * {@code ignore_invalid_headers on|off}, default on: drop request fields whose names nginx calls invalid —
         * anything but letters, digits and hyphens (and underscores with {@link #underscoresInHeaders}) — as they
         * are read, logged at debug on {@code dev.sluice.internal.http.RequestRules}. Off, they are kept and forwarded. A
         * name with a byte that is no token character is refused with 400 either way.
         */
        public Builder ignoreInvalidHeaders(boolean ignore) {
            this.ignoreInvalidHeaders = ignore;
            return this;
        }

        /**
         * Where the proxy's sockets come from: listening, accepted and upstream channels and the selectors that
         * watch them. Default {@link SelectorProvider#provider()}, the platform's TCP and Unix sockets. The test
         * kit's in-memory network plugs in here, so that a test runs whole exchanges with no socket.
         */
        public Builder selectorProvider(SelectorProvider provider) {
            this.selectorProvider = Objects.requireNonNull(provider, "selectorProvider");
            return this;
        }

        /**
         * The clock of every timeout the proxy keeps (client and upstream timeouts, keepalive, lingering,
         * {@code limit_req}). Default {@link Ticker#system()}; a test passes a manual ticker and moves time by hand.
         * An upstream group's {@code fail_timeout} reads the group's own ticker ({@link
         * dev.sluice.upstream.UpstreamGroup.Builder#ticker}); when that is this same ticker (both default to {@link
         * Ticker#system()}), the group's picks read each loop's reading of it, taken once per turn of the loop as
         * nginx's workers read {@code ngx_current_msec}.
         */
        public Builder ticker(Ticker ticker) {
            this.ticker = Objects.requireNonNull(ticker, "ticker");
            return this;
        }

        /** Adds a listener for exchange and attempt events. */
        public Builder listener(ExchangeListener listener) {
            listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /**
         * {@code access_log}: writes one line a request to the slf4j logger {@value AccessLog#LOGGER_NAME}. slf4j
         * writes nothing without a provider on the class path (slf4j-simple, Logback, Log4j's slf4j2 binding): add
         * one, and let it log {@value AccessLog#LOGGER_NAME} at INFO.
         */
        public Builder accessLog() {
            return listener(new AccessLog());
        }

        /**
         * Checks the configuration, binds every listening socket and starts the event loops.
         *
         * @throws IllegalArgumentException when no route is defined
         * @throws IOException when a socket cannot be bound or the clientBodyTempPath created; nothing is left
         *     running then
         */
        public ProxyServer start() throws IOException {
            if (routes.isEmpty() && servers.isEmpty()) {
                throw new IllegalArgumentException("no route: add at least route(\"/\", ...)");
            }
            List<Route> all = new ArrayList<>(routes);
            servers.forEach(server -> all.addAll(server.routes()));
            for (Route route : all) {
                if (route.upstream() == null) {
                    continue; // it answers every request
                }
                if (route.upstream().sticky() != null) {
                    for (ValueTemplate lookup : route.upstream().sticky().lookup()) {
                        for (String map : lookup.mapNames()) {
                            if (!maps.containsKey(map)) {
                                throw new IllegalArgumentException("upstream \"" + route.upstream().name()
                                        + "\": sticky uses an unknown variable $" + map);
                            }
                        }
                    }
                }
                route.upstream().peers().forEach(peer -> {
                    if (peer.address() instanceof InetSocketAddress && ((InetSocketAddress) peer.address()).isUnresolved()) {
                        throw new IllegalArgumentException("server " + peer.server() + " of upstream \"" + route.upstream().name()
                                + "\" is a name that was not resolved: the group was built with Resolver.none()");
                    }
                });
            }
            List<InetSocketAddress> addresses = addresses();
            if (bodyTempPath != null) {
                try {
                    Files.createDirectories(bodyTempPath);
                } catch (IOException e) {
                    throw new IOException("clientBodyTempPath cannot be created: " + bodyTempPath, e);
                }
            }
            ClientLimits limits = new ClientLimits(headerTimeout, bodyTimeout, sendTimeout, keepaliveTimeout,
                    keepaliveRequests, maxBodySize, ClientLimits.DEFAULTS.maxRequestLine(), ClientLimits.DEFAULTS.maxHeaderSize(),
                    lingeringTimeout, lingeringTime, bodyBufferSize,
                    bodyTempPath == null ? ClientLimits.DEFAULTS.bodyTempPath() : bodyTempPath,
                    underscoresInHeaders, ignoreInvalidHeaders);
            EventLoopGroup.Builder loops = EventLoopGroup.builder()
                    .threads(workers == 0 ? Runtime.getRuntime().availableProcessors() : workers)
                    .connections(workerConnections, maxConnections)
                    .provider(selectorProvider);
            List<UpstreamGroup> groups = all.stream().map(Route::upstream).filter(Objects::nonNull).toList();
            Map<UpstreamGroup, UpstreamTls> groupTls = new IdentityHashMap<>();
            all.stream().filter(r -> r.upstream() != null && r.upstreamTls().isPresent())
                    .forEach(r -> groupTls.putIfAbsent(r.upstream(), r.upstreamTls().get()));
            HealthChecker checks = HealthChecker.start(groups, groupTls, selectorProvider, ticker::nanos,
                    List.copyOf(listeners));
            Discovery discovery = Discovery.start(groups);
            try {
                return new ProxyServer(ProxyEngine.start(addresses, Map.copyOf(tls), loops, ticker,
                        List.copyOf(routes), handler, List.copyOf(servers), limits, List.copyOf(listeners),
                        Map.copyOf(maps)), checks,
                        discovery);
            } catch (IOException | RuntimeException e) {
                checks.close();
                discovery.close();
                throw e;
            }
        }

        /**
         * Every address to listen on: the proxy's own and its servers', each once, 127.0.0.1:8080 without any; each
         * with at most one server marked default.
         */
        private List<InetSocketAddress> addresses() {
            List<InetSocketAddress> all = new ArrayList<>(listen);
            servers.forEach(server -> server.listen().stream().filter(a -> !all.contains(a)).forEach(all::add));
            if (all.isEmpty()) {
                all.add(new InetSocketAddress("127.0.0.1", 8080));
            }
            for (InetSocketAddress address : all) {
                List<String> defaults = servers.stream().filter(s -> s.isDefaultServer() && s.listensOn(address))
                        .map(s -> s.names().get(0)).toList();
                if (defaults.size() > 1) {
                    throw new IllegalArgumentException("listen " + address + " has more than one default server: "
                            + defaults);
                }
                if (routes.isEmpty() && servers.stream().noneMatch(s -> s.listensOn(address))) {
                    throw new IllegalArgumentException("listen " + address + " has no server and no route");
                }
            }
            return all;
        }

        private static Duration positive(String option, Duration value) {
            Objects.requireNonNull(value, option);
            if (value.isNegative() || value.isZero() || value.compareTo(MAX) > 0) {
                throw new IllegalArgumentException(option + " must be more than 0 and at most 365d: " + value);
            }
            return value;
        }
    }
}
