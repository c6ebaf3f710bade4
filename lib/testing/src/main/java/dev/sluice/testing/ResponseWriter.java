package dev.sluice.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/**
 * Puts a {@link ScriptedUpstream}'s scripted responses on a connection: the head with the framing the response
 * asks for (length, chunks, until close), the body in the pieces and at the pace it sets, and the break it is
 * scripted to end with (cut short, reset, closed).
 */
final class ResponseWriter {

    /** Waits a while unless the upstream closes first; false if it closed. */
    interface Pause {
        boolean pause(Duration duration) throws InterruptedException;
    }

    private static final Duration RESET_GRACE = Duration.ofMillis(20);

    private final Pause pause;

    ResponseWriter(Pause pause) {
        this.pause = pause;
    }

    /**
     * Writes {@code response}, the answer to {@code request}, on {@code socket}; false if the connection was closed as
     * part of it.
     */
    boolean write(ResponsePlan response, RecordedRequest request, Socket socket, OutputStream out)
            throws IOException, InterruptedException {
        int status = response.status;
        boolean bodyAllowed = status / 100 != 1 && status != 204 && status != 304;
        boolean userFraming = false;
        boolean userConnection = false;
        for (Map.Entry<String, String> header : response.headers) {
            userFraming |= header.getKey().equalsIgnoreCase("Content-Length")
                    || header.getKey().equalsIgnoreCase("Transfer-Encoding");
            userConnection |= header.getKey().equalsIgnoreCase("Connection");
        }
        boolean close = response.closeAfterResponse || response.bodyUntilClose || !request.keepAlive();

        StringBuilder head = new StringBuilder(256);
        head.append("HTTP/1.1 ").append(status).append(' ').append(response.reason).append("\r\n");
        for (Map.Entry<String, String> header : response.headers) {
            head.append(header.getKey()).append(": ").append(header.getValue()).append("\r\n");
        }
        byte[] bodyWire = response.body;
        if (response.chunkSize > 0) {
            if (!userFraming) {
                head.append("Transfer-Encoding: chunked\r\n");
            }
            bodyWire = chunk(response.body, response.chunkSize);
        } else if (!userFraming && bodyAllowed && !response.bodyUntilClose) {
            head.append("Content-Length: ").append(response.body.length).append("\r\n");
        }
        if (!userConnection && (response.closeAfterResponse || !request.keepAlive())) {
            head.append("Connection: close\r\n");
        }
        head.append("\r\n");
        if (!bodyAllowed || request.method().equals("HEAD")) {
            bodyWire = new byte[0];
        }

        byte[] headBytes = head.toString().getBytes(StandardCharsets.ISO_8859_1);
        int end = response.cutAfter >= 0 ? Math.min(response.cutAfter, bodyWire.length) : bodyWire.length;
        if (response.throttleBytes <= 0) {
            ByteArrayOutputStream all = new ByteArrayOutputStream(headBytes.length + end);
            all.write(headBytes);
            all.write(bodyWire, 0, end);
            out.write(all.toByteArray());
            out.flush();
        } else {
            out.write(headBytes);
            out.flush();
            if (!drip(out, bodyWire, 0, end, response)) {
                return false;
            }
        }
        if (response.cutAfter >= 0) {
            if (response.cutWithReset) {
                // let the partial body leave the send queue: SO_LINGER 0 discards whatever is still in it
                pause.pause(RESET_GRACE);
                Wire.closeWithRst(socket);
            } else {
                Wire.closeWithFin(socket);
            }
            return false;
        }
        if (close) {
            Wire.closeWithFin(socket);
            return false;
        }
        return true;
    }

    /**
     * Writes {@code bytes[from, to)}, in pieces of the response's throttle with its pause between them when it has
     * one; false when the upstream closed meanwhile.
     */
    boolean drip(OutputStream out, byte[] bytes, int from, int to, ResponsePlan response)
            throws IOException, InterruptedException {
        int step = response.throttleBytes > 0 ? response.throttleBytes : Math.max(1, to - from);
        for (int offset = from; offset < to; offset += step) {
            if (offset > from && !pause.pause(response.throttlePeriod)) {
                return false;
            }
            out.write(bytes, offset, Math.min(step, to - offset));
            out.flush();
        }
        return true;
    }

    private static byte[] chunk(byte[] body, int chunkSize) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(body.length + 64);
        for (int offset = 0; offset < body.length; offset += chunkSize) {
            int n = Math.min(chunkSize, body.length - offset);
            out.writeBytes(ascii(Integer.toHexString(n) + "\r\n"));
            out.write(body, offset, n);
            out.writeBytes(ascii("\r\n"));
        }
        out.writeBytes(ascii("0\r\n\r\n"));
        return out.toByteArray();
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }
}
