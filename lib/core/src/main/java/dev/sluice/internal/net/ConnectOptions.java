package dev.sluice.internal.net;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;

/**
 * How {@link EventLoop#connect} opens an upstream connection: the connect timeout ({@code proxy_connect_timeout}),
 * {@code SO_KEEPALIVE} ({@code proxy_socket_keepalive}) and the local address to bind ({@code proxy_bind}).
 * TCP sockets always get {@code TCP_NODELAY}, as nginx sets it on keepalive-capable upstream connections.
 *
 * <p>Immutable; each {@code with} method returns a copy. Build one per route at configuration time.
 */
public final class ConnectOptions {

    private static final ConnectOptions DEFAULTS = new ConnectOptions(Duration.ofSeconds(60).toNanos(), false, null);

    private final long connectTimeoutNanos;
    private final boolean socketKeepalive;
    private final InetSocketAddress bindAddress;

    private ConnectOptions(long connectTimeoutNanos, boolean socketKeepalive, InetSocketAddress bindAddress) {
        this.connectTimeoutNanos = connectTimeoutNanos;
        this.socketKeepalive = socketKeepalive;
        this.bindAddress = bindAddress;
    }

    /** nginx's defaults: 60 s connect timeout, no {@code SO_KEEPALIVE}, no local bind. */
    public static ConnectOptions defaults() {
        return DEFAULTS;
    }

    /**
     * {@code proxy_connect_timeout}: how long a connect may take before it fails with a
     * {@link java.net.SocketTimeoutException}. Default 60 s; must be positive.
     */
    public ConnectOptions withConnectTimeout(Duration timeout) {
        Objects.requireNonNull(timeout, "connectTimeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("connectTimeout must be > 0: " + timeout);
        }
        return new ConnectOptions(timeout.toNanos(), socketKeepalive, bindAddress);
    }

    /** {@code proxy_socket_keepalive}: sets {@code SO_KEEPALIVE} on TCP upstream sockets. Default off. */
    public ConnectOptions withSocketKeepalive(boolean on) {
        return new ConnectOptions(connectTimeoutNanos, on, bindAddress);
    }

    /**
     * {@code proxy_bind}: the local address (port 0 for any) to bind TCP upstream sockets to before connecting;
     * {@code null} (the default) lets the system choose. Ignored for Unix-domain upstreams.
     */
    public ConnectOptions withBindAddress(InetSocketAddress local) {
        return new ConnectOptions(connectTimeoutNanos, socketKeepalive, local);
    }

    public long connectTimeoutNanos() {
        return connectTimeoutNanos;
    }

    public boolean socketKeepalive() {
        return socketKeepalive;
    }

    /** The local address to bind, or {@code null}. */
    public InetSocketAddress bindAddress() {
        return bindAddress;
    }

    @Override
    public String toString() {
        return "ConnectOptions[connectTimeout=" + Duration.ofNanos(connectTimeoutNanos) + ", socketKeepalive="
                + socketKeepalive + ", bind=" + bindAddress + "]";
    }
}
