package dev.sluice.testing;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A tiny raw-socket HTTP/1.1 client for tests that must control every byte: request smuggling attempts,
 * pipelining, malformed requests, half-closes. It sends exactly the bytes it is given and reads responses
 * back with their raw bytes, and it tells a peer's orderly close (EOF) apart from a reset.
 *
 * <pre>{@code
 * try (RawClient client = RawClient.connect(proxyPort)) {
 *     client.send("GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n");
 *     assertEquals(200, client.readResponse().status());
 *     assertEquals(200, client.readResponse().status());
 *     assertEquals(RawClient.End.TIMEOUT, client.readUntilClose(Duration.ofMillis(100)).end());
 * }
 * }</pre>
 *
 * <p>Reads give up after the client's timeout (5 seconds unless {@link #timeout(Duration) changed}).
 */
public final class RawClient implements AutoCloseable {

    /** How a {@link #readUntilClose} ended. */
    public enum End {
        /** The peer closed its side in order (FIN): end of stream. */
        EOF,
        /** The peer reset the connection (RST). */
        RESET,
        /** The deadline passed with the connection still open. */
        TIMEOUT
    }

    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

    private final Socket socket;
    private final Wire.Reader reader;
    private final OutputStream out;
    private Duration timeout = DEFAULT_TIMEOUT;

