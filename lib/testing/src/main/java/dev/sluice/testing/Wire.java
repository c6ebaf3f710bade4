package dev.sluice.testing;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.ProtocolException;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * HTTP/1.1 wire plumbing shared by {@link ScriptedUpstream} and {@link RawClient}: a buffered reader that
 * can capture the exact bytes it consumes, head and chunked-body parsing, and socket closing helpers.
 *
 * <p>Malformed input is reported as {@link ProtocolException}; a peer that went away mid-message as
 * {@link EOFException}.
 */
final class Wire {

    static final int MAX_LINE = 1 << 20;
    static final int MAX_HEAD = 1 << 20;
    static final int MAX_BODY = 64 << 20;

    private Wire() {
    }

    /** A buffered reader over a socket stream that optionally records every byte it consumes. */
    static final class Reader {
        private final InputStream in;
        private final byte[] buf = new byte[16 * 1024];
        private int pos;
        private int lim;
        private ByteArrayOutputStream capture;

        Reader(InputStream in) {
            this.in = in;
        }

        /** Bytes already received and buffered but not consumed yet. */
        int buffered() {
            return lim - pos;
        }

        /** Makes sure at least one byte is buffered, blocking if needed; false at end of stream. */
        boolean fill() throws IOException {
            if (pos < lim) {
                return true;
            }
            int n = in.read(buf, 0, buf.length);
            if (n < 0) {
                return false;
            }
            pos = 0;
            lim = n;
            return true;
        }

        void startCapture() {
            capture = new ByteArrayOutputStream();
        }

        byte[] stopCapture() {
            byte[] bytes = capture == null ? new byte[0] : capture.toByteArray();
            capture = null;
            return bytes;
        }

        private void consume(int from, int to, ByteArrayOutputStream sink) {
            if (sink != null) {
                sink.write(buf, from, to - from);
            }
            if (capture != null) {
                capture.write(buf, from, to - from);
            }
            pos = to;
        }

        /**
         * Reads one line up to and including its LF and returns it without the line terminator (CRLF or a
         * bare LF). Returns null at end of stream before any byte of the line.
         */
        String readLine(int maxLength) throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            while (true) {
                if (!fill()) {
                    if (line.size() == 0) {
                        return null;
                    }
                    throw new EOFException("connection closed in the middle of a line");
                }
                int i = pos;
                while (i < lim && buf[i] != '\n') {
                    i++;
                }
                boolean found = i < lim;
                consume(pos, found ? i + 1 : lim, line);
                if (line.size() > maxLength + 2) {
                    throw new ProtocolException("line longer than " + maxLength + " bytes");
                }
                if (found) {
                    break;
                }
            }
            byte[] bytes = line.toByteArray();
            int end = bytes.length - 1;
            if (end > 0 && bytes[end - 1] == '\r') {
                end--;
            }
            return new String(bytes, 0, end, StandardCharsets.ISO_8859_1);
        }

