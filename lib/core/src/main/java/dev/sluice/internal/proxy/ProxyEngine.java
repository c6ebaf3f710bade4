package dev.sluice.internal.proxy;

import dev.sluice.ClientLimits;
import dev.sluice.ProxyHandler;
import dev.sluice.ProxyRequest;
import dev.sluice.Route;
import dev.sluice.ServerTls;
import dev.sluice.UpstreamTls;
import dev.sluice.VariableMap;
import dev.sluice.VirtualServer;
import dev.sluice.internal.net.Acceptor;
import dev.sluice.internal.net.EventLoop;
import dev.sluice.internal.net.EventLoopGroup;
import dev.sluice.internal.pool.KeepaliveSettings;
import dev.sluice.internal.pool.PeerLimitsRegistry;
import dev.sluice.internal.tls.TlsClient;
import dev.sluice.internal.tls.TlsServer;
import dev.sluice.observe.AttemptRecord;
import dev.sluice.observe.ExchangeListener;
import dev.sluice.observe.ExchangeRecord;
import dev.sluice.upstream.Keepalive;
import dev.sluice.upstream.Ticker;
import dev.sluice.upstream.UpstreamGroup;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The machinery behind {@code dev.sluice.ProxyServer}: the event loops, the listening sockets and the routes.
 * Use {@code ProxyServer}; this type is public only so that it can start one.
 */
public final class ProxyEngine {

    private static final Logger log = LoggerFactory.getLogger(ProxyEngine.class);

    final ClientLimits limits;
    final List<ExchangeListener> listeners;
    /** Whether exchanges are recorded: for listeners, or for a handler's {@code done}. */
    final boolean recordsExchanges;
    /** The request fields the listeners read from each record ({@link ExchangeListener#requestFields}). */
    final List<String> requestFields;
    final BufferMeter meter = new BufferMeter();
    final TempFiles tempFiles;
    final EventLoopGroup loops;
    /** The proxy's {@code map} variables, by name. */
    final Map<String, VariableMap> maps;
    /** The clock the loops read once per turn: a group that reads the same one picks by the loops' readings. */
    final Ticker ticker;
    private final List<Acceptor> acceptors = new ArrayList<>();
    private final List<InetSocketAddress> addresses = new ArrayList<>();
    private final Map<EventLoop, LoopContext> contexts = new IdentityHashMap<>();
    /** By group, as each is first used: a handler may choose groups no route names. */
    private final Map<UpstreamGroup, PeerLimitsRegistry> keepalive = new ConcurrentHashMap<>();
    /** What tells each group's registry of peers that leave, stopped with the engine. */
    private final Queue<AutoCloseable> leaveWatches = new ConcurrentLinkedQueue<>();
    /** The TLS client of each route that speaks TLS to its peers, read at start; never changed after. */
    private final Map<Route, TlsClient> tlsClients = new IdentityHashMap<>();
    /** The TLS of each address clients speak TLS to. */
    private final List<TlsServer> tlsServers = new ArrayList<>();

    private ProxyEngine(EventLoopGroup.Builder loopGroup, Ticker ticker, List<Route> routes, ProxyHandler handler,
            List<VirtualServer> servers, ClientLimits limits, List<ExchangeListener> listeners,
            Map<String, VariableMap> maps) {
        this.ticker = ticker;
        this.maps = maps;
        this.limits = limits;
        this.listeners = listeners;
        this.requestFields = listeners.stream().flatMap(l -> l.requestFields().stream())
                .map(name -> name.toLowerCase(Locale.ROOT)).distinct().toList();
        this.recordsExchanges = !listeners.isEmpty() || readsRecords(handler)
                || routes.stream().anyMatch(route -> readsRecords(route.handler()))
                || servers.stream().anyMatch(s -> readsRecords(s.handler())
                        || s.routes().stream().anyMatch(route -> readsRecords(route.handler())));
        this.tempFiles = new TempFiles(limits.bodyTempPath());
        readUpstreamTls(routes);
        for (VirtualServer server : servers) {
            readUpstreamTls(server.routes());
        }
        this.loops = loopGroup.clock(ticker::nanos).build();
        List<EventLoop> all = loops.loops();
        for (int i = 0; i < all.size(); i++) {
            EventLoop loop = all.get(i);
            LoopContext context = new LoopContext(loop, i, this);
            contexts.put(loop, context);
            loop.execute(() -> loop.addDrainable(new ClientDrain(context)));
        }
    }

    /**
     * Whether {@code handler} (null for none) reads the record of each exchange: only a handler that overrides
     * {@link ProxyHandler#done} does, so one that does not costs its routes no record per request.
     */
    static boolean readsRecords(ProxyHandler handler) {
        if (handler == null) {
            return false;
        }
        try {
            return handler.getClass().getMethod("done", ProxyRequest.class, ExchangeRecord.class)
                    .getDeclaringClass() != ProxyHandler.class;
        } catch (NoSuchMethodException e) {
            throw new AssertionError("ProxyHandler.done is public", e);
        }
    }

