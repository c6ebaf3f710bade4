import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The faulted soak's client: sends REQUESTS requests (GET, and POST with a body; kept alive or not; some pipelined)
 * over CONNECTIONS connections, each with a unique X-Request-Id, and checks every response against the request it
 * answers. Then reads the upstreams' logs and reports: sent, correct, each error status with the faults that
 * explain it, wrong (an answer for another request), lost (a request the connection closed on without a word,
 * outside a cut response), and POSTs an upstream received twice.
 *
 * <p>Run: {@code java Soak.java HOST:PORT REQUESTS CONNECTIONS SEED UPSTREAM_LOG...}; exits 1 when anything is
 * lost, wrong or duplicated.
 */
public final class Soak {

    private static final AtomicLong NEXT = new AtomicLong();
    private static final AtomicLong SENT = new AtomicLong();
    private static final AtomicLong CORRECT = new AtomicLong();
    private static final AtomicLong WRONG = new AtomicLong();
    private static final AtomicLong LOST = new AtomicLong();
    private static final AtomicLong CUT = new AtomicLong();
    /** Pipelined requests behind an answer that closed the connection (a cut body, Connection: close). */
    private static final AtomicLong UNANSWERED = new AtomicLong();
    private static final Map<String, AtomicLong> STATUSES = new ConcurrentHashMap<>();
    /** Request ids of the error answers, by "METHOD STATUS" (and "cut"), to explain them from the upstream logs. */
    private static final Map<String, String> ERRORS = new ConcurrentHashMap<>();

