package dev.sluice.internal.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConnectTest {

    private final EventLoopGroup group = EventLoopGroup.builder().threads(1).build();
    private final EventLoop loop = group.loops().get(0);
    private final List<AutoCloseable> resources = new ArrayList<>();

    @TempDir
    Path tmp;

    @AfterEach
    void tearDown() throws Exception {
        group.close();
        for (AutoCloseable r : resources) {
            r.close();
        }
    }

    private static InetSocketAddress deadPort() throws IOException {
        try (ServerSocketChannel probe = ServerSocketChannel.open()) {
            probe.bind(Clients.loopback(0));
            return (InetSocketAddress) probe.getLocalAddress();
        }
    }

    @Test
    void connectingToADeadPortReportsConnectionRefusedOnTheLoop() throws Exception {
        Connects.Outcome outcome = Connects.start(loop, deadPort(), ConnectOptions.defaults());

        assertInstanceOf(ConnectException.class, outcome.failure());
        assertNull(outcome.key());
        assertTrue(outcome.onLoopThread);
        assertEquals("alive", OnLoop.call(loop, () -> "alive"));
    }

    @Test
    void aConnectThatGetsNoAnswerFailsWhenTheConnectTimeoutFires() throws Exception {
        // a listener with backlog 1 that never accepts: once its queue is full Linux drops further SYNs
        ServerSocketChannel full = ServerSocketChannel.open();
        resources.add(full);
        full.bind(Clients.loopback(0), 1);
        boolean saturated = false;
        for (int i = 0; i < 8 && !saturated; i++) {
            SocketChannel filler = SocketChannel.open();
            resources.add(filler);
            filler.configureBlocking(false);
            filler.connect(full.getLocalAddress());
            Thread.sleep(20);
            saturated = !filler.finishConnect();
        }
        assumeTrue(saturated, "this kernel answers SYNs beyond the backlog; the timeout path cannot be provoked");

        long start = System.nanoTime();
        Connects.Outcome outcome = Connects.start(loop, full.getLocalAddress(),
                ConnectOptions.defaults().withConnectTimeout(Duration.ofMillis(100)));

        IOException failure = outcome.failure();
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertInstanceOf(SocketTimeoutException.class, failure);
        assertTrue(tookMillis >= 95 && tookMillis < 2000, "timed out after " + tookMillis + " ms");
    }

    @Test
    void connectingToAUnixDomainSocketWorks() throws Exception {
        Path path = tmp.resolve("upstream.sock");
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        resources.add(server);
        server.bind(UnixDomainSocketAddress.of(path));

        SelectionKey key = Connects.open(loop, UnixDomainSocketAddress.of(path));
        try (SocketChannel accepted = server.accept()) {
            SocketChannel channel = (SocketChannel) key.channel();
            OnLoop.run(loop, () -> channel.write(ByteBuffer.wrap("ping".getBytes(StandardCharsets.UTF_8))));
            ByteBuffer got = ByteBuffer.allocate(4);
            while (got.hasRemaining() && accepted.read(got) >= 0) {
                // blocking read of the 4 bytes just written
            }
            assertEquals("ping", new String(got.array(), StandardCharsets.UTF_8));
            assertEquals(0, (int) OnLoop.call(loop, key::interestOps));
        }
    }

    @Test
    void tcpUpstreamSocketsGetNoDelayKeepaliveAndTheBindAddress() throws Exception {
        ServerSocketChannel server = ServerSocketChannel.open();
        resources.add(server);
        server.bind(Clients.loopback(0));
        InetSocketAddress local = new InetSocketAddress("127.0.0.1", 0);

        Connects.Outcome outcome = Connects.start(loop, server.getLocalAddress(),
                ConnectOptions.defaults().withSocketKeepalive(true).withBindAddress(local));
        SelectionKey key = outcome.key();
        assertNotNull(key, () -> "connect failed: " + outcome.failure.join());
        server.accept().close();

        SocketChannel channel = (SocketChannel) key.channel();
        assertTrue(channel.getOption(StandardSocketOptions.TCP_NODELAY));
        assertTrue(channel.getOption(StandardSocketOptions.SO_KEEPALIVE));
        assertEquals(local.getAddress(), ((InetSocketAddress) channel.getLocalAddress()).getAddress());
        assertFalse(channel.isBlocking());
    }

    @Test
    void aCancelledConnectClosesItsSocketAndNeverCallsItsHandler() throws Exception {
        ServerSocketChannel server = ServerSocketChannel.open();
        resources.add(server);
        server.bind(Clients.loopback(0));
        CountDownLatch called = new CountDownLatch(1);
        ConnectHandler handler = new ConnectHandler() {
            @Override
            public void onConnected(SelectionKey key) {
                called.countDown();
            }

            @Override
            public void onConnectFailed(IOException cause) {
                called.countDown();
            }
        };

        boolean cancelled = OnLoop.call(loop, () -> loop.connect(server.getLocalAddress(),
                ConnectOptions.defaults(), handler).cancel());

        assertTrue(cancelled);
        assertFalse(called.await(100, TimeUnit.MILLISECONDS));
    }

    @Test
    void anUnresolvedAddressIsReportedNotThrown() throws Exception {
        Connects.Outcome outcome = Connects.start(loop, InetSocketAddress.createUnresolved("upstream.invalid", 80),
                ConnectOptions.defaults());

        assertTrue(outcome.failure().getMessage().contains("unresolved"));
        assertTrue(outcome.onLoopThread);
    }

    @Test
    void aPendingConnectIsFailedWhenTheLoopShutsDown() throws Exception {
        ServerSocketChannel full = ServerSocketChannel.open();
        resources.add(full);
        full.bind(Clients.loopback(0), 1);
        Connects.Outcome outcome = Connects.start(loop, full.getLocalAddress(), ConnectOptions.defaults());
        Connects.Outcome more = Connects.start(loop, full.getLocalAddress(), ConnectOptions.defaults());
        Connects.Outcome pending = Connects.start(loop, full.getLocalAddress(), ConnectOptions.defaults());

        group.close();

        // depending on the backlog some connected; the rest must have been told, none left hanging
        for (Connects.Outcome o : List.of(outcome, more, pending)) {
            assertTrue(o.key() != null || o.failure() != null);
        }
    }
}
