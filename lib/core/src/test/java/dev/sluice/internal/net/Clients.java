package dev.sluice.internal.net;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;

/** Blocking test clients with timeouts, so that a broken server fails a test instead of hanging it. */
final class Clients {

    private Clients() {
    }

    static Socket connect(SocketAddress address) throws IOException {
        Socket socket = new Socket();
        socket.setSoTimeout(5000);
        socket.connect(address, 5000);
        return socket;
    }

    static InetSocketAddress loopback(int port) {
        return new InetSocketAddress("127.0.0.1", port);
    }

    /** Sends {@code text} and expects it back. */
    static void roundTrip(Socket socket, String text) throws IOException {
        byte[] sent = text.getBytes(StandardCharsets.UTF_8);
        socket.getOutputStream().write(sent);
        socket.getOutputStream().flush();
        byte[] received = new byte[sent.length];
        InputStream in = socket.getInputStream();
        int off = 0;
        while (off < received.length) {
            int n = in.read(received, off, received.length - off);
            if (n < 0) {
                throw new IOException("closed after " + off + " bytes");
            }
            off += n;
        }
        assertEquals(text, new String(received, StandardCharsets.UTF_8));
    }
}
