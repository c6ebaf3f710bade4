package dev.sluice.internal.proxy;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sluice.ProxyServer;
import dev.sluice.Route;
import dev.sluice.observe.AttemptRecord;
import dev.sluice.observe.ExchangeListener;
import dev.sluice.observe.ExchangeRecord;
import dev.sluice.testing.RawClient;
import dev.sluice.testing.Upstreams;
import dev.sluice.upstream.PeerState;
import dev.sluice.upstream.UpstreamGroup;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A proxy under test for the failover tests: one event loop, one route "/" to a group, and a listener that
 * records every exchange, so a test can read {@code $upstream_addr} and {@code $upstream_status} of each request
 * and knows the peers' failure accounting is final (the exchange record is handed over after the last report).
 */
final class UpstreamHarness implements ExchangeListener {

    /** The sockets that keep {@link #deadAddress()}'s ports taken. */
    private static final List<Socket> DEAD_PORTS = new CopyOnWriteArrayList<>();

    private static final long WAIT_SECONDS = 5;

    private final Upstreams upstreams;
    private final BlockingQueue<ExchangeRecord> exchanges = new LinkedBlockingQueue<>();
    private final List<AttemptRecord> attempts = new CopyOnWriteArrayList<>();
    private ProxyServer proxy;

    UpstreamHarness(Upstreams upstreams) {
        this.upstreams = upstreams;
    }

    /** A group named "backend" of the given "host:port" servers with nginx's default parameters. */
    static UpstreamGroup group(String... servers) {
        UpstreamGroup.Builder group = UpstreamGroup.builder("backend");
        for (String server : servers) {
            group.server(server);
        }
        return group.build();
    }

    /**
     * A loopback address where nothing listens: a connect to it is refused at once. A socket stays bound to its port
     * without listening, for the test JVM's life, so that the system never hands the port to a listener a test
     * opens later (its own upstream would then answer for the dead address).
     */
    static String deadAddress() throws IOException {
        Socket holder = new Socket();
        holder.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        DEAD_PORTS.add(holder);
        return "127.0.0.1:" + holder.getLocalPort();
    }

    /**
     * A loopback listener whose accept queue is full, so that the kernel drops further SYNs and a connect to it
     * times out, as {@code dev.sluice.internal.net.ConnectTest} provokes it; its "127.0.0.1:port". Skips the test where the
     * kernel answers anyway.
     */
    String saturatedListener() throws Exception {
        ServerSocketChannel full = upstreams.manage(ServerSocketChannel.open());
        full.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1);
        boolean saturated = false;
        for (int i = 0; i < 8 && !saturated; i++) {
            SocketChannel filler = upstreams.manage(SocketChannel.open());
            filler.configureBlocking(false);
            filler.connect(full.getLocalAddress());
            Thread.sleep(20);
            saturated = !filler.finishConnect();
        }
        assumeTrue(saturated, "this kernel answers SYNs beyond the backlog; a connect timeout cannot be provoked");
        return "127.0.0.1:" + ((InetSocketAddress) full.getLocalAddress()).getPort();
    }

    /** The peer of {@code group} at {@code address} ("127.0.0.1:port"). */
    static PeerState peer(UpstreamGroup group, String address) {
        for (PeerState peer : group.peers()) {
            if (peer.name().equals(address)) {
                return peer;
            }
        }
        throw new AssertionError("no peer " + address + " in " + group);
    }

    /** Starts the proxy with route "/" to {@code group}, shaped by {@code options}; stopped after the test. */
    ProxyServer start(UpstreamGroup group, Consumer<Route.Builder> options) throws IOException {
        return start(ProxyServer.builder(), group, options);
    }

    /** Starts the proxy from {@code builder} (for client-side settings) with route "/" to {@code group}. */
    ProxyServer start(ProxyServer.Builder builder, UpstreamGroup group, Consumer<Route.Builder> options)
            throws IOException {
        proxy = upstreams.manage(builder.listen("127.0.0.1:0").workers(1).listener(this)
                .route("/", r -> options.accept(r.upstream(group))).start());
        return proxy;
    }

    /** Sends {@code GET target} on a new connection and reads the response. */
    RawClient.Reply get(String target) throws IOException {
        return send(RawClient.get(target));
    }

    /** Sends a request with a body on a new connection and reads the response. */
    RawClient.Reply send(String method, String target, String body) throws IOException {
        return send(method + " " + target + " HTTP/1.1\r\nHost: localhost\r\nContent-Length: " + body.length()
                + "\r\n\r\n" + body);
    }

    /** Sends exactly {@code request} on a new connection and reads the response. */
    RawClient.Reply send(String request) throws IOException {
        try (RawClient client = client()) {
            return client.send(request).readResponse();
        }
    }

    /** A new raw connection to the proxy, closed after the test. */
    RawClient client() throws IOException {
        return upstreams.rawClient(proxy.port());
    }

    /** The next exchange that ended, in order; fails the test if none ends within a few seconds. */
    ExchangeRecord exchange() throws InterruptedException {
        ExchangeRecord record = exchanges.poll(WAIT_SECONDS, TimeUnit.SECONDS);
        assertNotNull(record, "no exchange ended within " + WAIT_SECONDS + " s");
        return record;
    }

    /** Every attempt reported so far, in the order they ended. */
    List<AttemptRecord> attempts() {
        return List.copyOf(attempts);
    }

    /** The proxy's address. */
    InetSocketAddress address() {
        return proxy.addresses().get(0);
    }

    @Override
    public void attemptEnded(AttemptRecord attempt) {
        attempts.add(attempt);
    }

    @Override
    public void exchangeEnded(ExchangeRecord exchange) {
        exchanges.add(exchange);
    }
}
