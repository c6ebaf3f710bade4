package dev.sluice.internal.net;

import java.net.SocketAddress;

/** A connect in progress, started by {@link EventLoop#connect}. */
public interface PendingConnect {

    /** The address being connected to. */
    SocketAddress remoteAddress();

    /**
     * Abandons the attempt: the channel is closed and the {@link ConnectHandler} is not called. On the loop thread.
     *
     * @return false if the attempt had already ended (its handler was or is about to be called)
     */
    boolean cancel();
}
