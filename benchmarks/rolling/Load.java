import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The rolling-deploy benchmark's client: a fixed rate of requests, half GET and half POST (a small body the upstream
 * echoes), over CONNS keep-alive HTTP/1.1 connections, each request counted. A request fails when its answer is not
 * 2xx, its body is not the expected one, or the connection breaks or times out before the whole answer came. The
 * client never retries: a failure is what a client without retries would have seen. After an error the connection
 * is closed and the next request opens a new one.
 *
 * <p>Run: {@code java Load.java HOST:PORT RATE CONNS STOP_FILE MAX_SECONDS TIMEOUT_MS OUT_PREFIX}. It sends until
 * STOP_FILE exists (or MAX_SECONDS pass), waits for the answers in flight, and writes OUT_PREFIX.failures (one line
 * per failed request: epoch ms at the failure, method, kind, latency ms, epoch ms when it was sent, request id, detail),
 * OUT_PREFIX.seconds (per second: sent, failed, served by each upstream) and prints the totals as {@code key=value}
 * lines. The request id (cCONN-N) is also in the request's URI, so the proxy's access log line can be found.
 */
public final class Load {

    private static final String[] METHODS = {"GET", "POST"};

    private final String host;
    private final int port;
    private final long intervalNanos;
    private final int timeoutMs;
    private volatile boolean stop;
    private final long startMillis = System.currentTimeMillis();

    private final LongAdder[] sent = {new LongAdder(), new LongAdder()};
    private final LongAdder[] ok = {new LongAdder(), new LongAdder()};
    private final LongAdder[] failed = {new LongAdder(), new LongAdder()};
    private final AtomicLong[] maxLatencyMs = {new AtomicLong(), new AtomicLong()};
    private final Map<String, LongAdder> failuresByKind = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> servedBy = new ConcurrentHashMap<>();
    /** Per second since the start: "sent failed" and the upstreams that answered. */
    private final Map<Long, LongAdder> sentPerSecond = new ConcurrentHashMap<>();
    private final Map<Long, LongAdder> failedPerSecond = new ConcurrentHashMap<>();
    private final Map<Long, Map<String, LongAdder>> servedPerSecond = new ConcurrentHashMap<>();
    private final List<String> failureLines = new ArrayList<>();

    private Load(String host, int port, int rate, int conns, int timeoutMs) {
        this.host = host;
        this.port = port;
        this.intervalNanos = 1_000_000_000L * conns / rate;
        this.timeoutMs = timeoutMs;
    }

    public static void main(String[] args) throws Exception {
        String[] target = args[0].split(":");
        int rate = Integer.parseInt(args[1]);
        int conns = Integer.parseInt(args[2]);
        Path stopFile = Path.of(args[3]);
        long maxSeconds = Long.parseLong(args[4]);
        int timeoutMs = Integer.parseInt(args[5]);
        String out = args[6];
        Load load = new Load(target[0], Integer.parseInt(target[1]), rate, conns, timeoutMs);
        List<Thread> threads = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int i = 0; i < conns; i++) {
            int c = i;
            long first = t0 + 1_000_000_000L * i / rate; // connections take turns: an even spread of sends
            Thread t = new Thread(() -> load.run(c, first), "conn-" + i);
            t.start();
            threads.add(t);
        }
        long deadline = t0 + maxSeconds * 1_000_000_000L;
        while (!Files.exists(stopFile) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        load.stop = true;
        for (Thread t : threads) {
            t.join(timeoutMs + 5_000L);
        }
        load.report(out);
    }

