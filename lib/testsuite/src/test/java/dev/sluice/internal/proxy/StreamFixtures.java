package dev.sluice.internal.proxy;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.ClientLimits;
import dev.sluice.Route;
import dev.sluice.internal.net.EventLoopGroup;
import dev.sluice.observe.ExchangeListener;
import dev.sluice.testing.Upstreams;
import dev.sluice.upstream.Ticker;
import dev.sluice.upstream.UpstreamGroup;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * What the streaming tests share: a proxy started straight from {@link ProxyEngine} so that a test can read its
 * {@link BufferMeter}, bytes generated from their offset (never held whole), SHA-256 digests, and a raw client
 * that reads a response head and then streams its body.
 */
final class StreamFixtures {

    static final long MIB = 1L << 20;

    private StreamFixtures() {
    }

    // ---------------------------------------------------------------- the proxy

    /** A proxy of one event loop with one route "/" to {@code servers}, and its meter. */
    static final class StreamingProxy implements AutoCloseable {

        private final ProxyEngine engine;

        private StreamingProxy(ProxyEngine engine) {
            this.engine = engine;
        }

        static StreamingProxy start(Upstreams upstreams, Consumer<Route.Builder> route, ClientLimits limits,
                String... servers) throws IOException {
            return start(upstreams, route, limits, List.of(), servers);
        }

        static StreamingProxy start(Upstreams upstreams, Consumer<Route.Builder> route, ClientLimits limits,
                List<ExchangeListener> listeners, String... servers) throws IOException {
            UpstreamGroup.Builder group = UpstreamGroup.builder("backend");
            for (String server : servers) {
                group.server(server);
            }
            return start(upstreams, group.build(), route, limits, listeners);
        }

        static StreamingProxy start(Upstreams upstreams, UpstreamGroup group, Consumer<Route.Builder> route,
                ClientLimits limits, List<ExchangeListener> listeners) throws IOException {
            Route.Builder r = Route.builder("/").upstream(group);
            route.accept(r);
            ProxyEngine engine = ProxyEngine.start(List.of(new InetSocketAddress("127.0.0.1", 0)), Map.of(), EventLoopGroup.builder().threads(1),
                    Ticker.system(), List.of(r.build()), null, List.of(), limits, listeners, Map.of());
            return upstreams.manage(new StreamingProxy(engine));
        }

        int port() {
            return engine.addresses().get(0).getPort();
        }

        BufferMeter meter() {
            return engine.meter();
        }

        void shutdown(Duration grace) {
            engine.shutdown(grace);
        }

        @Override
        public void close() {
            engine.shutdown(Duration.ofSeconds(2));
        }
    }

    /** nginx's client limits with a body buffer, a temporary directory, a body limit and a body timeout of choice. */
    static ClientLimits limits(int bodyBufferSize, Path tempPath, long maxBodySize, Duration bodyTimeout) {
        ClientLimits d = ClientLimits.DEFAULTS;
        return new ClientLimits(d.headerTimeout(), bodyTimeout, d.sendTimeout(), d.keepaliveTimeout(),
                d.keepaliveRequests(), maxBodySize, d.maxRequestLine(), d.maxHeaderSize(), d.lingeringTimeout(),
                d.lingeringTime(), bodyBufferSize, tempPath, d.underscoresInHeaders(), d.ignoreInvalidHeaders());
    }

    /** nginx's client limits, request bodies of any size, temporary files in {@code tempPath}. */
    static ClientLimits limits(Path tempPath) {
        return limits(ClientLimits.DEFAULTS.bodyBufferSize(), tempPath, 0, ClientLimits.DEFAULTS.bodyTimeout());
    }

    // ---------------------------------------------------------------- bytes

    /** Fills {@code dst} with the bytes at {@code offset} of an endless, aperiodic stream any side can regenerate. */
    static void fill(long offset, byte[] dst, int from, int length) {
        int i = 0;
        while (i < length) {
            long at = offset + i;
            long word = mix(at >>> 3);
            for (int k = (int) (at & 7); k < 8 && i < length; k++, i++) {
                dst[from + i] = (byte) (word >>> (k << 3));
            }
        }
    }

