package dev.sluice.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The listening side of a {@link ScriptedUpstream}: accepts connections and serves each on a bounded pool of named
 * daemon threads; on close, shuts the listening socket and every connection and waits, bounded, for the threads.
 */
final class UpstreamListener {

    private static final int MAX_CONNECTION_THREADS = 64;

    private final ServerSocket serverSocket;
    private final String name;
    private final ThreadPoolExecutor pool;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final CountDownLatch closedLatch = new CountDownLatch(1);
    private final Set<Socket> openSockets = ConcurrentHashMap.newKeySet();
    private final AtomicInteger accepted = new AtomicInteger();

    UpstreamListener(ServerSocket bound, String name) {
        this.serverSocket = bound;
        this.name = name;
        AtomicInteger threads = new AtomicInteger();
        pool = new ThreadPoolExecutor(0, MAX_CONNECTION_THREADS + 1, 5, TimeUnit.SECONDS, new SynchronousQueue<>(),
                task -> {
                    Thread thread = new Thread(task, name + "-worker-" + threads.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                });
    }

    /** Starts accepting; each connection goes to {@code handler}. */
    void start(ConnectionHandler handler) {
        pool.execute(() -> acceptLoop(handler));
    }

    /** The name the threads and the error messages carry. */
    String name() {
        return name;
    }

    int accepted() {
        return accepted.get();
    }

    int openConnections() {
        return openSockets.size();
    }

    /** Forgets {@code socket}, which its connection thread is done with. */
    void closed(Socket socket) {
        openSockets.remove(socket);
    }

    boolean isClosed() {
        return closed.get();
    }

    /** Waits for the duration unless the upstream closes first; false if it closed. */
    boolean pause(Duration duration) throws InterruptedException {
        if (duration.isZero()) {
            return !closed.get();
        }
        return !closedLatch.await(duration.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Stops accepting, closes every connection and waits (bounded) for the worker threads to end. */
    void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        closedLatch.countDown();
        try {
            serverSocket.close();
        } catch (IOException ignored) {
            // nothing left to do
        }
        for (Socket socket : openSockets) {
            Wire.closeQuietly(socket);
        }
        pool.shutdownNow();
        try {
            if (!pool.awaitTermination(5, TimeUnit.SECONDS)) {
                System.err.println(name + ": worker threads still running after close");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void acceptLoop(ConnectionHandler handler) {
        Thread.currentThread().setName(name + "-accept");
        while (!closed.get()) {
            Socket socket;
            try {
                socket = serverSocket.accept();
            } catch (IOException e) {
                if (!closed.get()) {
                    System.err.println(name + ": accept failed: " + e);
                }
                return;
            }
            int sequence = accepted.getAndIncrement();
            openSockets.add(socket);
            if (closed.get()) {
                Wire.closeQuietly(socket);
                openSockets.remove(socket);
                return;
            }
            try {
                socket.setSoTimeout(Wire.millis(ScriptedUpstream.SAFETY_TIMEOUT));
                socket.setTcpNoDelay(true);
                pool.execute(() -> handler.serve(socket, sequence));
            } catch (IOException | RejectedExecutionException e) {
                openSockets.remove(socket);
                Wire.closeWithRst(socket);
            }
        }
    }
}
