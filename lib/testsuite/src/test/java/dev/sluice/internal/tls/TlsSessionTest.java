package dev.sluice.internal.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.testing.TestCertificates;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@link TlsSession} on a non-blocking channel, driven by a selector as a loop drives it, against the JDK's
 * blocking TLS sockets: the handshake a step at a time, a body larger than one record both ways, close_notify and a
 * plain end read as -1, and a refused certificate failing the handshake.
 */
class TlsSessionTest {

    private static final long PATIENCE_MILLIS = 10_000;

    @TempDir
    static Path dir;
    private static TestCertificates ca;
    private static SSLContext server;
    /** The blocking peers' threads: one per test at most, never the common pool's one or two. */
    private final ExecutorService peers = Executors.newCachedThreadPool();

    @AfterEach
    void stopPeers() throws InterruptedException {
        peers.shutdownNow();
        assertTrue(peers.awaitTermination(PATIENCE_MILLIS, TimeUnit.MILLISECONDS));
    }

    @BeforeAll
    static void issue() throws IOException {
        ca = TestCertificates.create(dir);
        TestCertificates.Issued localhost = ca.issue("localhost", "EC", false, "dns:localhost", "ip:127.0.0.1");
        server = TlsContexts.server(Credentials.read(localhost.certificateFile(), localhost.keyFile()));
    }

    @Test
    void aClientSessionHandshakesThenCarriesABodyLargerThanARecordBothWays() throws Exception {
        byte[] body = new byte[100_000];
        Arrays.fill(body, (byte) 'x');
        try (SSLServerSocket listening = listen()) {
            CompletableFuture<byte[]> echoed = CompletableFuture.supplyAsync(() -> echo(listening, body.length), peers);
            SSLContext client = TlsContexts.client(true, Pem.certificates(ca.caFile()), null);
            try (Selector selector = Selector.open(); SocketChannel channel = connect(listening)) {
                TlsSession session = new TlsSession(clientEngine(client), channel);
                SelectionKey key = channel.register(selector, 0);

                handshake(session, key, selector);
                ByteBuffer out = ByteBuffer.wrap(body);
                while (out.hasRemaining() || session.hasPendingOutput()) {
                    session.write(out);
                    if (out.hasRemaining() || session.hasPendingOutput()) {
                        await(key, SelectionKey.OP_WRITE, selector);
                    }
                }
                ByteBuffer in = ByteBuffer.allocate(body.length + 1);
                int n;
                while ((n = session.read(in)) >= 0 && in.position() < body.length) {
                    if (n == 0) {
                        await(key, SelectionKey.OP_READ, selector);
                    }
                }

                assertEquals(body.length, in.position());
                assertEquals(-1, readToEnd(session, key, selector), "the server's close_notify reads as the end");
                assertEquals(0, session.heldBuffers(), "with nothing left to read or write it holds no buffer");
                session.close(); // the JDK's socket waits for the answering close_notify
                assertEquals(0, session.heldBuffers());
                assertEquals(body.length, echoed.get(PATIENCE_MILLIS, TimeUnit.MILLISECONDS).length);
            }
        }
    }

    @Test
    void aCertificateTheClientDoesNotTrustFailsTheHandshake() throws Exception {
        try (SSLServerSocket listening = listen()) {
            CompletableFuture.runAsync(() -> echo(listening, 0), peers);
            SSLContext jdkDefaults = TlsContexts.client(true, null, null);
            try (Selector selector = Selector.open(); SocketChannel channel = connect(listening)) {
                TlsSession session = new TlsSession(clientEngine(jdkDefaults), channel);
                SelectionKey key = channel.register(selector, 0);

                assertThrows(SSLException.class, () -> handshake(session, key, selector));
            }
        }
    }