    private static long mix(long z) {
        z = (z + 0x9E3779B97F4A7C15L) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Writes {@code length} generated bytes to {@code out}, through {@code digest} too. */
    static void send(OutputStream out, long length, MessageDigest digest) throws IOException {
        byte[] block = new byte[64 * 1024];
        for (long at = 0; at < length; at += block.length) {
            int n = (int) Math.min(block.length, length - at);
            fill(at, block, 0, n);
            digest.update(block, 0, n);
            out.write(block, 0, n);
        }
        out.flush();
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    static String hex(MessageDigest digest) {
        return HexFormat.of().formatHex(digest.digest());
    }

    /** An output stream that feeds a digest and counts. */
    static final class DigestSink extends OutputStream {

        final MessageDigest digest = sha256();
        long count;

        @Override
        public void write(int b) {
            digest.update((byte) b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            digest.update(b, off, len);
            count += len;
        }

        String hex() {
            return StreamFixtures.hex(digest);
        }
    }

    // ---------------------------------------------------------------- a raw client

    /** A client socket to the proxy with a read timeout that keeps a failing test short. */
    static Socket connect(int port, int receiveBuffer) throws IOException {
        Socket socket = new Socket();
        if (receiveBuffer > 0) {
            socket.setReceiveBufferSize(receiveBuffer);
        }
        socket.connect(new InetSocketAddress("127.0.0.1", port), 3000);
        socket.setSoTimeout(10_000);
        socket.setTcpNoDelay(true);
        return socket;
    }

    /** Reads a response head (through its blank line) byte by byte, so the body is left in the stream. */
    static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("end of stream in a response head: " + head.toString(StandardCharsets.ISO_8859_1));
            }
            head.write(b);
            matched = b == (matched % 2 == 0 ? '\r' : '\n') ? matched + 1 : b == '\r' ? 1 : 0;
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    /** The value of field {@code name} in a raw head, or null. */
    static String field(String head, String name) {
        for (String line : head.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).equalsIgnoreCase(name)) {
                return line.substring(colon + 1).trim();
            }
        }
        return null;
    }

    static int status(String head) {
        return Integer.parseInt(head.substring(9, 12));
    }

    /** Reads exactly {@code length} bytes into {@code sink}. */
    static void readExactly(InputStream in, long length, OutputStream sink) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        long left = length;
        while (left > 0) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
            if (n < 0) {
                throw new EOFException(left + " bytes short");
            }
            sink.write(buffer, 0, n);
            left -= n;
        }
    }

    /**
     * Reads a chunked body from {@code in}: every byte, framing included, to {@code raw} and the payload to {@code
     * payload} (either may be null); the payload length.
     */
    static long readChunked(InputStream in, OutputStream raw, OutputStream payload) throws IOException {
        long total = 0;
        byte[] buffer = new byte[64 * 1024];
        for (;;) {
            String size = readLine(in, raw);
            int semicolon = size.indexOf(';');
            long n = Long.parseLong((semicolon < 0 ? size : size.substring(0, semicolon)).trim(), 16);
            if (n == 0) {
                while (!readLine(in, raw).isEmpty()) {
                    // trailer fields
                }
                return total;
            }
            for (long left = n; left > 0;) {
                int r = in.read(buffer, 0, (int) Math.min(buffer.length, left));
                if (r < 0) {
                    throw new EOFException(left + " bytes short in a chunk");
                }
                if (raw != null) {
                    raw.write(buffer, 0, r);
                }
                if (payload != null) {
                    payload.write(buffer, 0, r);
                }
                left -= r;
            }
            total += n;
            readLine(in, raw);
        }
    }

    /** A line without its CRLF; the raw line, CRLF included, goes to {@code raw} (may be null). */
    static String readLine(InputStream in, OutputStream raw) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (;;) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("end of stream in a line: " + line.toString(StandardCharsets.ISO_8859_1));
            }
            if (raw != null) {
                raw.write(b);
            }
            if (b == '\n') {
                String text = line.toString(StandardCharsets.ISO_8859_1);
                return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
            }
            line.write(b);
        }
    }

    /** Reads until the end of the stream; the bytes read. */
    static String readToEnd(InputStream in) throws IOException {
        return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
    }

    static String lower(String s) {
        return s == null ? null : s.toLowerCase(Locale.ROOT);
    }

    /** Waits until {@code condition} holds, polling, for at most {@code timeout}; fails with {@code what} else. */
    static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting until " + what);
            Thread.sleep(5);
        }
    }
}
