import java.io.ByteArrayOutputStream;
import java.io.FileWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An upstream for the faulted soak: answers each request with its X-Request-Id, or injects a fault chosen at
 * random (seeded): a reset before reading the request, a reset or a silent close after reading it, a close in the
 * middle of the body, a slow drip, a 503, or an idle close just after a response. Every request id it reads is
 * appended to its log with the method and the fault ("POST c3-17 reset-after"), so that the soak can count POSTs
 * delivered twice and explain each error status.
 *
 * <p>Run: {@code java FaultyUpstream.java PORT SEED LOG_FILE}. Stops when killed.
 */
public final class FaultyUpstream {

    private static final AtomicLong CONNECTIONS = new AtomicLong();
    /**
     * SOAK_FAULTS=off answers every request normally (a baseline); SOAK_FAULTS=NAME injects only that fault
     * (reset-before, reset-after, silent-close, cut-body, drip, 503, idle-close), in 5 % of requests.
     */
    private static final String ONLY = System.getenv().getOrDefault("SOAK_FAULTS", "all");
    private static final boolean FAULTS = !ONLY.equals("off");

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        long seed = Long.parseLong(args[1]);
        PrintWriter log = new PrintWriter(new FileWriter(args[2], true), true);
        try (ServerSocket server = new ServerSocket()) {
            server.setReuseAddress(true); // a restart after kill -9 binds the same port at once
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 512);
            while (true) {
                Socket socket = server.accept();
                long count = CONNECTIONS.incrementAndGet();
                synchronized (log) {
                    log.println("connection " + count); // two words: the soak's log reader skips it
                }
                long mixed = seed ^ (count * 0x9E3779B97F4A7C15L);
                SplittableRandom random = new SplittableRandom(mixed);
                Thread thread = new Thread(() -> serve(socket, random, log));
                thread.setDaemon(true);
                thread.start();
            }
        }
    }

    private static void serve(Socket socket, SplittableRandom random, PrintWriter log) {
        try (socket) {
            socket.setSoTimeout(120_000);
            socket.setTcpNoDelay(true);
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            while (true) {
                int roll = roll(random);
                if (roll < 15) { // reset before reading a request
                    reset(socket);
                    return;
                }
                String head = readHead(in);
                if (head == null) {
                    return;
                }
                String method = head.substring(0, head.indexOf(' '));
                String id = field(head, "x-request-id");
                int length = Integer.parseInt(orElse(field(head, "content-length"), "0"));
                byte[] body = in.readNBytes(length);
                String fault = roll < 30 ? "reset-after" : roll < 45 ? "silent-close" : roll < 55 ? "cut-body"
                        : roll < 65 ? "drip" : roll < 95 ? "503" : "none";
                synchronized (log) {
                    log.println(method + " " + id + " " + fault + " " + body.length);
                }
                switch (fault) {
                    case "reset-after":
                        reset(socket);
                        return;
                    case "silent-close":
                        return;
                    case "cut-body":
                        out.write(("HTTP/1.1 200 OK\r\nX-Request-Id: " + id + "\r\nContent-Length: 100\r\n\r\n"
                                + id).getBytes(StandardCharsets.ISO_8859_1));
                        out.flush();
                        return;
                    default:
                        break;
                }
                int status = fault.equals("503") ? 503 : 200;
                byte[] response = ("HTTP/1.1 " + status + (status == 200 ? " OK" : " Service Unavailable")
                        + "\r\nX-Request-Id: " + id + "\r\nContent-Length: " + id.length() + "\r\n\r\n" + id)
                        .getBytes(StandardCharsets.ISO_8859_1);
                if (fault.equals("drip")) {
                    for (int i = 0; i < response.length; i += 16) {
                        out.write(response, i, Math.min(16, response.length - i));
                        out.flush();
                        Thread.sleep(2);
                    }
                } else {
                    out.write(response);
                    out.flush();
                }
                if (idleClose(random)) { // an idle close just after a response: the stale-keepalive race
                    Thread.sleep(random.nextInt(3));
                    return;
                }
            }
        } catch (IOException | InterruptedException e) {
            // the proxy closed or reset: this connection is done
        }
    }

    /** The roll that picks this request's fault: below 15 reset-before, ..., 95 and above none. */
    private static int roll(SplittableRandom random) {
        if (ONLY.equals("all")) {
            return random.nextInt(1000);
        }
        int[] ranges = {0, 15, 30, 45, 55, 65, 95};
        String[] names = {"reset-before", "reset-after", "silent-close", "cut-body", "drip", "503"};
        for (int i = 0; i < names.length; i++) {
            if (names[i].equals(ONLY) && random.nextInt(100) < 5) {
                return ranges[i];
            }
        }
        return 999;
    }

    private static boolean idleClose(SplittableRandom random) {
        return ONLY.equals("all") ? random.nextInt(100) < 3 : ONLY.equals("idle-close") && random.nextInt(100) < 5;
    }

    private static void reset(Socket socket) throws IOException {
        socket.setSoLinger(true, 0);
        socket.close();
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream(256);
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                return null;
            }
            head.write(b);
            matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : b == '\r' ? 1 : 0;
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    private static String field(String head, String name) {
        for (String line : head.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
                return line.substring(colon + 1).trim();
            }
        }
        return null;
    }

    private static String orElse(String value, String otherwise) {
        return value == null ? otherwise : value;
    }
}
