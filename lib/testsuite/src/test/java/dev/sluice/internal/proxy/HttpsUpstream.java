package dev.sluice.internal.proxy;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;

/**
 * A small HTTPS/1.1 upstream on the JDK's blocking TLS sockets, for the tests of TLS to the upstream: it keeps
 * connections alive, answers every request with what the TLS layer saw (its connection number, session id,
 * requested SNI name, client certificate subject, protocol) in response headers, and closes an idle connection
 * with close_notify after {@code idleCloseMillis}. {@code /big/N} answers N bytes; a request body is read and its
 * length echoed; a WebSocket upgrade is switched to and echoes every byte until the client's side ends.
 */
final class HttpsUpstream implements AutoCloseable {

    private final SSLServerSocket server;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger requests = new AtomicInteger();
    private final List<String> sessionIds = new CopyOnWriteArrayList<>();
    private final List<Throwable> handshakeFailures = new CopyOnWriteArrayList<>();
    private final int idleCloseMillis;

    /**
     * Listens on loopback with {@code context}'s certificate; {@code needClientAuth} demands a client certificate
     * its trust managers accept; {@code protocols} null for the JDK's.
     */
    HttpsUpstream(SSLContext context, boolean needClientAuth, String[] protocols, int idleCloseMillis)
            throws IOException {
        this.idleCloseMillis = idleCloseMillis;
        this.server = (SSLServerSocket) context.getServerSocketFactory().createServerSocket(0, 50,
                InetAddress.getLoopbackAddress());
        server.setNeedClientAuth(needClientAuth);
        if (protocols != null) {
            server.setEnabledProtocols(protocols);
        }
        threads.execute(this::accept);
    }

    String address() {
        return "127.0.0.1:" + server.getLocalPort();
    }

    int port() {
        return server.getLocalPort();
    }

    /** Connections whose handshake completed. */
    int connections() {
        return connections.get();
    }

    int requests() {
        return requests.get();
    }

    /** The session id of each connection, in the order their handshakes completed. */
    List<String> sessionIds() {
        return sessionIds;
    }

    /** Why handshakes failed on this side. */
    List<Throwable> handshakeFailures() {
        return handshakeFailures;
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                SSLSocket socket = (SSLSocket) server.accept();
                threads.execute(() -> serve(socket));
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void serve(SSLSocket socket) {
        try (socket) {
            socket.setSoTimeout(5_000);
            try {
                socket.startHandshake();
            } catch (IOException e) {
                handshakeFailures.add(e);
                return;
            }
            SSLSession session = socket.getSession();
            int number = connections.getAndIncrement();
            sessionIds.add(HexFormat.of().formatHex(session.getId()));
            InputStream in = new BufferedInputStream(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            socket.setSoTimeout(idleCloseMillis);
            for (;;) {
                String head;
                try {
                    head = readHead(in);
                } catch (SocketTimeoutException idle) {
                    return; // closing the socket sends close_notify
                }
                if (head == null) {
                    return;
                }
                socket.setSoTimeout(5_000);
                requests.incrementAndGet();
                int length = contentLength(head);
                byte[] body = in.readNBytes(length);
                String target = head.substring(head.indexOf(' ') + 1, head.indexOf(' ', head.indexOf(' ') + 1));
                if (head.toLowerCase(Locale.ROOT).contains("\r\nupgrade: websocket\r\n")) {
                    out.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    socket.setSoTimeout(5_000);
                    in.transferTo(out); // an echo until the client's side ends
                    return;
                }
                byte[] answer = target.startsWith("/big/")
                        ? "b".repeat(Integer.parseInt(target.substring(5))).getBytes(StandardCharsets.US_ASCII)
                        : ("hello " + target + " body=" + body.length).getBytes(StandardCharsets.US_ASCII);
                String reply = "HTTP/1.1 200 OK\r\nContent-Length: " + answer.length + "\r\n"
                        + "X-Connection: " + number + "\r\n"
                        + "X-Session-Created: " + session.getCreationTime() + "\r\n"
                        + "X-Sni: " + sni(session) + "\r\n"
                        + "X-Client: " + client(session) + "\r\n"
                        + "X-Protocol: " + session.getProtocol() + "\r\n\r\n";
                out.write(reply.getBytes(StandardCharsets.US_ASCII));
                out.write(answer);
                out.flush();
                socket.setSoTimeout(idleCloseMillis);
            }
        } catch (SocketException closedUnderUs) {
            // the proxy closed the connection
        } catch (IOException e) {
            handshakeFailures.add(e);
        }
    }

    /** The request head up to its blank line, or null at the end of the stream. */
    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        for (int b; (b = in.read()) >= 0; ) {
            head.write(b);
            matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : b == '\r' ? 1 : 0;
            if (matched == 4) {
                return head.toString(StandardCharsets.ISO_8859_1);
            }
        }
        return null;
    }

    private static int contentLength(String head) {
        for (String line : head.split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                return Integer.parseInt(line.substring(15).strip());
            }
        }
        return 0;
    }

    private static String sni(SSLSession session) {
        if (session instanceof ExtendedSSLSession extended) {
            return extended.getRequestedServerNames().stream().filter(SNIHostName.class::isInstance)
                    .map(name -> ((SNIHostName) name).getAsciiName()).findFirst().orElse("-");
        }
        return "-";
    }

    private static String client(SSLSession session) {
        try {
            return ((X509Certificate) session.getPeerCertificates()[0]).getSubjectX500Principal().getName();
        } catch (SSLPeerUnverifiedException none) {
            return "-";
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        server.close();
        threads.shutdownNow();
        threads.awaitTermination(5, TimeUnit.SECONDS);
    }
}