    @Test
    void aServerSessionAnswersAJdkClientAndSeesItsCloseAsTheEnd() throws Exception {
        try (java.nio.channels.ServerSocketChannel listening = java.nio.channels.ServerSocketChannel.open()) {
            listening.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            int port = ((InetSocketAddress) listening.getLocalAddress()).getPort();
            SSLContext client = TlsContexts.client(true, Pem.certificates(ca.caFile()), null);
            CompletableFuture<String> reply = CompletableFuture.supplyAsync(() -> {
                try (SSLSocket socket = (SSLSocket) client.getSocketFactory().createSocket("localhost", port)) {
                    socket.setSoTimeout((int) PATIENCE_MILLIS);
                    socket.getOutputStream().write("ping".getBytes(StandardCharsets.US_ASCII));
                    return new String(socket.getInputStream().readNBytes(4), StandardCharsets.US_ASCII);
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }, peers);
            try (Selector selector = Selector.open(); SocketChannel channel = listening.accept()) {
                channel.configureBlocking(false);
                SSLEngine engine = server.createSSLEngine();
                engine.setUseClientMode(false);
                TlsSession session = new TlsSession(engine, channel);
                SelectionKey key = channel.register(selector, 0);
                handshake(session, key, selector);
                ByteBuffer in = ByteBuffer.allocate(16);
                while (in.position() < 4) {
                    if (session.read(in) == 0) {
                        await(key, SelectionKey.OP_READ, selector);
                    }
                }
                session.write(ByteBuffer.wrap("pong".getBytes(StandardCharsets.US_ASCII)));

                assertEquals("ping", new String(in.array(), 0, 4, StandardCharsets.US_ASCII));
                assertEquals(-1, readToEnd(session, key, selector), "the client's close reads as the end");
                session.close();
                assertEquals("pong", reply.get(PATIENCE_MILLIS, TimeUnit.MILLISECONDS));
            }
        }
    }

    private static SSLServerSocket listen() throws IOException {
        SSLServerSocket listening = (SSLServerSocket) server.getServerSocketFactory().createServerSocket(0, 1,
                InetAddress.getLoopbackAddress());
        listening.setSoTimeout((int) PATIENCE_MILLIS);
        return listening;
    }

    private static SocketChannel connect(SSLServerSocket listening) throws IOException {
        SocketChannel channel = SocketChannel.open(new InetSocketAddress(InetAddress.getLoopbackAddress(),
                listening.getLocalPort()));
        channel.configureBlocking(false);
        return channel;
    }

    private static SSLEngine clientEngine(SSLContext context) {
        SSLEngine engine = context.createSSLEngine("localhost", 0);
        engine.setUseClientMode(true);
        SSLParameters parameters = engine.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        engine.setSSLParameters(parameters);
        return engine;
    }

    /** Accepts one client, reads {@code length} bytes and writes them back, then closes (sending close_notify). */
    private static byte[] echo(SSLServerSocket listening, int length) {
        try (SSLSocket socket = (SSLSocket) listening.accept()) {
            socket.setSoTimeout((int) PATIENCE_MILLIS);
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            byte[] body = in.readNBytes(length);
            out.write(body);
            out.flush();
            return body;
        } catch (IOException e) {
            return new byte[0]; // the client refused the handshake
        }
    }

    private static void handshake(TlsSession session, SelectionKey key, Selector selector) throws IOException {
        for (int turns = 0; turns < 1_000; turns++) {
            switch (session.handshake()) {
                case DONE -> {
                    return;
                }
                case NEED_READ -> await(key, SelectionKey.OP_READ, selector);
                case NEED_WRITE -> await(key, SelectionKey.OP_WRITE, selector);
            }
        }
        throw new AssertionError("the handshake did not end in 1,000 turns");
    }

    private static int readToEnd(TlsSession session, SelectionKey key, Selector selector) throws IOException {
        ByteBuffer sink = ByteBuffer.allocate(1024);
        for (int turns = 0; turns < 1_000; turns++) {
            sink.clear();
            int n = session.read(sink);
            if (n < 0) {
                return n;
            }
            if (n == 0) {
                await(key, SelectionKey.OP_READ, selector);
            }
        }
        throw new AssertionError("no end in 1,000 reads");
    }

    private static void await(SelectionKey key, int ops, Selector selector) throws IOException {
        key.interestOps(ops);
        assertTrue(selector.select(PATIENCE_MILLIS) > 0, "the channel became ready");
        selector.selectedKeys().clear();
    }
}
