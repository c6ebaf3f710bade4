package dev.sluice.testing;

import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ProtocolException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How {@link ScriptedUpstream} reads a request off a connection: the request line, the fields, and the body framed
 * by Content-Length or chunked coding, answering {@code Expect: 100-continue} when asked to; every byte is kept
 * as it arrived for {@link RecordedRequest#raw()}.
 */
final class RequestReader {

    private static final byte[] CONTINUE = "HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);

    private RequestReader() {
    }

    /**
     * Reads one request; null if the connection ended cleanly before one began. A request that breaks the framing
     * rules is recorded with what was read of it and the reason ({@link RecordedRequest#parseError()}).
     *
     * @param continueTo where {@code 100 Continue} goes when a request with a body expects it; null to send none
     */
    static RecordedRequest read(Wire.Reader reader, OutputStream continueTo, int clientPort, int sequence, int index)
            throws IOException {
        reader.startCapture();
        String method = "";
        String target = "";
        String version = "";
        List<Map.Entry<String, String>> fields = new ArrayList<>();
        byte[] body = new byte[0];
        try {
            String line;
            int emptyLines = 0;
            do {
                line = reader.readLine(Wire.MAX_LINE);
                if (line == null) {
                    return null;
                }
            } while (line.isEmpty() && ++emptyLines < 16);
            String[] parts = line.split(" ", -1);
            if (parts.length != 3 || parts[0].isEmpty() || parts[1].isEmpty()) {
                throw new ProtocolException("malformed request line: " + line);
            }
            method = parts[0];
            target = parts[1];
            version = parts[2];
            if (!version.matches("HTTP/\\d\\.\\d")) {
                throw new ProtocolException("malformed protocol version: " + version);
            }
            Wire.readFields(reader, fields, Wire.MAX_HEAD);
            Map<String, List<String>> headers = Wire.multimap(fields);
            List<String> transferEncoding = headers.getOrDefault("Transfer-Encoding", List.of());
            List<String> connection = headers.getOrDefault("Connection", List.of());
            boolean keepAlive = version.equals("HTTP/1.0")
                    ? Wire.hasToken(connection, "keep-alive")
                    : !Wire.hasToken(connection, "close");
            boolean chunked = false;
            long length = 0;
            if (!transferEncoding.isEmpty()) {
                if (!Wire.lastCodingIsChunked(transferEncoding)) {
                    throw new ProtocolException("request Transfer-Encoding does not end in chunked");
                }
                chunked = true;
                if (headers.containsKey("Content-Length")) {
                    keepAlive = false; // RFC 9112 6.1: close after a message framed both ways
                }
            } else {
                length = Math.max(0, Wire.contentLength(headers.getOrDefault("Content-Length", List.of())));
                if (length > Wire.MAX_BODY) {
                    throw new ProtocolException("Content-Length larger than " + Wire.MAX_BODY);
                }
            }
            if ((chunked || length > 0) && continueTo != null && version.equals("HTTP/1.1")
                    && Wire.hasToken(headers.getOrDefault("Expect", List.of()), "100-continue")) {
                continueTo.write(CONTINUE);
                continueTo.flush();
            }
            if (chunked) {
                List<Map.Entry<String, String>> trailers = new ArrayList<>();
                body = Wire.readChunked(reader, trailers, Wire.MAX_BODY);
            } else if (length > 0) {
                body = reader.readExactly(length);
            }
            return new RecordedRequest(method, target, version, fields, body, reader.stopCapture(), sequence, index,
                    clientPort, null, keepAlive);
        } catch (ProtocolException e) {
            return new RecordedRequest(method, target, version, fields, body, reader.stopCapture(), sequence, index,
                    clientPort, e.getMessage(), false);
        } catch (EOFException e) {
            return null;
        }
    }
}