    /** One connection's loop: a request every intervalNanos, GET and POST in turn. */
    private void run(int conn, long first) {
        Connection socket = null;
        long next = first;
        for (long n = 0; !stop; n++) {
            long wait = next - System.nanoTime();
            if (wait > 0) {
                sleepNanos(wait);
            } else if (wait < -1_000_000_000L) {
                next = System.nanoTime(); // more than a second behind: start the schedule again, no burst
            }
            next += intervalNanos;
            if (stop) {
                break;
            }
            int m = (int) ((n + conn) % 2);
            sent[m].increment();
            second(sentPerSecond).increment();
            long began = System.nanoTime();
            long beganMillis = System.currentTimeMillis(); // the wall clock, as the script's events are written
            String failure;
            try {
                if (socket == null) {
                    socket = connect();
                }
                Outcome outcome = exchange(socket, METHODS[m], conn, n);
                failure = outcome.failure;
                if (outcome.close) {
                    closeQuietly(socket);
                    socket = null;
                }
                if (outcome.upstream != null) {
                    servedBy.computeIfAbsent(outcome.upstream, k -> new LongAdder()).increment();
                    servedPerSecond.computeIfAbsent(secondNow(), k -> new ConcurrentHashMap<>())
                            .computeIfAbsent(outcome.upstream, k -> new LongAdder()).increment();
                }
            } catch (IOException | RuntimeException e) {
                failure = classify(e);
                closeQuietly(socket);
                socket = null;
            }
            long latencyMs = (System.nanoTime() - began) / 1_000_000;
            maxLatencyMs[m].accumulateAndGet(latencyMs, Math::max);
            if (failure == null) {
                ok[m].increment();
            } else {
                failed[m].increment();
                second(failedPerSecond).increment();
                String kind = failure.split(" ", 2)[0];
                failuresByKind.computeIfAbsent(METHODS[m] + " " + kind, k -> new LongAdder()).increment();
                synchronized (failureLines) {
                    failureLines.add(System.currentTimeMillis() + " " + METHODS[m] + " " + kind + " " + latencyMs
                            + " " + beganMillis + " c" + conn + "-" + n + " " + failure);
                }
            }
        }
        closeQuietly(socket);
    }

    private record Outcome(String failure, boolean close, String upstream) {
    }

    /** A keep-alive connection and its buffered input, kept from one answer to the next (no pipelining). */
    private record Connection(Socket socket, InputStream in, OutputStream out) {
    }

