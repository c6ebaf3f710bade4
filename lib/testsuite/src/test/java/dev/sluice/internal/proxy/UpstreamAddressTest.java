package dev.sluice.internal.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sluice.ProxyServer;
import dev.sluice.Route;
import dev.sluice.internal.pool.KeepalivePool;
import dev.sluice.internal.pool.PooledConnection;
import dev.sluice.testing.RawClient;
import dev.sluice.testing.Upstreams;
import dev.sluice.upstream.PeerState;
import dev.sluice.upstream.Resolver;
import dev.sluice.upstream.UpstreamGroup;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Where upstream connections go and how they are made: {@code server unix:/path}, a server name that resolves to
 * several addresses (several peers, as nginx), {@code proxy_bind}, {@code proxy_socket_keepalive}, and
 * {@code TCP_NODELAY} on both sides of the proxy.
 */
class UpstreamAddressTest {

    private static final InetAddress LOOPBACK_2 = address("127.0.0.2");

    @RegisterExtension
    final Upstreams upstreams = new Upstreams();

    private final Exchanges exchanges = new Exchanges();

    @Test
    void anUpstreamOnAUnixSocketIsProxiedAndKeptAlive() throws Exception {
        Path dir = Files.createTempDirectory("sluice-unix");
        Path socket = dir.resolve("up.sock");
        upstreams.manage(() -> {
            Files.deleteIfExists(socket);
            Files.deleteIfExists(dir);
        });
        Responder up = upstreams.manage(new Responder(UnixDomainSocketAddress.of(socket)));
        UpstreamGroup group = UpstreamGroup.builder("backend").server("unix:" + socket).build();
        ProxyServer proxy = proxy(group, r -> { });
        RawClient client = upstreams.rawClient(proxy.port());
        for (int i = 0; i < 3; i++) {
            RawClient.Reply reply = client.send(RawClient.get("/" + i)).readResponse();
            assertEquals(200, reply.status());
            assertEquals("unix", reply.bodyString());
        }
        assertEquals(1, up.accepted.get(), "one pooled connection carried every request");
        assertTrue(Exchanges.await(() -> exchanges.exchanges.size() == 3, 2000));
        assertEquals("unix:" + socket, exchanges.exchanges.get(0).upstreamAddr());
    }

    @Test
    void aServerGivenByHostNameIsProxiedWithNoResolverConfigured() throws Exception {
        Responder up = upstreams.manage(new Responder(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)));
        UpstreamGroup group = UpstreamGroup.builder("backend").server("localhost:" + up.port()).build();

        ProxyServer proxy = proxy(group, r -> { });

