package dev.sluice.internal.proxy;

import dev.sluice.internal.net.Interest;
import dev.sluice.internal.net.ThreadBuffers;
import dev.sluice.internal.net.Timeout;
import dev.sluice.internal.net.Wire;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.charset.StandardCharsets;

/**
 * What goes to one client: the head the proxy queued (a response of its own, a relayed head, 100 Continue) and the
 * body runs the relay passes, written in one gathering write. When the client cannot take everything it waits for
 * the socket under send_timeout, the connection's write timer as in nginx, and tells the connection when that runs
 * out ({@link ClientConnection#sendTimedOut}); once the client went away with {@code proxy_ignore_client_abort on},
 * what would go to it is dropped. The buffer heads are written into is lent by the thread when a head is made and
 * given back when the connection waits for its next request ({@link #release}).
 */
final class ClientOutput {

    private static final byte[] CONTINUE = "HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    /** The size of the buffer lent for a head: most heads and nginx's error pages fit. */
    private static final int HEAD_SIZE = 4096;

    private final ClientConnection client;
    private Wire channel;
    private final SelectionKey key;
    private final Timeout sendTimer;
    private final long sendTimeoutNanos;
    private final ByteBuffer[] queued = new ByteBuffer[1];
    /** The buffer heads are written into, or null while none is lent. */
    private ByteBuffer buffer;
    private boolean dropping;

    ClientOutput(ClientConnection client, Wire channel, SelectionKey key, LoopContext loop) {
        this.client = client;
        this.channel = channel;
        this.key = key;
        this.sendTimer = loop.eventLoop.newTimeout(client::sendTimedOut);
        this.sendTimeoutNanos = loop.engine.limits.sendTimeout().toNanos();
    }

    /** Writes through {@code wire} from now on: the TLS session once the handshake is done. */
    void use(Wire wire) {
        this.channel = wire;
    }

    /** The buffer for a head of the proxy's making, cleared; give it back with {@link #queue} or {@link #adopt}. */
    ByteBuffer cleared() {
        if (buffer == null) {
            buffer = ThreadBuffers.ofThisThread().heap(HEAD_SIZE);
        }
        return buffer.clear();
    }

    /** Queues {@code head}, written and not yet flipped, to go before anything else. */
    void queue(ByteBuffer head) {
        queued[0] = adopt(head);
    }

    /** Queues {@code response}, ready to be written. */
    void queueFlipped(ByteBuffer response) {
        buffer = response;
        queued[0] = response;
    }

    /** Keeps {@code head} (written, not yet flipped) as this output's buffer without queueing it; returns it flipped. */
    ByteBuffer adopt(ByteBuffer head) {
        buffer = head.flip();
        queued[0] = null;
        return buffer;
    }

    /** Queues {@code 100 Continue} and writes it. */
    void sendContinue() {
        queueFlipped(cleared().put(CONTINUE).flip());
        flush();
    }

    /** Forgets what was queued: a new request begins. */
    void reset() {
        queued[0] = null;
    }

    /** Gives the head buffer back to the thread: everything went out and the connection waits, or it closed. */
    void release() {
        queued[0] = null;
        if (buffer != null) {
            ThreadBuffers.ofThisThread().giveBack(buffer);
            buffer = null;
        }
    }

    /** The queued head not written whole yet, or null. */
    ByteBuffer pending() {
        ByteBuffer head = queued[0];
        return head != null && head.hasRemaining() ? head : null;
    }

    /** Writes what is queued; true when everything went out. */
    boolean flush() {
        return write(queued, queued[0] == null ? 0 : 1);
    }

    /**
     * Writes {@code buffers[0, count)} to the client in one gathering write; true when everything went out. When the
     * client cannot take it all, waits for the socket and returns false. A failed write ends the exchange (false)
     * unless the client connection goes on without its client: then the bytes are dropped (true).
     */
    boolean write(ByteBuffer[] buffers, int count) {
        if (client.isClosed()) {
            return false;
        }
        if (remaining(buffers, count) || channel.hasPendingOutput()) {
            if (dropping) {
                for (int i = 0; i < count; i++) {
                    buffers[i].position(buffers[i].limit());
                }
                return true;
            }
            try {
                channel.write(buffers, 0, count);
            } catch (IOException e) {
                return client.writeFailed() && write(buffers, count);
            }
            if (remaining(buffers, count) || channel.hasPendingOutput()) {
                Interest.add(key, SelectionKey.OP_WRITE);
                sendTimer.schedule(sendTimeoutNanos);
                return false;
            }
        }
        Interest.remove(key, SelectionKey.OP_WRITE);
        sendTimer.cancel();
        return true;
    }

    /** The connection closes: no more waiting for the client. */
    void stop() {
        sendTimer.cancel();
    }

    /** The client is gone and the exchange goes on without it ({@code proxy_ignore_client_abort on}). */
    void drop() {
        dropping = true;
    }

    /** Whether the client is gone while its exchange goes on: the connection closes after it. */
    boolean isDropping() {
        return dropping;
    }

    private static boolean remaining(ByteBuffer[] buffers, int count) {
        for (int i = 0; i < count; i++) {
            if (buffers[i].hasRemaining()) {
                return true;
            }
        }
        return false;
    }
}
