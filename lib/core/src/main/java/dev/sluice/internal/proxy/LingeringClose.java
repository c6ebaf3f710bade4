package dev.sluice.internal.proxy;

/**
 * The end of a lingering close, as nginx's {@code ngx_http_set_lingering_close}: once the proxy stopped sending, read
 * and drop what the client still sends, for at most lingering_time in all and lingering_timeout between reads, then
 * close, so that the client reads the response instead of a reset.
 */
final class LingeringClose {

    private final ClientConnection client;
    private final ClientInput input;
    private final LingerDeadline deadline;

    LingeringClose(ClientConnection client, ClientInput input, LoopContext loop) {
        this.client = client;
        this.input = input;
        this.deadline = new LingerDeadline(loop, client::close);
    }

    /** The client's output is shut: drop what it sends until it closes or the time is up. */
    void begin() {
        deadline.start();
        read();
    }

    /** The client sent more: drop it, then close if it ended or the time is up. */
    void read() {
        for (int i = 0; i < LingerDeadline.READS_PER_EVENT; i++) {
            int n = input.discard();
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
