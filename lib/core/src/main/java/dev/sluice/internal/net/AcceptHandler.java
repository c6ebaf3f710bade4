package dev.sluice.internal.net;

import java.io.IOException;
import java.nio.channels.SocketChannel;

/** Takes each connection an {@link Acceptor} accepts. */
@FunctionalInterface
public interface AcceptHandler {

    /**
     * A client connected. Called on {@code loop}'s thread, the loop chosen for this connection; the channel is
     * non-blocking and, for TCP, has {@code TCP_NODELAY} set. Register it on {@code loop}. What this method throws
     * is logged and the channel closed. Once it returns, the connection's place in the group's {@link
     * ConnectionBudget} is the handler's: it gives it back when the channel closes.
     */
    void onAccepted(EventLoop loop, SocketChannel channel) throws IOException;
}