    /**
     * Starts the loops and binds every address; on failure, stops what it started.
     *
     * @param loops the event loops to start: how many, and how many connections they may hold
     * @param ticker the clock of the loops and their timers
     * @param routes the default server's, in the order they were added, which orders the regex routes
     * @param handler the default server's handler for its routes that have none, or null
     * @param maps the {@code map} variables the routes may name, by name
     */
    public static ProxyEngine start(List<InetSocketAddress> addresses, Map<InetSocketAddress, ServerTls> tls,
            EventLoopGroup.Builder loops, Ticker ticker, List<Route> routes, ProxyHandler handler,
            List<VirtualServer> servers, ClientLimits limits, List<ExchangeListener> listeners,
            Map<String, VariableMap> maps) throws IOException {
        ProxyEngine engine = new ProxyEngine(loops, ticker, routes, handler, servers, limits, listeners, maps);
        try {
            for (InetSocketAddress address : addresses) {
                List<VirtualServer> there = servers.stream().filter(server -> server.listensOn(address)).toList();
                ServerTable table = new ServerTable(routes, handler, there);
                TlsServer secure = tls.containsKey(address) ? TlsServer.of(tls.get(address),
                        there.stream().flatMap(s -> s.tls().stream()).toList(), table::tlsFor) : null;
                if (secure != null) {
                    engine.tlsServers.add(secure);
                }
                Acceptor acceptor = engine.loops.bind(address,
                        (loop, channel) -> new ClientConnection(engine.contexts.get(loop), table, secure, channel));
                engine.acceptors.add(acceptor);
                engine.addresses.add((InetSocketAddress) acceptor.localAddress());
            }
        } catch (IOException | RuntimeException e) {
            engine.loops.close();
            throw e;
        }
        return engine;
    }

    /**
     * Reads the files of each route's {@link dev.sluice.UpstreamTls}, once per instance, and warns once for each
     * that does not verify its peers.
     *
     * @throws dev.sluice.internal.tls.TlsFileException naming a file that cannot be used
     */
    private void readUpstreamTls(List<Route> routes) {
        Map<UpstreamTls, TlsClient> read = new IdentityHashMap<>();
        for (TlsClient client : tlsClients.values()) {
            read.put(client.settings(), client);
        }
        for (Route route : routes) {
            UpstreamTls tls = route.upstreamTls().orElse(null);
            if (tls == null) {
                continue;
            }
            TlsClient client = read.get(tls);
            if (client == null) {
                client = TlsClient.of(tls);
                read.put(tls, client);
                if (!tls.verify()) {
                    log.warn("route {} speaks TLS to its peers without verifying their certificates (nginx's default,"
                            + " proxy_ssl_verify off); UpstreamTls.builder().verify(true) checks them", route.location());
                }
            }
            tlsClients.put(route, client);
        }
    }

    /**
     * Reads every TLS address's files again, then uses them all, or, when one fails, none.
     *
     * @throws dev.sluice.internal.tls.TlsFileException naming the file that failed
     */
    public void reloadCertificates() {
        List<Runnable> swaps = new ArrayList<>();
        for (TlsServer server : tlsServers) {
            swaps.add(server.prepareReload());
        }
        swaps.forEach(Runnable::run);
    }

    /** How {@code route} speaks TLS to its peers, or null when it speaks plain HTTP. */
    TlsClient tlsClient(Route route) {
        return tlsClients.get(route);
    }

    /** The bound addresses. */
    public List<InetSocketAddress> addresses() {
        return List.copyOf(addresses);
    }

    /** Stops accepting, lets exchanges finish within {@code grace}, then closes everything. */
    public boolean shutdown(Duration grace) {
        for (Acceptor acceptor : acceptors) {
            acceptor.close();
        }
        for (AutoCloseable watch; (watch = leaveWatches.poll()) != null; ) {
            try {
                watch.close();
            } catch (Exception e) {
                throw new IllegalStateException("a group listener cannot fail to be removed", e);
            }
        }
        return loops.shutdownGracefully(grace);
    }

    /** What the exchanges hold in body buffers and temporary files; for tests. */
    BufferMeter meter() {
        return meter;
    }

    /** The keepalive settings of {@code group} and what every loop's cache learned about its peers. */
    PeerLimitsRegistry keepaliveOf(UpstreamGroup group) {
        return keepalive.computeIfAbsent(group, g -> {
            PeerLimitsRegistry registry = new PeerLimitsRegistry(settings(g.keepalive()));
            leaveWatches.add(g.whenPeersLeave(peer -> registry.peerLeaving(peer.address())));
            return registry;
        });
    }

    /** The idle connections every loop's keepalive pool holds to {@code group}'s peers. */
    public int idleConnections(UpstreamGroup group) {
        PeerLimitsRegistry registry = keepalive.get(group);
        return registry == null ? 0 : registry.idleConnections();
    }

    private static KeepaliveSettings settings(Keepalive k) {
        return KeepaliveSettings.builder().idle(k.idle()).adaptive(k.adaptive()).maxRequests(k.maxRequests()).maxTime(k.maxLifetime())
                .idleTimeout(k.idleTimeout()).build();
    }

    void attemptEnded(AttemptRecord record) {
        for (ExchangeListener listener : listeners) {
            try {
                listener.attemptEnded(record);
            } catch (RuntimeException e) {
                log.warn("exchange listener {} failed", listener, e);
            }
        }
    }

    void exchangeEnded(ExchangeRecord record) {
        for (ExchangeListener listener : listeners) {
            try {
                listener.exchangeEnded(record);
            } catch (RuntimeException e) {
                log.warn("exchange listener {} failed", listener, e);
            }
        }
    }
}
