package dev.sluice.internal.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AcceptorTest {

    private final EventLoopGroup group = EventLoopGroup.builder().threads(2).build();

    @TempDir
    Path tmp;

    @AfterEach
    void tearDown() {
        group.close();
    }

    @Test
    void acceptedConnectionsEchoAndAreSpreadOverEveryLoop() throws Exception {
        Set<String> loopsUsed = ConcurrentHashMap.newKeySet();
        AcceptHandler echo = Echo.acceptor();
        Acceptor acceptor = group.bind(Clients.loopback(0), 16, (loop, channel) -> {
            loopsUsed.add(loop.name() + "/" + Thread.currentThread().getName());
            echo.onAccepted(loop, channel);
        });

        Socket[] clients = new Socket[4];
        try {
            for (int i = 0; i < clients.length; i++) {
                clients[i] = Clients.connect(acceptor.localAddress());
                Clients.roundTrip(clients[i], "hello " + i);
            }
            for (int i = 0; i < clients.length; i++) {
                Clients.roundTrip(clients[i], "again " + i);
            }
        } finally {
            for (Socket client : clients) {
                if (client != null) {
                    client.close();
                }
            }
        }

        assertEquals(Set.of("sluice-loop-0/sluice-loop-0", "sluice-loop-1/sluice-loop-1"), loopsUsed);
    }

    @Test
    void anAcceptErrorPausesAcceptingInsteadOfSpinning() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        Acceptor.Source exhausted = server -> {
            if (attempts.incrementAndGet() <= 3) {
                throw new IOException("Too many open files");
            }
            return server.accept();
        };
        AtomicInteger accepted = new AtomicInteger();
        Acceptor acceptor = group.bind(Clients.loopback(0), 16, false, (loop, channel) -> {
            accepted.incrementAndGet();
            channel.close();
        }, exhausted, TimeUnit.MILLISECONDS.toNanos(50));

        long start = System.nanoTime();
        Socket client = Clients.connect(acceptor.localAddress());
        try {
            // the pending connection keeps the socket readable: without a pause this would be thousands of tries
            OnLoop.await(() -> accepted.get() == 1, Duration.ofSeconds(5), "the connection is accepted");
        } finally {
            client.close();
        }

        int tries = attempts.get(); // 3 failures, 1 accept, perhaps already 1 that found nothing more
        assertTrue(tries == 4 || tries == 5, tries + " accept calls");
        assertEquals(3, (long) OnLoop.call(acceptor.loop(), acceptor::pauses));
        assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(150), "three pauses of 50 ms");
    }

    @Test
    void withReusePortEveryLoopListensOnTheSamePortAndServesWhatItAccepts() throws Exception {
        AcceptHandler echo = Echo.acceptor();
        Set<Boolean> onOwnLoop = ConcurrentHashMap.newKeySet();
        Acceptor acceptor = group.bindReusePort(Clients.loopback(0), 16, (loop, channel) -> {
            onOwnLoop.add(loop.inEventLoop());
            echo.onAccepted(loop, channel);
        });
        assertEquals(2, acceptor.listenerCount());

        for (int i = 0; i < 8; i++) {
            try (Socket client = Clients.connect(acceptor.localAddress())) {
                Clients.roundTrip(client, "reuseport " + i);
            }
        }
        acceptor.close();

        assertEquals(Set.of(true), onOwnLoop);
        assertThrows(ConnectException.class, () -> Clients.connect(acceptor.localAddress()).close());
    }

    @Test
    void closingTheAcceptorReleasesThePortAndStopsAccepting() throws Exception {
        Acceptor acceptor = group.bind(Clients.loopback(0), Echo.acceptor());
        InetSocketAddress address = (InetSocketAddress) acceptor.localAddress();

        acceptor.close();

        assertThrows(ConnectException.class, () -> Clients.connect(address).close());
        Acceptor again = group.bind(address, Echo.acceptor());
        try (Socket client = Clients.connect(again.localAddress())) {
            Clients.roundTrip(client, "same port");
        }
    }

    @Test
    void aUnixDomainListenerAcceptsAndRemovesItsFileOnClose() throws Exception {
        Path path = tmp.resolve("sluice.sock");
        Acceptor acceptor = group.bind(UnixDomainSocketAddress.of(path), Echo.acceptor());

        try (SocketChannel client = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            client.connect(UnixDomainSocketAddress.of(path));
            client.configureBlocking(false);
            client.write(ByteBuffer.wrap("unix".getBytes(StandardCharsets.UTF_8)));
            ByteBuffer reply = ByteBuffer.allocate(4);
            OnLoop.await(() -> {
                try {
                    return client.read(reply) < 0 || !reply.hasRemaining();
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
            }, Duration.ofSeconds(5), "the echo arrives");
            assertEquals("unix", new String(reply.array(), StandardCharsets.UTF_8));
        }
        acceptor.close();

        assertFalse(Files.exists(path));
    }
}
