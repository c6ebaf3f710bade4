package dev.sluice.internal.proxy;

import dev.sluice.internal.net.EventLoop;

/**
 * Runs a connection's read again in a coming iteration of its loop, once however often it is asked before then:
 * for bytes a TLS session decrypted ahead of what the last read took, which no readiness of the socket will
 * announce. The read checks for itself whether it is still wanted.
 */
final class ReadAhead {

    private final EventLoop loop;
    private final Runnable read;
    private final Runnable task = this::run;
    private boolean queued;

    ReadAhead(EventLoop loop, Runnable read) {
        this.loop = loop;
        this.read = read;
    }

    /** Queues the read unless it is queued already. */
    void schedule() {
        if (!queued) {
            queued = true;
            loop.execute(task);
        }
    }

    private void run() {
        queued = false;
        read.run();
    }
}
