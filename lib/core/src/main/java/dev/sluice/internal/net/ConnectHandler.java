package dev.sluice.internal.net;

import java.io.IOException;
import java.nio.channels.SelectionKey;

/**
 * Learns how one {@link EventLoop#connect} attempt ended. Exactly one method is called, on the loop thread, never
 * from within {@code connect} itself — unless the attempt was {@link PendingConnect#cancel() cancelled} first.
 */
public interface ConnectHandler {

    /**
     * The connection is established. {@code key} is registered on the loop with an empty interest set and no
     * handler: attach yours ({@link SelectionKey#attach(Object)}, an {@link IoHandler}) and set the interest you
     * need. What this method throws is logged and the channel closed.
     */
    void onConnected(SelectionKey key) throws IOException;

    /**
     * The connection could not be established; the channel is already closed. {@code cause} is a
     * {@link java.net.ConnectException} for a refusal (nginx's ECONNREFUSED, an {@code error} for
     * {@code proxy_next_upstream}), a {@link java.net.SocketTimeoutException} when the connect timeout fired (a
     * {@code timeout}), or another {@link IOException}, also for a bad address or a loop that shut down.
     */
    void onConnectFailed(IOException cause);
}
