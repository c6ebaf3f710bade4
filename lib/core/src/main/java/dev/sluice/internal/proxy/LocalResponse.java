package dev.sluice.internal.proxy;

import dev.sluice.internal.http.HeadWriter;
import dev.sluice.internal.http.HttpStatus;
import dev.sluice.internal.net.ThreadBuffers;
import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;

/**
 * Writes a response of the proxy's own: an error page, an {@code error_page} body, or a handler's {@code Answer}.
 * Without a body of its own a status nginx has a page for gets that built-in page ({@link
 * HttpStatus#hasBuiltInPage}), as nginx's {@code return 403;} and {@code return 301 URL} do, and any other an empty
 * body. For a HEAD request, a 204 or a 304 only the head goes out (a 304's with the Content-Length and type of the
 * body it does not send, a 204's with neither, as nginx sends them).
 */
final class LocalResponse {

    /** The fields of an {@code error_page} body. */
    static final List<Map.Entry<String, String>> HTML = List.of(Map.entry("Content-Type", "text/html"));

    private LocalResponse() {
    }

    /** The body bytes the client gets for such a response: {@code $body_bytes_sent}. */
    static long bodyLength(int status, byte[] body, boolean headRequest) {
        if (headRequest || headOnly(status)) {
            return 0;
        }
        return body != null ? body.length : HttpStatus.hasBuiltInPage(status) ? HeadWriter.errorPageLength(status) : 0;
    }

    /**
     * Writes the response into {@code out}, or a larger buffer lent by the thread for which {@code out} is given
     * back, and returns it flipped for writing to the client:
     * the status line, {@code fields}, a {@code Date} unless they hold one, then Content-Type for a built-in page,
     * Content-Length and Connection.
     */
    static ByteBuffer write(ByteBuffer out, int status, List<Map.Entry<String, String>> fields, byte[] body,
            boolean keepAlive, boolean headRequest) {
        boolean builtIn = body == null && HttpStatus.hasBuiltInPage(status);
        int length = body != null ? body.length : builtIn ? HeadWriter.errorPageLength(status) : 0;
        int room = (headRequest || headOnly(status) ? 0 : length) + 256; // a HEAD's body is counted, not written
        ThreadBuffers buffers = ThreadBuffers.ofThisThread();
        ByteBuffer b = out.capacity() < room ? buffers.replace(out, room) : out;
        for (;;) {
            try {
                b.clear();
                writeInto(b, status, fields, body, builtIn, length, keepAlive, headRequest);
                return b.flip();
            } catch (BufferOverflowException e) {
                b = buffers.replace(b, b.capacity() * 2);
            }
        }
    }

    /** 204 and 304 have no body. */
    private static boolean headOnly(int status) {
        return status == 204 || status == 304;
    }

    /**
     * Whether field {@code name} goes out with {@code status}: a 204 has no Content-Type and no Last-Modified, as
     * nginx's header filter clears them (a 304 keeps them, with its Content-Length).
     */
    private static boolean sent(int status, String name) {
        return status != 204 || !name.equalsIgnoreCase("Content-Type") && !name.equalsIgnoreCase("Last-Modified");
    }

    private static void writeInto(ByteBuffer b, int status, List<Map.Entry<String, String>> fields, byte[] body,
            boolean builtIn, int length, boolean keepAlive, boolean headRequest) {
        HeadWriter.statusLine(b, status);
        boolean dated = false;
        for (int i = 0; i < fields.size(); i++) {
            String name = fields.get(i).getKey();
            if (sent(status, name)) {
                HeadWriter.field(b, name, fields.get(i).getValue());
            }
            dated |= name.equalsIgnoreCase("Date");
        }
        if (!dated) {
            HeadWriter.dateField(b);
        }
        if (builtIn) {
            HeadWriter.field(b, "Content-Type", "text/html");
        }
        if (status != 204) {
            HeadWriter.field(b, "Content-Length", length);
        }
        HeadWriter.field(b, "Connection", keepAlive ? "keep-alive" : "close");
        HeadWriter.endHead(b);
        if (headRequest || headOnly(status)) {
            return;
        }
        if (builtIn) {
            HeadWriter.errorPage(b, status);
        } else if (body != null) {
            b.put(body);
        }
    }
}