        /** Reads exactly n bytes or throws {@link EOFException}. */
        byte[] readExactly(long n) throws IOException {
            ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(n, 1 << 16));
            long left = n;
            while (left > 0) {
                if (!fill()) {
                    throw new EOFException("connection closed after " + (n - left) + " of " + n + " bytes");
                }
                int take = (int) Math.min(left, lim - pos);
                consume(pos, pos + take, out);
                left -= take;
            }
            return out.toByteArray();
        }

        /** Reads whatever is available (at least one byte, blocking) into out; false at end of stream. */
        boolean readSome(ByteArrayOutputStream out) throws IOException {
            if (!fill()) {
                return false;
            }
            consume(pos, lim, out);
            return true;
        }
    }

    /**
     * Reads header (or trailer) field lines up to and including the empty line that ends them, appending
     * each field to {@code fields} as it is parsed so a caller still has the good ones if a later line is
     * malformed.
     */
    static void readFields(Reader reader, List<Map.Entry<String, String>> fields, int maxBytes)
            throws IOException {
        int total = 0;
        while (true) {
            String line = reader.readLine(MAX_LINE);
            if (line == null) {
                throw new EOFException("connection closed inside the header section");
            }
            if (line.isEmpty()) {
                return;
            }
            total += line.length() + 2;
            if (total > maxBytes) {
                throw new ProtocolException("header section larger than " + maxBytes + " bytes");
            }
            if (line.charAt(0) == ' ' || line.charAt(0) == '\t') {
                throw new ProtocolException("obsolete line folding: " + line);
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new ProtocolException("header line without a name and colon: " + line);
            }
            String name = line.substring(0, colon);
            for (int i = 0; i < name.length(); i++) {
                char c = name.charAt(i);
                if (c <= ' ' || c >= 0x7f) {
                    throw new ProtocolException("invalid character in header name: " + line);
                }
            }
            fields.add(Map.entry(name, line.substring(colon + 1).strip()));
        }
    }

    /** Reads a chunked body (with its trailer section) and returns the decoded payload. */
    static byte[] readChunked(Reader reader, List<Map.Entry<String, String>> trailers, long maxBody)
            throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String line = reader.readLine(4096);
            if (line == null) {
                throw new EOFException("connection closed before a chunk size");
            }
            int semi = line.indexOf(';');
            String hex = (semi >= 0 ? line.substring(0, semi) : line).strip();
            if (hex.isEmpty() || hex.length() > 15) {
                throw new ProtocolException("bad chunk size line: " + line);
            }
            long size = 0;
            for (int i = 0; i < hex.length(); i++) {
                int digit = Character.digit(hex.charAt(i), 16);
                if (digit < 0) {
                    throw new ProtocolException("bad chunk size line: " + line);
                }
                size = size * 16 + digit;
            }
            if (size == 0) {
                break;
            }
            if (body.size() + size > maxBody) {
                throw new ProtocolException("chunked body larger than " + maxBody + " bytes");
            }
            body.writeBytes(reader.readExactly(size));
            String end = reader.readLine(2);
            if (end == null) {
                throw new EOFException("connection closed after chunk data");
            }
            if (!end.isEmpty()) {
                throw new ProtocolException("chunk data not followed by CRLF");
            }
        }
        readFields(reader, trailers, MAX_HEAD);
        return body.toByteArray();
    }

    /** Whether the last transfer coding named by the Transfer-Encoding fields is {@code chunked}. */
    static boolean lastCodingIsChunked(List<String> transferEncodings) {
        String last = "";
        for (String value : transferEncodings) {
            for (String token : value.split(",")) {
                if (!token.isBlank()) {
                    last = token.strip();
                }
            }
        }
        return last.equalsIgnoreCase("chunked");
    }

    /** Whether any comma-separated token of the given field values equals {@code token}, ignoring case. */
    static boolean hasToken(List<String> values, String token) {
        for (String value : values) {
            for (String t : value.split(",")) {
                if (t.strip().equalsIgnoreCase(token)) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * The single Content-Length all fields agree on, -1 if there is none; a malformed or conflicting
     * value is a {@link ProtocolException}.
     */
    static long contentLength(List<String> values) throws ProtocolException {
        long length = -1;
        for (String value : values) {
            for (String token : value.split(",", -1)) {
                String t = token.strip();
                if (t.isEmpty() || t.length() > 18 || !t.chars().allMatch(c -> c >= '0' && c <= '9')) {
                    throw new ProtocolException("bad Content-Length: " + value);
                }
                long parsed = Long.parseLong(t);
                if (length >= 0 && parsed != length) {
                    throw new ProtocolException("conflicting Content-Length values: " + values);
                }
                length = parsed;
            }
        }
        return length;
    }

    /** An unmodifiable, case-insensitive multimap of the fields, values in arrival order. */
    static Map<String, List<String>> multimap(List<Map.Entry<String, String>> fields) {
        TreeMap<String, List<String>> map = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (Map.Entry<String, String> field : fields) {
            map.computeIfAbsent(field.getKey(), k -> new ArrayList<>()).add(field.getValue());
        }
        map.replaceAll((k, v) -> List.copyOf(v));
        return Collections.unmodifiableMap(map);
    }

    static boolean isReset(SocketException e) {
        String message = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
        return message.contains("reset");
    }

    /** Closes gracefully: FIN first, so the peer sees end of stream before any RST for unread input. */
    static void closeWithFin(Socket socket) {
        try {
            socket.shutdownOutput();
        } catch (IOException ignored) {
            // already closed or reset
        }
        closeQuietly(socket);
    }

    /** Aborts the connection: SO_LINGER 0 makes close() send RST instead of FIN. */
    static void closeWithRst(Socket socket) {
        try {
            socket.setSoLinger(true, 0);
        } catch (IOException ignored) {
            // already closed
        }
        closeQuietly(socket);
    }

    /**
     * Reads and drops what the peer sends until it closes, resets or stays silent for the socket's read timeout:
     * a connection that answers nothing but is not closed either.
     */
    static void readUntilClosed(Socket socket) {
        byte[] dropped = new byte[4096];
        try {
            InputStream in = socket.getInputStream();
            while (in.read(dropped) >= 0) {
                // dropped
            }
        } catch (IOException e) {
            // closed, reset or timed out: the stall is over
        }
    }

    /** {@code duration} as a socket timeout: whole milliseconds, at least 1 (0 would mean forever). */
    static int millis(Duration duration) {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, duration.toMillis()));
    }

    static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // nothing left to do
        }
    }
}
