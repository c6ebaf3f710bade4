package dev.sluice.internal.pool;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A raw loopback upstream for pool tests. It accepts connections and holds them; the test then acts as the peer
 * with one line per effect: close one ({@link #closeLatest()}), reset it ({@link #resetLatest()}), write unsolicited
 * bytes ({@link #sayLatest(String)}), or check that Sluice closed it ({@link #sawClose(Socket)}).
 */
final class Upstream implements AutoCloseable {

    private final ServerSocket server;
    private final Thread acceptor;
    private final LinkedBlockingQueue<Socket> accepted = new LinkedBlockingQueue<>();
    private final List<Socket> all = new ArrayList<>();
    private Socket latest;

    Upstream() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        acceptor = new Thread(() -> {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    s.setSoTimeout(5000);
                    accepted.add(s);
                } catch (IOException e) {
                    return; // closed
                }
            }
        }, "test-upstream-" + server.getLocalPort());
        acceptor.start();
    }

    InetSocketAddress address() {
        return (InetSocketAddress) server.getLocalSocketAddress();
    }

    /** The server side of the next accepted connection, waiting at most 5 s. */
    Socket next() throws InterruptedException {
        Socket s = accepted.poll(5, TimeUnit.SECONDS);
        if (s == null) {
            throw new AssertionError("no connection reached " + address());
        }
        all.add(s);
        latest = s;
        return s;
    }

    /** Closes the latest connection gracefully (FIN), as a peer whose idle timer fired. */
    void closeLatest() throws IOException {
        latest.close();
    }

    /** Resets the latest connection (RST). */
    void resetLatest() throws IOException {
        latest.setSoLinger(true, 0);
        latest.close();
    }

    /** Writes bytes nobody asked for on the latest connection. */
    void sayLatest(String text) throws IOException {
        latest.getOutputStream().write(text.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        latest.getOutputStream().flush();
    }

    /** Whether the other side closed {@code s}: reads until end of stream, at most 5 s. */
    static boolean sawClose(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        try {
            return in.read() < 0;
        } catch (java.net.SocketException e) {
            return true; // reset
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        try {
            acceptor.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Socket s : all) {
            s.close();
        }
        Socket s;
        while ((s = accepted.poll()) != null) {
            s.close();
        }
    }
}
