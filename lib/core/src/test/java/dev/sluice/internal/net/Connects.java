package dev.sluice.internal.net;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.channels.SelectionKey;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Drives {@link EventLoop#connect} from a test thread and hands back how it ended. */
public final class Connects {

    private Connects() {
    }

    /** The outcome of one connect: the key on success, the cause on failure. */
    public static final class Outcome implements ConnectHandler {
        final CompletableFuture<SelectionKey> key = new CompletableFuture<>();
        final CompletableFuture<IOException> failure = new CompletableFuture<>();
        volatile boolean onLoopThread = true;
        private final EventLoop loop;

        Outcome(EventLoop loop) {
            this.loop = loop;
        }

        @Override
        public void onConnected(SelectionKey k) {
            onLoopThread &= loop.inEventLoop();
            key.complete(k);
            failure.complete(null);
        }

        @Override
        public void onConnectFailed(IOException cause) {
            onLoopThread &= loop.inEventLoop();
            failure.complete(cause);
            key.complete(null);
        }

        /** The connected key (or null when it failed), waiting at most 5 s. */
        public SelectionKey key() throws InterruptedException, ExecutionException, TimeoutException {
            return key.get(5, TimeUnit.SECONDS);
        }

        /** The failure (or null when it connected), waiting at most 5 s. */
        public IOException failure() throws InterruptedException, ExecutionException, TimeoutException {
            return failure.get(5, TimeUnit.SECONDS);
        }
    }

    /** Starts a connect on {@code loop}. */
    public static Outcome start(EventLoop loop, SocketAddress remote, ConnectOptions options) {
        Outcome outcome = new Outcome(loop);
        OnLoop.run(loop, () -> loop.connect(remote, options, outcome));
        return outcome;
    }

    /** Connects on {@code loop} and returns the registered key; fails the test if the connect fails. */
    public static SelectionKey open(EventLoop loop, SocketAddress remote) throws Exception {
        Outcome outcome = start(loop, remote, ConnectOptions.defaults());
        SelectionKey key = outcome.key();
        if (key == null) {
            throw new AssertionError("connect to " + remote + " failed", outcome.failure());
        }
        return key;
    }
}