        assertEquals(200, upstreams.rawClient(proxy.port()).send(RawClient.get("/")).readResponse().status());
    }

    @Test
    void aGroupBuiltWithoutResolvingNamesIsRefusedByTheProxyNamingTheServer() {
        UpstreamGroup group = UpstreamGroup.builder("backend").resolver(Resolver.none()).server("backend.test:80")
                .build();

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> proxy(group, r -> { }));

        assertTrue(e.getMessage().contains("server backend.test:80 of upstream \"backend\""), e.getMessage());
        assertTrue(e.getMessage().contains("Resolver.none()"), e.getMessage());
    }

    @Test
    void aNameThatResolvesToTwoAddressesBecomesTwoPeersThatBothServe() throws Exception {
        Responder first = upstreams.manage(new Responder(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)));
        int port = first.port();
        Responder second = secondLoopback(port);
        List<String> resolvedOn = new CopyOnWriteArrayList<>();
        UpstreamGroup group = UpstreamGroup.builder("backend")
                .resolver(host -> {
                    resolvedOn.add(host + " on " + Thread.currentThread().getName());
                    return List.of(InetAddress.getLoopbackAddress(), LOOPBACK_2);
                })
                .server("backend.test:" + port)
                .build();
        assertEquals(List.of("127.0.0.1:" + port, "127.0.0.2:" + port),
                group.peers().stream().map(PeerState::name).toList());
        assertEquals(List.of("backend.test:" + port, "backend.test:" + port),
                group.peers().stream().map(PeerState::server).toList(), "both keep the server's text");

        ProxyServer proxy = proxy(group, r -> { });
        RawClient client = upstreams.rawClient(proxy.port());
        List<String> servedBy = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            servedBy.add(client.send(RawClient.get("/" + i)).readResponse().bodyString().split(" ")[0]);
        }
        assertEquals(List.of("127.0.0.1", "127.0.0.2", "127.0.0.1", "127.0.0.2"), servedBy);
        assertEquals(1, first.accepted.get());
        assertEquals(1, second.accepted.get());
        assertEquals(List.of("backend.test on " + Thread.currentThread().getName()), resolvedOn,
                "resolved once, when the group was built, never on a loop");
    }

    @Test
    void proxyBindMakesUpstreamConnectionsComeFromTheGivenAddress() throws Exception {
        Responder up = upstreams.manage(new Responder(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)));
        UpstreamGroup group = UpstreamGroup.builder("backend").server("127.0.0.1:" + up.port()).build();
        ProxyServer bound = proxy(group, r -> r.bind(LOOPBACK_2));
        ProxyServer unbound = proxy(group, r -> { });
        assertEquals("127.0.0.1 from 127.0.0.2", get(bound.port(), "/"));
        assertEquals("127.0.0.1 from 127.0.0.1", get(unbound.port(), "/"));
    }

    @Test
    void proxySocketKeepaliveTurnsOnSoKeepaliveWhichIsOffByDefault() throws Exception {
        Path procTcp = Path.of("/proc/net/tcp");
        assumeTrue(Files.isReadable(procTcp), "needs Linux's /proc/net/tcp to see a socket's keepalive timer");
        Responder up = upstreams.manage(new Responder(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)));
        UpstreamGroup group = UpstreamGroup.builder("backend").server("127.0.0.1:" + up.port()).build();
        ProxyServer withKeepalive = proxy(group, r -> r.socketKeepalive(true));
        ProxyServer without = proxy(group, r -> { });
        get(withKeepalive.port(), "/");
        get(without.port(), "/");
        assertEquals(2, up.remotes.size());
        // /proc/net/tcp's "tr" column: 2 while a keepalive timer runs on an idle established socket, 0 without
        assertEquals("02", timerOf(procTcp, up.remotes.get(0), up.port()), "proxy_socket_keepalive on");
        assertEquals("00", timerOf(procTcp, up.remotes.get(1), up.port()), "proxy_socket_keepalive off (default)");
    }

    @Test
    void bothSidesOfTheProxySetTcpNodelay() throws Exception {
        Responder up = upstreams.manage(new Responder(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)));
        UpstreamGroup group = UpstreamGroup.builder("backend").server("127.0.0.1:" + up.port()).build();
        ProxyServer proxy = proxy(group, r -> { });
        RawClient client = upstreams.rawClient(proxy.port());
        assertEquals(200, client.send(RawClient.get("/")).readResponse().status());
        boolean clientSide = ProxyInternals.onLoop(proxy, loop -> {
            Set<?> clients = (Set<?>) ProxyInternals.field(loop, "clients");
            return option(((ClientConnection) clients.iterator().next()).wire().channel());
        });
        boolean upstreamSide = ProxyInternals.onLoop(proxy, loop -> {
            KeepalivePool pool = loop.pool(group);
            PooledConnection pooled = pool.acquire(group.peers().get(0).address());
            boolean on = option(pooled.wire().channel());
            pool.release(pooled);
            return on;
        });
        assertTrue(clientSide, "TCP_NODELAY on the client connection");
        assertTrue(upstreamSide, "TCP_NODELAY on the upstream connection");
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private Responder secondLoopback(int port) {
        try {
            return upstreams.manage(new Responder(new InetSocketAddress(LOOPBACK_2, port)));
        } catch (IOException e) {
            assumeTrue(false, "cannot listen on 127.0.0.2:" + port + ": " + e);
            return null;
        }
    }

    private static String get(int port, String target) throws IOException {
        try (RawClient client = RawClient.connect(port)) {
            RawClient.Reply reply = client.send(RawClient.get(target)).readResponse();
            assertEquals(200, reply.status(), reply::toString);
            return reply.bodyString();
        }
    }

    /** The "tr" (timer) column of the socket from 127.0.0.1:localPort to 127.0.0.1:remotePort. */
    private static String timerOf(Path procTcp, SocketAddress proxySide, int remotePort) throws IOException {
        InetSocketAddress local = (InetSocketAddress) proxySide;
        String localHex = String.format(Locale.ROOT, "0100007F:%04X", local.getPort());
        String remoteHex = String.format(Locale.ROOT, "0100007F:%04X", remotePort);
        for (String line : Files.readAllLines(procTcp)) {
            String[] f = line.trim().split("\\s+");
            if (f.length > 5 && f[1].equals(localHex) && f[2].equals(remoteHex)) {
                return f[5].substring(0, 2);
            }
        }
        throw new AssertionError("no socket " + localHex + " -> " + remoteHex + " in " + procTcp);
    }

    private static boolean option(SocketChannel channel) {
        try {
            return channel.getOption(StandardSocketOptions.TCP_NODELAY);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private ProxyServer proxy(UpstreamGroup group, Consumer<Route.Builder> route) throws IOException {
        return upstreams.manage(ProxyServer.builder().listen("127.0.0.1:0").workers(1).listener(exchanges)
                .route("/", r -> route.accept(r.upstream(group))).start());
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * A tiny blocking HTTP/1.1 responder on a TCP or Unix socket address: answers every request head (no bodies)
     * with 200, keeps connections open, and names in the body where it listens and who connected:
     * {@code "127.0.0.1 from 127.0.0.2"}, or {@code "unix"}.
     */
    private static final class Responder implements AutoCloseable {

        final AtomicInteger accepted = new AtomicInteger();
        final List<SocketAddress> remotes = new CopyOnWriteArrayList<>();
        private final ServerSocketChannel server;
        private final List<SocketChannel> connections = new CopyOnWriteArrayList<>();
        private final List<Thread> threads = new CopyOnWriteArrayList<>();

        Responder(SocketAddress address) throws IOException {
            server = address instanceof UnixDomainSocketAddress ? ServerSocketChannel.open(StandardProtocolFamily.UNIX)
                    : ServerSocketChannel.open();
            try {
                server.bind(address);
            } catch (IOException e) {
                server.close();
                throw e;
            }
            start(this::acceptLoop);
        }

        int port() throws IOException {
            return ((InetSocketAddress) server.getLocalAddress()).getPort();
        }

        private void start(Runnable task) {
            Thread thread = new Thread(task, "responder");
            thread.setDaemon(true);
            threads.add(thread);
            thread.start();
        }

        private void acceptLoop() {
            try {
                while (true) {
                    SocketChannel channel = server.accept();
                    accepted.incrementAndGet();
                    connections.add(channel);
                    start(() -> serve(channel));
                }
            } catch (IOException e) {
                // closed
            }
        }

        private void serve(SocketChannel channel) {
            try (channel) {
                SocketAddress remote = channel.getRemoteAddress();
                remotes.add(remote);
                String body = remote instanceof InetSocketAddress
                        ? ((InetSocketAddress) channel.getLocalAddress()).getAddress().getHostAddress() + " from "
                                + ((InetSocketAddress) remote).getAddress().getHostAddress()
                        : "unix";
                byte[] response = ("HTTP/1.1 200 OK\r\nContent-Length: " + body.length() + "\r\n\r\n" + body)
                        .getBytes(StandardCharsets.US_ASCII);
                ByteBuffer in = ByteBuffer.allocate(8192);
                StringBuilder pending = new StringBuilder();
                while (channel.read(in.clear()) >= 0) {
                    pending.append(new String(in.array(), 0, in.position(), StandardCharsets.ISO_8859_1));
                    int end;
                    while ((end = pending.indexOf("\r\n\r\n")) >= 0) {
                        pending.delete(0, end + 4);
                        channel.write(ByteBuffer.wrap(response));
                    }
                }
            } catch (IOException e) {
                // the proxy closed or reset the connection
            }
        }

        @Override
        public void close() throws Exception {
            server.close();
            for (SocketChannel channel : connections) {
                channel.close();
            }
            for (Thread thread : threads) {
                thread.join(2000);
            }
        }
    }
}
