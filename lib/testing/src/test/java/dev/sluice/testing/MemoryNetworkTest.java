package dev.sluice.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.testing.RawClient.End;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The in-memory network behaves as loopback TCP does where a proxy can tell. */
class MemoryNetworkTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    private final MemoryNetwork network = new MemoryNetwork();

    @Test
    void bytesGoBothWaysAndACloseIsAnEndOfStream() throws Exception {
        try (ServerSocket server = network.serverSocket("10.0.0.1:80");
                Socket client = network.socket("10.0.0.1:80");
                Socket accepted = server.accept()) {
            client.getOutputStream().write("ping".getBytes(StandardCharsets.US_ASCII));
            assertArrayEquals("ping".getBytes(StandardCharsets.US_ASCII), accepted.getInputStream().readNBytes(4));
            accepted.getOutputStream().write("pong".getBytes(StandardCharsets.US_ASCII));
            accepted.close();
            RawClient.Received received = RawClient.over(client).readUntilClose(WAIT);
            assertEquals("pong", received.string());
            assertEquals(End.EOF, received.end());
        }
    }

    @Test
    void aConnectToNothingIsRefused() {
        assertThrows(ConnectException.class, () -> network.socket("10.0.0.9:80"));
    }

    @Test
    void aCloseWithUnreadInputResetsThePeer() throws Exception {
        try (ServerSocket server = network.serverSocket("10.0.0.1:80");
                Socket client = network.socket("10.0.0.1:80")) {
            Socket accepted = server.accept();
            client.getOutputStream().write(1);
            accepted.close(); // one byte unread
            assertEquals(End.RESET, RawClient.over(client).readUntilClose(WAIT).end());
        }
    }

    @Test
    void aWriteToAClosedPeerIsDroppedAndTheNextReadSeesTheEndOfStreamItSent() throws Exception {
        try (ServerSocket server = network.serverSocket("10.0.0.1:80");
                Socket client = network.socket("10.0.0.1:80")) {
            server.accept().close();
            client.getOutputStream().write(1);
            assertEquals(-1, client.getInputStream().read());
        }
    }

    @Test
    void aReadWaitsNoLongerThanItsTimeout() throws Exception {
        try (ServerSocket server = network.serverSocket("10.0.0.1:80");
                Socket client = network.socket("10.0.0.1:80");
                Socket accepted = server.accept()) {
            client.setSoTimeout(20);
            assertThrows(SocketTimeoutException.class, () -> client.getInputStream().read());
            assertTrue(accepted.isConnected());
        }
    }

    @Test
    void aSelectorSeesAcceptReadAndWriteReadiness() throws Exception {
        try (Selector selector = network.openSelector();
                ServerSocketChannel listener = network.openServerSocketChannel()) {
            listener.bind(new InetSocketAddress("10.0.0.1", 0));
            listener.configureBlocking(false);
            listener.register(selector, SelectionKey.OP_ACCEPT);
            int port = ((InetSocketAddress) listener.getLocalAddress()).getPort();
            try (Socket client = network.socket("10.0.0.1:" + port)) {
                assertEquals(1, selector.select(WAIT.toMillis()));
                SocketChannel accepted = listener.accept();
                accepted.configureBlocking(false);
                selector.selectedKeys().clear();
                SelectionKey key = accepted.register(selector, SelectionKey.OP_READ | SelectionKey.OP_WRITE);
                assertEquals(1, selector.selectNow());
                assertEquals(SelectionKey.OP_WRITE, key.readyOps()); // nothing to read yet
                selector.selectedKeys().clear();
                client.getOutputStream().write(7);
                assertEquals(1, selector.selectNow());
                assertEquals(SelectionKey.OP_READ | SelectionKey.OP_WRITE, key.readyOps());
                ByteBuffer one = ByteBuffer.allocate(1);
                assertEquals(1, accepted.read(one));
                assertEquals(0, accepted.read(one.clear()));
                accepted.close();
            }
        }
    }

    @Test
    void aFullPipeMakesTheWriterWait() throws Exception {
        try (ServerSocketChannel listener = network.openServerSocketChannel()) {
            listener.bind(new InetSocketAddress("10.0.0.2", 80));
            listener.configureBlocking(false);
            try (Socket client = network.socket("10.0.0.2:80"); SocketChannel end = listener.accept()) {
                end.configureBlocking(false);
                ByteBuffer big = ByteBuffer.allocate(MemoryPipe.CAPACITY + 10);
                assertEquals(MemoryPipe.CAPACITY, end.write(big));
                assertEquals(0, end.write(big));
                client.getInputStream().readNBytes(10);
                assertEquals(10, end.write(big));
            }
        }
    }

    @Test
    void aSelectWakesWhenTheClockMoves() throws Exception {
        try (Selector selector = network.openSelector()) {
            Thread mover = new Thread(() -> network.advance(Duration.ofSeconds(1)));
            long start = System.nanoTime();
            mover.start();
            assertEquals(0, selector.select(WAIT.toMillis()));
            assertTrue(System.nanoTime() - start < WAIT.toNanos() / 2, "woken by the clock, not by its timeout");
            mover.join(WAIT.toMillis());
            assertEquals(Duration.ofSeconds(1), network.ticker().elapsed());
        }
    }

    @Test
    void anAddressInUseCannotBeBoundTwice() throws IOException {
        try (ServerSocket first = network.serverSocket("10.0.0.1:80")) {
            assertThrows(java.net.BindException.class, () -> network.serverSocket("10.0.0.1:80"));
            assertTrue(first.isBound());
        }
    }
}
