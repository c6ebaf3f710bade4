package dev.sluice.proxy;

import dev.sluice.net.ConnectOptions;
import dev.sluice.net.EventLoop;
import dev.sluice.pool.KeepalivePool;
import dev.sluice.upstream.UpstreamGroup;
import java.net.InetSocketAddress;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/** What one event loop keeps for the proxy: its client connections, its keepalive caches, its connect options. */
final class LoopContext {

    final EventLoop eventLoop;
    final ProxyEngine engine;
    private final Map<UpstreamGroup, KeepalivePool> pools = new IdentityHashMap<>();
    private final Map<Route, ConnectOptions> connectOptions = new IdentityHashMap<>();
    private final Set<ProxyHandler> clients = new LinkedHashSet<>();
    private boolean draining;

    LoopContext(EventLoop eventLoop, ProxyEngine engine) {
        this.eventLoop = eventLoop;
        this.engine = engine;
    }

    /** This loop's keepalive cache for {@code group}, as nginx keeps one per worker per upstream block. */
    KeepalivePool pool(UpstreamGroup group) {
        KeepalivePool pool = pools.get(group);
        if (pool == null) {
            pool = new KeepalivePool(eventLoop, engine.keepaliveOf(group));
            pools.put(group, pool);
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

    void opened(ProxyHandler client) {
        clients.add(client);
        if (draining) {
            client.drain();
        }
    }

    void closed(ProxyHandler client) {
        clients.remove(client);
    }

    /** Graceful shutdown: idle client and pooled connections close now; busy ones after their exchange. */
    void drainClients() {
        draining = true;
        for (ProxyHandler client : clients.toArray(new ProxyHandler[0])) {
            client.drain();
        }
    }

    int busyClients() {
        int busy = 0;
        for (ProxyHandler client : clients) {
            if (client.isBusy()) {
                busy++;
            }
        }
        return busy;
    }
}
