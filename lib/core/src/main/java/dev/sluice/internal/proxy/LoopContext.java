package dev.sluice.internal.proxy;

import dev.sluice.Route;
import dev.sluice.internal.net.BufferPool;
import dev.sluice.internal.net.ConnectOptions;
import dev.sluice.internal.net.EventLoop;
import dev.sluice.internal.pool.KeepalivePool;
import dev.sluice.internal.tls.TlsClient;
import dev.sluice.upstream.Selection;
import dev.sluice.upstream.Ticker;
import dev.sluice.upstream.UpstreamGroup;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one event loop keeps for the proxy: its client connections, its keepalive caches, its connect options, its
 * pools of response body buffers.
 */
final class LoopContext {

    private static final Logger log = LoggerFactory.getLogger(LoopContext.class);
    /** The most memory each pool of body buffers keeps idle for reuse. */
    private static final int IDLE_BUFFER_BYTES = 4 << 20;
    /** The most connections one shortage closes on a loop, as nginx's {@code ngx_drain_connections}. */
    private static final int REUSED_AT_ONCE = 32;
    /** nginx warns of the shortage at most once a second. */
    private static final long REUSE_WARNING_INTERVAL_NANOS = 1_000_000_000L;

    final EventLoop eventLoop;
    /** The loop's number among the proxy's loops, from 0: it picks peers from its own copy of a group's state. */
    final int index;
    final ProxyEngine engine;
    /** The loop's reading of the proxy's ticker, taken once per turn. */
    private final Ticker turnClock;
    /** Pools of body buffers by size: the sizes a proxy's routes use are few, so a scan finds one unboxed. */
    private final List<BufferPool> bodyBuffers = new ArrayList<>(2);
    private final Map<UpstreamGroup, KeepalivePool> pools = new IdentityHashMap<>();
    /** The caches of TLS connections, by how they were made: a connection serves only routes that make them so. */
    private final Map<TlsClient, Map<UpstreamGroup, KeepalivePool>> tlsPools = new IdentityHashMap<>();
    private final Map<Route, ConnectOptions> connectOptions = new IdentityHashMap<>();
    private final Set<ClientConnection> clients = new LinkedHashSet<>();
    private boolean draining;
    private long lastReuseWarning;

    LoopContext(EventLoop eventLoop, int index, ProxyEngine engine) {
        this.eventLoop = eventLoop;
        this.index = index;
        this.engine = engine;
        this.turnClock = eventLoop::nanoTime;
        engine.loops.connections().reclaimWith(eventLoop, this::reuseConnections);
    }

    /**
     * A selection of {@code group}'s peers for this loop's requests, from this loop's copy of its state; it reads
     * the loop's turn clock when the group reads the proxy's ticker, as nginx's picks read {@code ngx_current_msec}.
     */
    Selection newSelection(UpstreamGroup group) {
        return group.ticker() == engine.ticker ? group.newSelection(index, turnClock) : group.newSelection(index);
    }

    /** This loop's keepalive cache for {@code group}, as nginx keeps one per worker per upstream block. */
    KeepalivePool pool(UpstreamGroup group) {
        return pool(pools, group);
    }

    /**
     * This loop's keepalive cache for {@code group}'s connections made by {@code tls}; the plain ones' for null. A
     * TLS connection is kept apart from plain ones and from those of other settings, which verified another name
     * or presented another certificate.
     */
    KeepalivePool pool(UpstreamGroup group, TlsClient tls) {
        return pool(tls == null ? pools : tlsPools.computeIfAbsent(tls, t -> new IdentityHashMap<>()), group);
    }

    private KeepalivePool pool(Map<UpstreamGroup, KeepalivePool> byGroup, UpstreamGroup group) {
        KeepalivePool pool = byGroup.get(group);
        if (pool == null) {
            pool = new KeepalivePool(eventLoop, engine.keepaliveOf(group));
            byGroup.put(group, pool);
        }
        return pool;
    }

    /** How a route connects to peers: proxy_connect_timeout, proxy_socket_keepalive, proxy_bind. */
    ConnectOptions connectOptions(Route route) {
        ConnectOptions options = connectOptions.get(route);
        if (options == null) {
            options = ConnectOptions.defaults().withConnectTimeout(route.connectTimeout()).withSocketKeepalive(route.socketKeepalive());
            if (route.bind() != null) {
                options = options.withBindAddress(new InetSocketAddress(route.bind(), 0));
            }
            connectOptions.put(route, options);
        }
        return options;
    }

    /**
     * This loop's pool of direct buffers of {@code size} bytes, for {@code proxy_buffers}: the loop's own I/O
     * buffers when the size is theirs, else a pool per size that keeps at most 4 MiB idle.
     */
    BufferPool buffers(int size) {
        if (size == eventLoop.buffers().bufferSize()) {
            return eventLoop.buffers();
        }
        for (int i = 0; i < bodyBuffers.size(); i++) {
            if (bodyBuffers.get(i).bufferSize() == size) {
                return bodyBuffers.get(i);
            }
        }
        BufferPool pool = new BufferPool(size, Math.max(8, IDLE_BUFFER_BYTES / size));
        bodyBuffers.add(pool);
        return pool;
    }

    /** What the exchanges of this proxy hold in body buffers and temporary files. */
    BufferMeter meter() {
        return engine.meter;
    }

    void opened(ClientConnection client) {
        clients.add(client);
        if (draining) {
            client.drain();
        }
    }

    void closed(ClientConnection client) {
        if (clients.remove(client)) {
            engine.loops.connections().giveBack(eventLoop);
        }
    }

    /** Graceful shutdown: idle client and pooled connections close now; busy ones after their exchange. */
    void drainClients() {
        draining = true;
        for (ClientConnection client : clients.toArray(new ClientConnection[0])) {
            client.drain();
        }
    }

    /**
     * The proxy is out of connections: closes up to {@value #REUSED_AT_ONCE} of this loop's client connections that
     * wait for a request, the longest open first, as nginx's {@code ngx_drain_connections} reuses its reusable ones
     * (idle keep-alive connections, and those that have not sent a byte yet), with nginx's warning.
     */
    private void reuseConnections() {
        int reused = 0;
        for (ClientConnection client : clients.toArray(new ClientConnection[0])) {
            if (reused == REUSED_AT_ONCE) {
                break;
            }
            if (client.waitsForRequest()) {
                client.close();
                reused++;
            }
        }
        if (reused > 0) {
            long now = eventLoop.nanoTime();
            if (now - lastReuseWarning >= REUSE_WARNING_INTERVAL_NANOS || lastReuseWarning == 0) {
                lastReuseWarning = now;
                log.warn("connections are not enough, reusing connections ({} closed on {})", reused, eventLoop);
            }
        }
    }

    int busyClients() {
        int busy = 0;
        for (ClientConnection client : clients) {
            if (client.isBusy()) {
                busy++;
            }
        }
        return busy;
    }
}
