package dev.sluice.internal.proxy;

import java.nio.ByteBuffer;

/**
 * The body of a request the proxy answered itself without reading it, read and dropped after the response so that
 * the connection serves the next request, as nginx's {@code ngx_http_discard_request_body} does: exactly the body's
 * bytes by its framing, so that a request pipelined after it is read as a request; whatever its size, for at most
 * lingering_time in all and lingering_timeout between reads. A body that breaks its framing, a client that closes,
 * or one that does not finish in time closes the connection.
 */
final class BodyDiscard {

    private final ClientConnection client;
    private final BodyFramingCheck framing;
    private final LingerDeadline deadline;

    BodyDiscard(ClientConnection client, BodyFramingCheck framing, LoopContext loop) {
        this.client = client;
        this.framing = framing;
        this.deadline = new LingerDeadline(loop, client::close);
    }

    /** The response went out: drop the rest of the body, then read the next request. */
    void begin() {
        deadline.start();
        read();
    }

    /** The client sent more of the body: drop it; at the body's end, the next request. */
    void read() {
        for (int i = 0; i < LingerDeadline.READS_PER_EVENT; i++) {
            ByteBuffer in = client.input();
            if (!framing.done() && in.hasRemaining() && framing.scan(in) != 0) {
                client.close(); // broken framing: where the next request starts is unknown
                return;
            }
            if (framing.done()) {
                deadline.stop();
                client.nextRequest(true);
                return;
            }
            int n = client.readClient();
            if (n < 0) {
                client.close();
                return;
            }
            if (n == 0) {
                break;
            }
        }
        if (!deadline.awaitMore()) {
            client.close();
        }
    }

    void stop() {
        deadline.stop();
    }
}
