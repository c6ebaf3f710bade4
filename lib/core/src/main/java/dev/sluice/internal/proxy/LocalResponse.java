package dev.sluice.internal.proxy;

import dev.sluice.internal.http.HeadWriter;
import java.nio.ByteBuffer;

/**
 * Writes a response of the proxy's own: nginx's built-in error page for a status, or a configured {@code error_page}
 * body. For a HEAD request only the head goes out.
 */
final class LocalResponse {

    private LocalResponse() {
    }

    /** The body bytes the client gets for such a response: {@code $body_bytes_sent}. */
    static long bodyLength(int status, byte[] page, boolean headRequest) {
        return headRequest ? 0 : page == null ? HeadWriter.errorPageLength(status) : page.length;
    }

    /** Writes the response into {@code out} (or a larger buffer it returns), flipped for writing to the client. */
    static ByteBuffer write(ByteBuffer out, int status, byte[] page, boolean keepAlive, boolean headRequest) {
        int size = (page == null ? HeadWriter.errorPageLength(status) : page.length) + 200;
        ByteBuffer b = out.capacity() < size ? ByteBuffer.allocate(size) : out;
        b.clear();
        if (page == null) {
            HeadWriter.errorResponse(b, status, keepAlive);
            b.flip();
            if (headRequest) {
                b.limit(headEnd(b));
            }
            return b;
        }
        HeadWriter.statusLine(b, status);
        HeadWriter.field(b, "Content-Type", "text/html");
        HeadWriter.field(b, "Content-Length", page.length);
        HeadWriter.field(b, "Connection", keepAlive ? "keep-alive" : "close");
        HeadWriter.endHead(b);
        if (!headRequest) {
            b.put(page);
        }
        return b.flip();
    }

    private static int headEnd(ByteBuffer b) {
        for (int i = 3; i < b.limit(); i++) {
            if (b.get(i) == '\n' && b.get(i - 1) == '\r' && b.get(i - 2) == '\n' && b.get(i - 3) == '\r') {
                return i + 1;
            }
        }
        return b.limit();
    }
}