    private RawClient(Socket socket) throws IOException {
        this.socket = socket;
        this.reader = new Wire.Reader(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    /** Connects to 127.0.0.1 on the given port. */
    public static RawClient connect(int port) throws IOException {
        return connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
    }

    /** Connects to the given address. */
    public static RawClient connect(InetSocketAddress address) throws IOException {
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.connect(address, (int) DEFAULT_TIMEOUT.toMillis());
            socket.setSoTimeout((int) DEFAULT_TIMEOUT.toMillis());
            return new RawClient(socket);
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    /**
     * A client on a socket already connected, such as one of a {@link MemoryNetwork}; reads time out as after
     * {@link #connect}, and closing this client closes the socket.
     */
    public static RawClient over(Socket connected) throws IOException {
        connected.setSoTimeout((int) DEFAULT_TIMEOUT.toMillis());
        return new RawClient(connected);
    }

    /** A minimal {@code GET target HTTP/1.1} request with {@code Host: localhost}, as text to {@link #send}. */
    public static String get(String target) {
        return "GET " + target + " HTTP/1.1\r\nHost: localhost\r\n\r\n";
    }

    /** Sets how long a single read may block before {@link SocketTimeoutException}. */
    public RawClient timeout(Duration timeout) throws SocketException {
        this.timeout = timeout;
        socket.setSoTimeout(millis(timeout));
        return this;
    }

    /** Sends exactly these bytes. */
    public RawClient send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
        return this;
    }

    /** Sends the text's ISO-8859-1 bytes (so {@code "\r\n"} is CRLF and nothing is added). */
    public RawClient send(String text) throws IOException {
        return send(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Half-closes: sends FIN while still reading. */
    public RawClient shutdownOutput() throws IOException {
        socket.shutdownOutput();
        return this;
    }

    /**
     * Reads the next response, interim (1xx) responses included, framing the body by Content-Length,
     * chunked coding, or end of stream.
     *
     * @throws EOFException if the peer closed before a complete response
     * @throws SocketException if the peer reset the connection ({@link #isReset(IOException)} tells)
     * @throws ProtocolException if the response is malformed
     * @throws SocketTimeoutException if the peer went quiet for longer than the timeout
     */
    public Reply readResponse() throws IOException {
        return read(false);
    }

    /** Reads the next response to a HEAD request: never a body, whatever the headers say. */
    public Reply readHeadResponse() throws IOException {
        return read(true);
    }

    private Reply read(boolean headRequest) throws IOException {
        reader.startCapture();
        try {
            String statusLine = reader.readLine(Wire.MAX_LINE);
            if (statusLine == null) {
                throw new EOFException("connection closed before a response");
            }
            String[] parts = statusLine.split(" ", 3);
            if (parts.length < 2 || !parts[0].startsWith("HTTP/") || !parts[1].matches("\\d{3}")) {
                throw new ProtocolException("malformed status line: " + statusLine);
            }
            int status = Integer.parseInt(parts[1]);
            List<Map.Entry<String, String>> fields = new ArrayList<>();
            Wire.readFields(reader, fields, Wire.MAX_HEAD);
            Map<String, List<String>> headers = Wire.multimap(fields);
            List<Map.Entry<String, String>> trailers = new ArrayList<>();
            List<String> transferEncoding = headers.getOrDefault("Transfer-Encoding", List.of());
            byte[] body;
            boolean chunked = false;
            if (headRequest || status / 100 == 1 || status == 204 || status == 304) {
                body = new byte[0];
            } else if (!transferEncoding.isEmpty()) {
                chunked = Wire.lastCodingIsChunked(transferEncoding);
                body = chunked ? Wire.readChunked(reader, trailers, Wire.MAX_BODY) : readToEnd();
            } else {
                long length = Wire.contentLength(headers.getOrDefault("Content-Length", List.of()));
                body = length >= 0 ? reader.readExactly(length) : readToEnd();
            }
            return new Reply(parts[0], status, parts.length > 2 ? parts[2] : "", fields, trailers, body,
                    reader.stopCapture(), chunked);
        } finally {
            reader.stopCapture();
        }
    }

    private byte[] readToEnd() throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (reader.readSome(body)) {
            if (body.size() > Wire.MAX_BODY) {
                throw new ProtocolException("body larger than " + Wire.MAX_BODY + " bytes");
            }
        }
        return body.toByteArray();
    }

    /**
     * Reads everything until the peer closes (FIN), resets (RST) or {@code timeout} passes, whichever comes
     * first, and returns the bytes with how it ended. Never throws for any of the three.
     */
    public Received readUntilClose(Duration timeout) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (true) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return new Received(bytes.toByteArray(), End.TIMEOUT);
                }
                if (reader.buffered() == 0) {
                    socket.setSoTimeout((int) Math.max(1, left / 1_000_000));
                }
                if (!reader.readSome(bytes)) {
                    return new Received(bytes.toByteArray(), End.EOF);
                }
            }
        } catch (SocketTimeoutException e) {
            return new Received(bytes.toByteArray(), End.TIMEOUT);
        } catch (SocketException e) {
            if (Wire.isReset(e)) {
                return new Received(bytes.toByteArray(), End.RESET);
            }
            throw e;
        } finally {
            if (!socket.isClosed()) {
                socket.setSoTimeout(millis(this.timeout));
            }
        }
    }

    /** Whether an exception from this client means the peer reset the connection. */
    public static boolean isReset(IOException e) {
        return e instanceof SocketException && Wire.isReset((SocketException) e);
    }

    /** The local (source) port, which identifies this connection in a {@link RecordedRequest#clientPort()}. */
    public int localPort() {
        return socket.getLocalPort();
    }

    /** Closes the connection (FIN). */
    @Override
    public void close() throws IOException {
        socket.close();
    }

    private static int millis(Duration duration) {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, duration.toMillis()));
    }

    /** Bytes read by {@link #readUntilClose} and how the read ended. */
    public static final class Received {
        private final byte[] bytes;
        private final End end;

        Received(byte[] bytes, End end) {
            this.bytes = bytes;
            this.end = end;
        }

        /** Everything read. */
        public byte[] bytes() {
            return bytes.clone();
        }

        /** Everything read, as ISO-8859-1 text. */
        public String string() {
            return new String(bytes, StandardCharsets.ISO_8859_1);
        }

        /** How the read ended. */
        public End end() {
            return end;
        }

        @Override
        public String toString() {
            return end + " after " + bytes.length + " bytes";
        }
    }

    /** A response read by {@link #readResponse}: parsed parts plus the exact bytes received. */
    public static final class Reply {
        private final String version;
        private final int status;
        private final String reason;
        private final List<Map.Entry<String, String>> headerList;
        private final Map<String, List<String>> headers;
        private final Map<String, List<String>> trailers;
        private final byte[] body;
        private final byte[] raw;
        private final boolean chunked;

        Reply(String version, int status, String reason, List<Map.Entry<String, String>> headerList,
                List<Map.Entry<String, String>> trailers, byte[] body, byte[] raw, boolean chunked) {
            this.version = version;
            this.status = status;
            this.reason = reason;
            this.headerList = List.copyOf(headerList);
            this.headers = Wire.multimap(headerList);
            this.trailers = Wire.multimap(trailers);
            this.body = body;
            this.raw = raw;
            this.chunked = chunked;
        }

        /** The protocol version of the status line, e.g. {@code HTTP/1.1}. */
        public String version() {
            return version;
        }

        /** The status code. */
        public int status() {
            return status;
        }

        /** The reason phrase (may be empty). */
        public String reason() {
            return reason;
        }

        /** Headers as a case-insensitive multimap. */
        public Map<String, List<String>> headers() {
            return headers;
        }

        /** Header fields in arrival order with their original spelling. */
        public List<Map.Entry<String, String>> headerList() {
            return headerList;
        }

        /** The first value of the named header (any case), or null. */
        public String header(String name) {
            List<String> values = headers.get(name);
            return values == null ? null : values.get(0);
        }

        /** Trailer fields of a chunked body, case-insensitive; empty otherwise. */
        public Map<String, List<String>> trailers() {
            return trailers;
        }

        /** The body with any chunked framing removed. */
        public byte[] body() {
            return body.clone();
        }

        /** The body as UTF-8. */
        public String bodyString() {
            return new String(body, StandardCharsets.UTF_8);
        }

        /** The response exactly as received. */
        public byte[] raw() {
            return raw.clone();
        }

        /** The response exactly as received, as ISO-8859-1 text. */
        public String rawString() {
            return new String(raw, StandardCharsets.ISO_8859_1);
        }

        /** Whether the body came with chunked transfer coding. */
        public boolean chunked() {
            return chunked;
        }

        @Override
        public String toString() {
            return version + " " + status + " " + reason + " (" + body.length + " body bytes)";
        }
    }
}
