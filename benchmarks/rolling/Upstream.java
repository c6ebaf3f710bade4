import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An upstream for the rolling-deploy benchmark: HTTP/1.1 with keep-alive, one thread per connection. GET answers
 * {@code ok NAME}; POST echoes its body. Every response carries {@code X-Upstream: NAME}, so the client can tell
 * which instance served it.
 *
 * <p>On SIGTERM it stops the way a well-behaved server does in a rolling deploy: it closes its listening socket
 * (new connections are refused), lets every request already being read or processed finish (its response says
 * {@code Connection: close}), closes the keep-alive connections that sit idle between requests, and exits when no
 * connection is left (after 10 s at most). kill -9 is the abrupt case and needs no code.
 *
 * <p>Run: {@code java Upstream.java ADDRESS PORT NAME [DELAY_MS]}; DELAY_MS (default 5) is each request's service
 * time, so that some requests are always in flight when the upstream is stopped. Prints {@code listening} once it
 * accepts, and one line per shutdown step.
 */
public final class Upstream {

    private static final long DRAIN_LIMIT_MS = 10_000;

    /** A connection's state: IDLE between requests, BUSY from a request's first byte to its response's last. */
    private static final int IDLE = 0;
    private static final int BUSY = 1;
    private static final int CLOSED = 2;

    private static final Set<Connection> CONNECTIONS = ConcurrentHashMap.newKeySet();
    private static final AtomicLong REQUESTS = new AtomicLong();
    private static volatile boolean draining;

    private static String name;
    private static long delayMs;

    private static final class Connection {
        final Socket socket;
        final AtomicInteger state = new AtomicInteger(IDLE);

        Connection(Socket socket) {
            this.socket = socket;
        }

        /** Closes the connection if it sits idle; a busy one closes itself after its response. */
        void closeIfIdle() {
            if (state.compareAndSet(IDLE, CLOSED)) {
                closeQuietly(socket);
            }
        }
    }

    public static void main(String[] args) throws Exception {
        InetAddress address = InetAddress.getByName(args[0]);
        int port = Integer.parseInt(args[1]);
        name = args[2];
        delayMs = args.length > 3 ? Long.parseLong(args[3]) : 5;
        ServerSocket server = new ServerSocket();
        server.bind(new InetSocketAddress(address, port), 1024);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> drain(server), "drain"));
        System.out.println(name + " listening on " + args[0] + ":" + port);
        System.out.flush();
        while (!draining) {
            Socket socket;
            try {
                socket = server.accept();
            } catch (IOException e) {
                break; // closed by drain()
            }
            Connection connection = new Connection(socket);
            CONNECTIONS.add(connection);
            Thread thread = new Thread(() -> serve(connection));
            thread.setDaemon(true);
            thread.start();
        }
        Thread.sleep(Long.MAX_VALUE); // the shutdown hook ends the process
    }

    /** The graceful stop, run by the JVM on SIGTERM: the JVM exits when this returns. */
    private static void drain(ServerSocket server) {
        long start = System.nanoTime();
        draining = true;
        closeQuietly(server);
        log("SIGTERM: listening socket closed; " + CONNECTIONS.size() + " connections open");
        while (!CONNECTIONS.isEmpty() && (System.nanoTime() - start) / 1_000_000 < DRAIN_LIMIT_MS) {
            // Checked again and again: a busy connection that finished its response is closed by its own thread,
            // one that became idle (its response sent before the flag was seen) is closed here.
            CONNECTIONS.forEach(Connection::closeIfIdle);
            sleep(5);
        }
        log("drained in " + (System.nanoTime() - start) / 1_000_000 + " ms; " + CONNECTIONS.size()
                + " connections left; " + REQUESTS.get() + " requests served");
    }

    private static void serve(Connection connection) {
        Socket socket = connection.socket;
        try (socket) {
            socket.setTcpNoDelay(true);
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            while (true) {
                int first = in.read();
                // IDLE -> BUSY once a request starts; if drain() closed the connection first, the request that
                // raced with it is lost, as with any server that closes an idle keep-alive connection.
                if (first < 0 || !connection.state.compareAndSet(IDLE, BUSY)) {
                    return;
                }
                String head = readHead(first, in);
                if (head == null) {
                    return;
                }
                int space = head.indexOf(' ');
                String method = space > 0 ? head.substring(0, space) : "";
                byte[] body = in.readNBytes(contentLength(head));
                sleep(delayMs);
                byte[] answer = method.equals("POST") ? body
                        : ("ok " + name + "\n").getBytes(StandardCharsets.ISO_8859_1);
                boolean close = draining || head.toLowerCase(Locale.ROOT).contains("\nconnection: close");
                String response = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-Upstream: " + name
                        + "\r\nContent-Length: " + answer.length + "\r\n" + (close ? "Connection: close\r\n" : "")
                        + "\r\n";
                out.write(response.getBytes(StandardCharsets.ISO_8859_1));
                out.write(answer);
                out.flush();
                REQUESTS.incrementAndGet();
                if (close || !connection.state.compareAndSet(BUSY, IDLE)) {
                    return;
                }
            }
        } catch (IOException e) {
            // the peer closed or reset the connection
        } finally {
            connection.state.set(CLOSED);
            CONNECTIONS.remove(connection);
        }
    }

    /** The request head after its first byte, up to the blank line; null if the connection ends before it. */
    private static String readHead(int first, InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream(256);
        head.write(first);
        int matched = first == '\r' ? 1 : 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                return null;
            }
            head.write(b);
            matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3))
                    ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    private static int contentLength(String head) {
        for (String line : head.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase("content-length")) {
                return Integer.parseInt(line.substring(colon + 1).trim());
            }
        }
        return 0;
    }

    private static void log(String message) {
        System.out.println(System.currentTimeMillis() + " " + name + " " + message);
        System.out.flush();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            // already closed
        }
    }
}
