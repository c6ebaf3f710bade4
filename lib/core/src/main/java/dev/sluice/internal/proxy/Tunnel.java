package dev.sluice.internal.proxy;

import dev.sluice.internal.net.Timeout;
import dev.sluice.internal.net.Wire;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;

/**
 * The two-way byte relay of a connection that switched protocols ({@code 101 Switching Protocols}, e.g. WebSocket):
 * nginx's {@code ngx_http_upstream_upgrade}. Each direction copies through one buffer, the one its side's head was
 * read into, starting with the bytes that followed the head; a side that cannot take more stops the other side
 * from being read, so the tunnel holds two buffers whatever flows through it.
 *
 * <p>Half-close: when one side ends its stream (FIN), the other side's output is shut down once everything before
 * it was delivered, and the opposite direction goes on until that side ends too. nginx ends the whole tunnel as soon
 * as either side closes; Sluice keeps the other direction open, as TCP allows, so a client that finished sending
 * still gets the rest of the answer.
 *
 * <p>Idle limit: the tunnel closes when no byte moved either way for {@code proxy_read_timeout}. nginx restarts that
 * timer only on bytes from the upstream; Sluice counts both directions, so a client that only sends keeps its
 * tunnel. A side that stops reading stops the other side's bytes too, and so the tunnel goes idle and closes.
 * An error on either connection (a reset) closes both at once.
 *
 * <p>One per client connection, created for its first upgrade; used on its loop only.
 */
final class Tunnel {

    /** Reads and writes per direction per readiness event, so a busy tunnel cannot starve the loop. */
    private static final int ROUNDS = 16;
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    private final Exchange exchange;
    private final Timeout timer;
    /** Moves again in a coming iteration: bytes a TLS side decrypted ahead signal no readiness of their own. */
    private final ReadAhead again;
    /** Client to peer. */
    private final Pipe up = new Pipe();
    /** Peer to client. */
    private final Pipe down = new Pipe();
    private SelectionKey clientKey;
    private SelectionKey peerKey;
    private long idleNanos;
    private boolean open;

    Tunnel(Exchange exchange, LoopContext loop) {
        this.exchange = exchange;
        this.timer = loop.eventLoop.newTimeout(this::idle);
        this.again = new ReadAhead(loop.eventLoop, this::moveAgain);
    }

    /**
     * Starts relaying. {@code head} (the 101 head for the client) goes first to the client; {@code fromClient} and
     * {@code fromPeer} are in read mode, holding the bytes each side sent after its head, and stay their owners'.
     */
    void start(SelectionKey clientKey, Wire client, ByteBuffer fromClient, SelectionKey peerKey, Wire peer,
            ByteBuffer fromPeer, ByteBuffer head, long idleNanos) {
        this.clientKey = clientKey;
        this.peerKey = peerKey;
        this.idleNanos = idleNanos;
        this.open = true;
        up.reset(client, peer, EMPTY, fromClient);
        down.reset(peer, client, head, fromPeer);
        timer.schedule(idleNanos);
        move(up, down);
    }

    /** Readiness of the client ({@code client}) or the peer connection. */
    void ready(boolean client, int ops) {
        if (!open) {
            return;
        }
        Pipe writable = client ? down : up;
        Pipe readable = client ? up : down;
        move((ops & SelectionKey.OP_WRITE) != 0 ? writable : null, (ops & SelectionKey.OP_READ) != 0 ? readable : null);
    }

    /** Stops relaying without touching the connections, which their owners close; idempotent. */
    void stop() {
        open = false;
        timer.cancel();
        up.reset(null, null, EMPTY, EMPTY);
        down.reset(null, null, EMPTY, EMPTY);
    }

    private void move(Pipe first, Pipe second) {
        boolean moved;
        try {
            moved = first != null && first.pump();
            moved |= second != null && second.pump();
        } catch (IOException e) {
            end();
            return;
        }
        if (up.done() && down.done()) {
            end();
            return;
        }
        clientKey.interestOps(up.readInterest() | down.writeInterest());
        peerKey.interestOps(down.readInterest() | up.writeInterest());
        if (moved) {
            timer.schedule(idleNanos);
        }
        if (up.readsAhead() || down.readsAhead()) {
            again.schedule();
        }
    }

    private void moveAgain() {
        if (open) {
            move(up, down);
        }
    }

    private void idle() {
        if (open) {
            end();
        }
    }

    private void end() {
        stop();
        exchange.tunnelEnded();
    }

    /** One direction: reads {@code from}, writes {@code to}. */
    private static final class Pipe {

        private final ByteBuffer[] out = new ByteBuffer[2];
        private Wire from;
        private Wire to;
        private boolean ended;
        private boolean shut;

        void reset(Wire from, Wire to, ByteBuffer first, ByteBuffer buffer) {
            this.from = from;
            this.to = to;
            out[0] = first;
            out[1] = buffer;
            ended = false;
            shut = false;
        }

        /** Moves bytes until a side has to wait; whether any moved. */
        boolean pump() throws IOException {
            boolean moved = false;
            for (int i = 0; i < ROUNDS; i++) {
                if (pending()) {
                    moved |= to.write(out, 0, out.length) > 0;
                    if (pending()) {
                        return moved;
                    }
                }
                if (ended) {
                    if (!shut) {
                        shut = true;
                        to.shutdownOutput();
                    }
                    return moved;
                }
                ByteBuffer buffer = out[1];
                buffer.clear();
                int n;
                try {
                    n = from.read(buffer);
                } finally {
                    buffer.flip();
                }
                if (n < 0) {
                    ended = true;
                } else if (n == 0) {
                    return moved;
                } else {
                    moved = true;
                }
            }
            return moved;
        }

        boolean pending() {
            return out[0].hasRemaining() || out[1].hasRemaining() || to != null && to.hasPendingOutput();
        }

        /** Whether this direction would read now and its source holds bytes no readiness will announce. */
        boolean readsAhead() {
            return readInterest() != 0 && from.hasBufferedInput();
        }

        boolean done() {
            return shut;
        }

        int readInterest() {
            return ended || pending() ? 0 : SelectionKey.OP_READ;
        }

        int writeInterest() {
            return pending() ? SelectionKey.OP_WRITE : 0;
        }
    }
}
