package dev.sluice.internal.net;

import java.io.IOException;

/**
 * Receives the readiness of one channel registered on an {@link EventLoop}.
 *
 * <p>The loop calls {@link #onReady(int)} with the ready operations of the channel's key; nothing is allocated per
 * event. A handler runs on the loop thread and must never block. Whatever {@code onReady} throws is caught by the
 * loop, logged, and answered by closing the channel (the loop survives), after which
 * {@link #onClosedByLoop(Throwable)} lets the owner release what else it holds.
 */
public interface IoHandler {

    /**
     * The channel is ready for the given operations.
     *
     * @param readyOps the key's ready set, a combination of {@link java.nio.channels.SelectionKey#OP_READ} and the
     *                 other {@code OP_*} bits
     * @throws IOException letting it escape makes the loop log it and close the channel
     */
    void onReady(int readyOps) throws IOException;

    /**
     * The loop has closed this handler's channel itself: because {@link #onReady(int)} threw {@code cause}, or
     * because the loop shut down while the channel was still registered. Called on the loop thread, once; the
     * default does nothing. What this method throws is logged and ignored.
     */
    default void onClosedByLoop(Throwable cause) {
    }
}
