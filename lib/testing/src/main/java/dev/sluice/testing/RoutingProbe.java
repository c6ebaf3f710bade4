package dev.sluice.testing;

import dev.sluice.ProxyServer;
import dev.sluice.observe.AttemptRecord;
import dev.sluice.observe.ExchangeListener;
import dev.sluice.observe.ExchangeRecord;
import dev.sluice.upstream.PeerState;
import dev.sluice.upstream.UpstreamGroup;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Asks a proxy configuration where a request goes, with no socket: which virtual server and location take it, whether
 * a handler or the proxy answers it, and which group and peer it reaches. The probe starts the configuration on a
 * {@link MemoryNetwork} with a stand-in for every peer of the groups it is given (each answers {@code 200 ok}), so
 * the location tables, handlers and balancers that decide are the real ones, and nothing touches the host's network.
 *
 * <pre>{@code
 * ProxyServer.Builder config = Gateway.configure(ProxyServer.builder());   // the service's own wiring
 * try (RoutingProbe probe = RoutingProbe.start(config, stable, canary)) {
 *     RoutingProbe.Decision d = probe.send("GET", "api.example.com", "/v2/items", Map.of("X-Canary", "1"));
 *     assertEquals("/v2/", d.location());
 *     assertEquals("canary", d.group());
 * }
 * }</pre>
 *
 * <p>The configuration is started as given, on the memory network and its {@link ManualTicker}: the probe sets the
 * builder's channel provider, clock and a listener, and connects to its first listen address. A peer of a group the
 * probe was not given refuses connections, as a peer that is down does. Balancer state carries over from one request
 * to the next, as in a running proxy: round robin moves on.
 */
public final class RoutingProbe implements AutoCloseable {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private final MemoryNetwork network = new MemoryNetwork();
    private final List<AutoCloseable> started = new ArrayList<>();
    private final BlockingQueue<ExchangeRecord> records = new LinkedBlockingQueue<>();
    private final ProxyServer proxy;
    private RawClient client;

    private RoutingProbe(ProxyServer.Builder config, UpstreamGroup... groups) throws IOException {
        try {
            for (UpstreamGroup group : groups) {
                for (PeerState peer : group.peers()) {
                    started.add(ScriptedUpstream.start(network.serverSocket(hostPort(peer.address()))));
                }
            }
            proxy = config.selectorProvider(network).ticker(network.ticker()).listener(new ExchangeListener() {
                @Override
                public void exchangeEnded(ExchangeRecord exchange) {
                    records.add(exchange);
                }
            }).start();
            started.add(proxy);
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /**
     * Starts {@code config} in memory, with a stand-in for every peer of {@code groups}.
     *
     * @throws IOException when the configuration cannot start, as {@link ProxyServer.Builder#start()}
     */
    public static RoutingProbe start(ProxyServer.Builder config, UpstreamGroup... groups) throws IOException {
        return new RoutingProbe(Objects.requireNonNull(config, "config"), groups);
    }

    /** Sends {@code GET target} with {@code Host: host} and tells what became of it. */
    public Decision get(String host, String target) throws IOException {
        return send("GET", host, target, Map.of());
    }

    /**
     * Sends a request with no body, its {@code Host} field and {@code headers}, and tells what became of it.
     *
     * @throws IOException when the proxy closed the connection without an answer
     */
    public Decision send(String method, String host, String target, Map<String, String> headers) throws IOException {
        StringBuilder head = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\nHost: ")
                .append(host).append("\r\n");
        headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
        if (client == null) {
            client = RawClient.over(network.socket("127.0.0.1:" + proxy.port()));
        }
        RawClient.Reply reply;
        try {
            reply = client.send(head.append("\r\n").toString()).readResponse();
        } catch (IOException e) {
            client.close();
            client = null;
            throw e;
        }
        if ("close".equalsIgnoreCase(reply.header("Connection"))) {
            client.close();
            client = null;
        }
        return decision(reply.status());
    }

    private Decision decision(int status) throws IOException {
        ExchangeRecord record;
        try {
            record = records.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for the exchange's record", e);
        }
        if (record == null) {
            throw new IOException("no record of the exchange that answered " + status + " within " + WAIT);
        }
        List<String> tried = new ArrayList<>();
        for (AttemptRecord attempt : record.attempts()) {
            tried.add(attempt.upstreamAddress());
        }
        return new Decision(record.status(), record.serverName(), record.location(), record.upstream(),
                List.copyOf(tried));
    }

    private static String hostPort(SocketAddress address) {
        InetSocketAddress inet = (InetSocketAddress) address;
        return inet.getAddress().getHostAddress() + ":" + inet.getPort();
    }

    /** Stops the proxy and the stand-ins. */
    @Override
    public void close() throws IOException {
        if (client != null) {
            client.close();
        }
        for (int i = started.size() - 1; i >= 0; i--) {
            AutoCloseable closeable = started.get(i);
            try {
                closeable.close();
            } catch (Exception e) {
                throw new IOException("cannot stop " + closeable, e);
            }
        }
    }

    /**
     * What became of one request.
     *
     * @param status the status the client got
     * @param server the first name of the virtual server that took it; empty for the default server of routes
     *     given to the proxy directly
     * @param location the location of the route that served it, as nginx writes it; null when none matched
     * @param group the upstream group it went to; null when it did not go upstream
     * @param peersTried the peers asked, in order, as {@code address:port}; empty when it was answered locally
     */
    public record Decision(int status, String server, String location, String group, List<String> peersTried) {

        /** The peer that answered last, or null when no peer was asked. */
        public String peer() {
            return peersTried.isEmpty() ? null : peersTried.get(peersTried.size() - 1);
        }

        /** Whether the proxy or a handler answered: no peer was asked. */
        public boolean answeredLocally() {
            return peersTried.isEmpty();
        }
    }
}