    private Connection connect() throws IOException {
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(host, port), timeoutMs);
            socket.setSoTimeout(timeoutMs);
            return new Connection(socket, new BufferedInputStream(socket.getInputStream(), 8192),
                    socket.getOutputStream());
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    /** Sends one request and reads its answer; a null failure means a 2xx with the expected body. */
    private Outcome exchange(Connection connection, String method, int conn, long n) throws IOException {
        String id = "c" + conn + "-" + n;
        byte[] body = ("rolling-deploy payload " + id + " 0123456789abcdefghijklmnopqrstuvwxyz\n")
                .getBytes(StandardCharsets.ISO_8859_1);
        String head = method.equals("POST")
                ? "POST /echo?id=" + id + " HTTP/1.1\r\nHost: rolling\r\nContent-Type: text/plain\r\nContent-Length: "
                        + body.length + "\r\n\r\n"
                : "GET /item?id=" + id + " HTTP/1.1\r\nHost: rolling\r\n\r\n";
        OutputStream out = connection.out();
        try {
            out.write(head.getBytes(StandardCharsets.ISO_8859_1));
            if (method.equals("POST")) {
                out.write(body);
            }
            out.flush();
        } catch (IOException e) {
            throw new IOException("write-error " + e.getMessage(), e);
        }
        InputStream in = connection.in();
        String statusLine = readLine(in, true);
        String[] parts = statusLine.split(" ", 3);
        int status = parts.length >= 2 ? Integer.parseInt(parts[1]) : 0;
        long length = -1;
        boolean chunked = false;
        boolean close = statusLine.startsWith("HTTP/1.0");
        String upstream = null;
        for (String line = readLine(in, false); !line.isEmpty(); line = readLine(in, false)) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = line.substring(colon + 1).trim();
            switch (name) {
                case "content-length" -> length = Long.parseLong(value);
                case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
                case "connection" -> close |= value.equalsIgnoreCase("close");
                case "x-upstream" -> upstream = value;
                default -> { }
            }
        }
        byte[] answer = chunked ? readChunked(in) : length >= 0 ? readExactly(in, length) : readToEnd(in);
        if (!chunked && length < 0) {
            close = true;
        }
        String failure = null;
        if (status < 200 || status > 299) {
            failure = "status-" + status;
        } else if (method.equals("POST") ? !java.util.Arrays.equals(answer, body)
                : !new String(answer, StandardCharsets.ISO_8859_1).startsWith("ok ")) {
            failure = "bad-body";
        }
        return new Outcome(failure, close, upstream);
    }

    /** The kind of an I/O failure, as the first word; then what happened. */
    private static String classify(Exception e) {
        String message = String.valueOf(e.getMessage());
        if (message.startsWith("write-error") || message.startsWith("closed-")) {
            return message;
        }
        if (e instanceof SocketTimeoutException) {
            return "timeout " + message;
        }
        if (e instanceof ConnectException) {
            return "connect-error " + message;
        }
        if (e instanceof SocketException && message.toLowerCase(Locale.ROOT).contains("reset")) {
            return "reset " + message;
        }
        if (e instanceof RuntimeException) {
            return "bad-response " + e;
        }
        return "io-error " + e.getClass().getSimpleName() + ": " + message;
    }

    private static String readLine(InputStream in, boolean first) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(64);
        while (true) {
            int b = in.read();
            if (b < 0) {
                // A close before the first byte of the answer is the keep-alive race (or a proxy that gave up);
                // a close after it, an answer cut short.
                throw new EOFException(first && line.size() == 0 ? "closed-before-response"
                        : "closed-mid-response in the head");
            }
            if (b == '\n') {
                String s = line.toString(StandardCharsets.ISO_8859_1);
                return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
            }
            line.write(b);
        }
    }

    private static byte[] readExactly(InputStream in, long length) throws IOException {
        byte[] bytes = in.readNBytes((int) length);
        if (bytes.length < length) {
            throw new EOFException("closed-mid-response after " + bytes.length + " of " + length + " body bytes");
        }
        return bytes;
    }

    private static byte[] readChunked(InputStream in) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String sizeLine = readLine(in, false);
            int semicolon = sizeLine.indexOf(';');
            int size = Integer.parseInt((semicolon >= 0 ? sizeLine.substring(0, semicolon) : sizeLine).trim(), 16);
            if (size == 0) {
                while (!readLine(in, false).isEmpty()) {
                    // trailers
                }
                return body.toByteArray();
            }
            body.write(readExactly(in, size));
            readLine(in, false);
        }
    }

    private static byte[] readToEnd(InputStream in) throws IOException {
        return in.readAllBytes();
    }

    private long secondNow() {
        return (System.currentTimeMillis() - startMillis) / 1000;
    }

    private LongAdder second(Map<Long, LongAdder> perSecond) {
        return perSecond.computeIfAbsent(secondNow(), k -> new LongAdder());
    }

    private void report(String out) throws IOException {
        synchronized (failureLines) {
            failureLines.sort(null);
            Files.write(Path.of(out + ".failures"), failureLines);
        }
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(Path.of(out + ".seconds")))) {
            w.println("# second since start (" + startMillis + " epoch ms): sent failed served-by-upstream...");
            for (long s : new TreeMap<>(sentPerSecond).keySet()) {
                StringBuilder line = new StringBuilder().append(s).append(' ').append(sentPerSecond.get(s).sum())
                        .append(' ').append(failedPerSecond.getOrDefault(s, new LongAdder()).sum());
                new TreeMap<>(servedPerSecond.getOrDefault(s, Map.of()))
                        .forEach((u, count) -> line.append(' ').append(u).append('=').append(count.sum()));
                w.println(line);
            }
        }
        long seconds = Math.max(1, (System.currentTimeMillis() - startMillis) / 1000);
        StringBuilder sb = new StringBuilder();
        sb.append("seconds=").append(seconds).append('\n');
        for (int m = 0; m < 2; m++) {
            String k = METHODS[m].toLowerCase(Locale.ROOT);
            sb.append("sent_").append(k).append('=').append(sent[m].sum()).append('\n');
            sb.append("ok_").append(k).append('=').append(ok[m].sum()).append('\n');
            sb.append("failed_").append(k).append('=').append(failed[m].sum()).append('\n');
            sb.append("max_latency_ms_").append(k).append('=').append(maxLatencyMs[m].get()).append('\n');
        }
        new TreeMap<>(failuresByKind).forEach((k, v) -> sb.append("failures ").append(k).append('=')
                .append(v.sum()).append('\n'));
        new TreeMap<>(servedBy).forEach((k, v) -> sb.append("served_by ").append(k).append('=')
                .append(v.sum()).append('\n'));
        System.out.print(sb);
    }

    private static void sleepNanos(long nanos) {
        try {
            Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(Connection connection) {
        if (connection != null) {
            try {
                connection.socket().close();
            } catch (IOException e) {
                // already closed
            }
        }
    }
}