    public static void main(String[] args) throws Exception {
        String[] hostPort = args[0].split(":");
        InetSocketAddress proxy = new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1]));
        long total = Long.parseLong(args[1]);
        int connections = Integer.parseInt(args[2]);
        long seed = Long.parseLong(args[3]);
        long start = System.nanoTime();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            int conn = c;
            Thread thread = new Thread(() -> drive(proxy, total, conn, new SplittableRandom(seed * 31 + conn)));
            threads.add(thread);
            thread.start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Map<String, String[]> upstream = readLogs(args, 4);
        long duplicatePosts = upstream.values().stream().filter(v -> v[0].equals("POST") && Integer.parseInt(v[2]) > 1)
                .count();
        long errors = STATUSES.values().stream().mapToLong(AtomicLong::get).sum();
        System.out.printf("sent %d in %.1f s (%.0f req/s): correct %d, error statuses %d, cut %d, wrong %d, lost %d,"
                + " and %d pipelined requests behind an answer that closed the connection, unanswered as HTTP"
                + " allows (their sum: %d)%n", SENT.get(), seconds, SENT.get() / seconds, CORRECT.get(), errors,
                CUT.get(), WRONG.get(), LOST.get(), UNANSWERED.get(),
                CORRECT.get() + errors + CUT.get() + WRONG.get() + LOST.get() + UNANSWERED.get());
        System.out.println("POSTs an upstream received more than once: " + duplicatePosts);
        System.out.println("error answers, with the faults the upstreams logged for the same request id (a request"
                + " read twice, a GET retried, shows both):");
        Map<String, Map<String, Long>> explained = new TreeMap<>();
        ERRORS.forEach((id, kind) -> {
            String[] seen = upstream.get(id);
            String fault = seen == null ? "never read by an upstream (reset before reading, or killed)" : seen[1];
            explained.computeIfAbsent(kind, k -> new TreeMap<>()).merge(fault, 1L, Long::sum);
        });
        explained.forEach((kind, faults) -> System.out.println("  " + kind + " " + STATUSES.getOrDefault(kind,
                new AtomicLong(faults.values().stream().mapToLong(Long::longValue).sum())) + ": " + faults));
        System.exit(WRONG.get() + LOST.get() + duplicatePosts == 0 ? 0 : 1);
    }

    private static void drive(InetSocketAddress proxy, long total, int conn, SplittableRandom random) {
        Socket socket = null;
        try {
            while (true) {
                if (socket == null) {
                    socket = new Socket();
                    socket.setTcpNoDelay(true);
                    socket.setSoTimeout(30_000);
                    socket.connect(proxy, 5_000);
                }
                int burst = random.nextInt(100) < 10 ? 2 + random.nextInt(2) : 1;
                List<String[]> batch = new ArrayList<>();
                ByteArrayOutputStream wire = new ByteArrayOutputStream();
                for (int i = 0; i < burst; i++) {
                    long n = NEXT.getAndIncrement();
                    if (n >= total) {
                        break;
                    }
                    String id = "c" + conn + "-" + n;
                    boolean post = burst == 1 && random.nextInt(100) < 30;
                    boolean close = burst == 1 && random.nextInt(100) < 10;
                    StringBuilder head = new StringBuilder(post ? "POST" : "GET").append(" /soak/").append(id)
                            .append(" HTTP/1.1\r\nHost: soak\r\nX-Request-Id: ").append(id).append("\r\n");
                    byte[] body = post ? ("payload-" + id + "-").repeat(1 + random.nextInt(100))
                            .getBytes(StandardCharsets.ISO_8859_1) : new byte[0];
                    if (post) {
                        head.append("Content-Length: ").append(body.length).append("\r\n");
                    }
                    if (close) {
                        head.append("Connection: close\r\n");
                    }
                    wire.write(head.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
                    wire.write(body);
                    batch.add(new String[] {id, post ? "POST" : "GET", close ? "close" : "keep"});
                }
                if (batch.isEmpty()) {
                    return;
                }
                OutputStream out = socket.getOutputStream();
                InputStream in = socket.getInputStream();
                boolean open = true;
                try {
                    out.write(wire.toByteArray());
                    out.flush();
                    SENT.addAndGet(batch.size());
                } catch (IOException e) {
                    open = false; // the proxy closed the connection before the request went out whole
                }
                if (!open) {
                    for (String[] request : batch) {
                        SENT.incrementAndGet();
                        LOST.incrementAndGet();
                        ERRORS.put(request[0], request[1] + " not written");
                    }
                    socket.close();
                    socket = null;
                    continue;
                }
                for (int i = 0; i < batch.size(); i++) {
                    String[] request = batch.get(i);
                    String outcome = readResponse(in, request[0]);
                    if (outcome.equals("ok")) {
                        CORRECT.incrementAndGet();
                        continue;
                    }
                    if (outcome.equals("cut")) {
                        CUT.incrementAndGet();
                        ERRORS.put(request[0], "cut");
                        UNANSWERED.addAndGet(batch.size() - 1 - i);
                        open = false;
                        break;
                    }
                    if (outcome.equals("wrong")) {
                        WRONG.incrementAndGet();
                        LOST.addAndGet(batch.size() - 1 - i); // nothing after a wrong answer can be trusted
                        open = false;
                        break;
                    }
                    if (outcome.equals("lost")) {
                        LOST.addAndGet(batch.size() - i);
                        for (int j = i; j < batch.size(); j++) {
                            ERRORS.put(batch.get(j)[0], batch.get(j)[1] + " lost");
                        }
                        open = false;
                        break;
                    }
                    String kind = request[1] + " " + outcome; // an error status
                    STATUSES.computeIfAbsent(kind, k -> new AtomicLong()).incrementAndGet();
                    ERRORS.put(request[0], kind);
                    if (outcome.endsWith("close")) {
                        UNANSWERED.addAndGet(batch.size() - 1 - i);
                        open = false;
                        break;
                    }
                }
                if (!open || batch.get(batch.size() - 1)[2].equals("close")) {
                    socket.close();
                    socket = null;
                }
            }
        } catch (IOException e) {
            System.err.println("connection " + conn + ": " + e);
        }
    }

    /**
     * Reads one response: "ok" (2xx carrying the request's id), "cut" (fewer body bytes than announced), "wrong"
     * (another request's id), "lost" (no status line before the connection ended), or "STATUS" / "STATUS close".
     */
    private static String readResponse(InputStream in, String id) throws IOException {
        String head;
        try {
            head = readHead(in);
        } catch (SocketTimeoutException e) {
            return "lost";
        } catch (IOException e) {
            return "lost";
        }
        if (head == null) {
            return "lost";
        }
        int status = Integer.parseInt(head.substring(9, 12));
        String length = field(head, "content-length");
        byte[] body;
        try {
            body = in.readNBytes(length == null ? 0 : Integer.parseInt(length));
        } catch (IOException e) {
            return "cut";
        }
        if (length != null && body.length < Integer.parseInt(length)) {
            return "cut";
        }
        String echoed = field(head, "x-request-id");
        if (echoed != null && !echoed.equals(id)) {
            return "wrong";
        }
        boolean close = "close".equalsIgnoreCase(field(head, "connection"));
        if (status / 100 == 2) {
            return echoed != null && new String(body, StandardCharsets.ISO_8859_1).equals(id) ? "ok" : "wrong";
        }
        return status + (close ? " close" : "");
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream(256);
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                return null; // no head, or half of one: the connection ended before an answer
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

    /** Every request id the upstreams logged: method, the faults of its readings ("a+b"), how many times read. */
    private static Map<String, String[]> readLogs(String[] args, int from) throws IOException {
        Map<String, String[]> seen = new HashMap<>();
        for (int i = from; i < args.length; i++) {
            for (String line : Files.readAllLines(Path.of(args[i]))) {
                String[] f = line.split(" ");
                if (f.length < 3) {
                    continue;
                }
                String[] previous = seen.get(f[1]);
                int times = previous == null ? 1 : Integer.parseInt(previous[2]) + 1;
                String faults = previous == null ? f[2] : previous[1] + "+" + f[2];
                seen.put(f[1], new String[] {f[0], faults, Integer.toString(times)});
            }
        }
        return seen;
    }
}
