package dev.sluice.internal.proxy;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A raw-socket upstream for the streaming tests: every accepted connection runs the test's {@link Script} on a
 * thread of its own with the socket's streams at hand, so a test can send more bytes than it could hold, pace
 * events one by one, stall, reset, or speak another protocol after a 101. Bytes written through {@link
 * Conn#out()} are counted across connections ({@link #bytesWritten()}), which shows how far a slow client let the
 * upstream get. Every socket read gives up after {@link #SAFETY_TIMEOUT}; {@link #close()} closes every socket.
 */
final class StreamUpstream implements AutoCloseable {

    static final Duration SAFETY_TIMEOUT = Duration.ofSeconds(20);

    /** What the upstream does with one connection. */
    @FunctionalInterface
    interface Script {
        void serve(Conn conn) throws Exception;
    }

    private final ServerSocket server;
    private final Script script;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    private final List<Throwable> failures = new CopyOnWriteArrayList<>();
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicLong written = new AtomicLong();
    private final Thread acceptor;
    private volatile boolean closed;

    private StreamUpstream(Script script) throws IOException {
        this.script = script;
        this.server = new ServerSocket(0, 64, InetAddress.getLoopbackAddress());
        this.acceptor = new Thread(this::acceptLoop, "stream-upstream-" + server.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    static StreamUpstream start(Script script) throws IOException {
        return new StreamUpstream(script);
    }

    String address() {
        return "127.0.0.1:" + server.getLocalPort();
    }

    InetSocketAddress socketAddress() {
        return (InetSocketAddress) server.getLocalSocketAddress();
    }

    int connectionsAccepted() {
        return accepted.get();
    }

    /** Bytes the scripts wrote through {@link Conn#out()}, all connections together. */
    long bytesWritten() {
        return written.get();
    }

    /** What the scripts threw, other than the socket errors of a closing test. */
    List<Throwable> failures() {
        return failures;
    }

    private void acceptLoop() {
        while (!closed) {
            Socket socket;
            try {
                socket = server.accept();
            } catch (IOException e) {
                return;
            }
            accepted.incrementAndGet();
            sockets.add(socket);
            Thread thread = new Thread(() -> run(socket), acceptor.getName() + "-conn-" + accepted.get());
            thread.setDaemon(true);
            threads.add(thread);
            thread.start();
        }
    }

    private void run(Socket socket) {
        try (socket) {
            socket.setSoTimeout((int) SAFETY_TIMEOUT.toMillis());
            socket.setTcpNoDelay(true);
            script.serve(new Conn(socket, written));
        } catch (Exception | AssertionError e) {
            if (!closed) {
                failures.add(e);
            }
        } finally {
            sockets.remove(socket);
        }
    }

    @Override
    public void close() throws Exception {
        closed = true;
        server.close();
        for (Socket socket : sockets) {
            socket.close();
        }
        acceptor.join(5000);
        for (Thread thread : threads) {
            thread.join(5000);
        }
    }

    /** A request head as received: the request line and the fields, in order. */
    record Head(String method, String target, String version, List<Map.Entry<String, String>> fields, String raw) {

        /** The value of the first field named {@code name} (any case), or null. */
        String field(String name) {
            for (Map.Entry<String, String> f : fields) {
                if (f.getKey().equalsIgnoreCase(name)) {
                    return f.getValue();
                }
            }
            return null;
        }

        boolean chunked() {
            String te = field("Transfer-Encoding");
            return te != null && te.toLowerCase(Locale.ROOT).contains("chunked");
        }

        long contentLength() {
            String cl = field("Content-Length");
            return cl == null ? 0 : Long.parseLong(cl.trim());
        }
    }

    /** One connection of the upstream, as its script sees it. */
    static final class Conn {

        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;

        Conn(Socket socket, AtomicLong written) throws IOException {
            this.socket = socket;
            this.in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
            OutputStream raw = socket.getOutputStream();
            this.out = new OutputStream() {
                @Override
                public void write(int b) throws IOException {
                    raw.write(b);
                    written.incrementAndGet();
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    raw.write(b, off, len);
                    written.addAndGet(len);
                }

                @Override
                public void flush() throws IOException {
                    raw.flush();
                }
            };
        }

        Socket socket() {
            return socket;
        }

        InputStream in() {
            return in;
        }

        OutputStream out() {
            return out;
        }

        /** Reads a request head; null when the connection ends first. */
        Head readHead() throws IOException {
            StringBuilder raw = new StringBuilder();
            String line = readLine(raw);
            if (line == null) {
                return null;
            }
            String[] parts = line.split(" ", 3);
            List<Map.Entry<String, String>> fields = new ArrayList<>();
            for (String field = readLine(raw); field != null && !field.isEmpty(); field = readLine(raw)) {
                int colon = field.indexOf(':');
                fields.add(Map.entry(field.substring(0, colon), field.substring(colon + 1).trim()));
            }
            return new Head(parts[0], parts[1], parts[2], List.copyOf(fields), raw.toString());
        }

        /**
         * Reads the body of {@code head} and hands every byte of it, framing included, to {@code raw} and every
         * payload byte to {@code payload} (either may be null); returns the payload length.
         */
        long readBody(Head head, OutputStream raw, OutputStream payload) throws IOException {
            if (head.chunked()) {
                return StreamFixtures.readChunked(in, raw, payload);
            }
            long n = head.contentLength();
            byte[] buffer = new byte[64 * 1024];
            for (long left = n; left > 0;) {
                int r = in.read(buffer, 0, (int) Math.min(buffer.length, left));
                if (r < 0) {
                    throw new EOFException("end of stream with " + left + " body bytes to come");
                }
                if (raw != null) {
                    raw.write(buffer, 0, r);
                }
                if (payload != null) {
                    payload.write(buffer, 0, r);
                }
                left -= r;
            }
            return n;
        }

        /** Writes ASCII text. */
        void send(String text) throws IOException {
            out.write(text.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }

        /** A line without its CRLF (the raw line, CRLF included, is appended to {@code raw}); null at the end. */
        private String readLine(StringBuilder raw) throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            for (;;) {
                int b = in.read();
                if (b < 0) {
                    return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
                }
                raw.append((char) b);
                if (b == '\n') {
                    String text = line.toString(StandardCharsets.ISO_8859_1);
                    return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
                }
                line.write(b);
            }
        }
    }
}
