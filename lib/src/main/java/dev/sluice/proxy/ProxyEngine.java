package dev.sluice.proxy;

import dev.sluice.observe.ExchangeListener;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

/** The machinery behind {@code ProxyServer}: its listeners, event loops and client connections. */
public final class ProxyEngine {

    private ProxyEngine() {
    }

    /** Binds and starts. */
    public static ProxyEngine start(List<InetSocketAddress> addresses, int loops, List<Route> routes, ClientLimits limits,
            List<ExchangeListener> listeners) throws IOException {
        throw new UnsupportedOperationException("in progress");
    }

    /** The bound addresses. */
    public List<InetSocketAddress> addresses() {
        throw new UnsupportedOperationException("in progress");
    }

    /** Graceful shutdown. */
    public boolean shutdown(Duration grace) {
        throw new UnsupportedOperationException("in progress");
    }
}
