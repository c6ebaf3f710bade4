package dev.sluice.internal.proxy;

import dev.sluice.ClientLimits;
import dev.sluice.internal.net.EventLoop;
import dev.sluice.internal.net.Timeout;

/**
 * The end of a lingering close, as nginx's {@code ngx_http_set_lingering_close}: once the proxy stopped sending, read
 * and drop what the client still sends, for at most lingering_time in all and lingering_timeout between reads, then
 * close, so that the client reads the response instead of a reset.
 */
final class LingeringClose {

    /** How many reads one readiness event drops at most, so one client cannot hold its loop. */
    private static final int READS_PER_EVENT = 16;

    private final ClientConnection client;
    private final ClientInput input;
    private final EventLoop loop;
    private final ClientLimits limits;
    private final Timeout timer;
    private long until;

    LingeringClose(ClientConnection client, ClientInput input, LoopContext loop) {
        this.client = client;
        this.input = input;
        this.loop = loop.eventLoop;
        this.limits = loop.engine.limits;
        this.timer = loop.eventLoop.newTimeout(client::close);
    }

    /** The client's output is shut: drop what it sends until it closes or the time is up. */
    void begin() {
        until = loop.nanoTime() + limits.lingeringTime().toNanos();
        timer.schedule(limits.lingeringTimeout().toNanos());
        read();
    }

    /** The client sent more: drop it, then close if it ended or the time is up. */
    void read() {
        for (int i = 0; i < READS_PER_EVENT; i++) {
            int n = input.discard();
            if (n < 0) {
                client.close();
                return;
            }
            if (n == 0) {
                break;
            }
        }
        long now = loop.nanoTime();
        if (now >= until) {
            client.close();
        } else {
            timer.schedule(Math.min(limits.lingeringTimeout().toNanos(), until - now));
        }
    }

    void stop() {
        timer.cancel();
    }
}
