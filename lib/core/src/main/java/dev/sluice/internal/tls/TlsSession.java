package dev.sluice.internal.tls;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;

/**
 * One TLS connection over a non-blocking {@link SocketChannel}, for the event loops: the handshake driven a step at
 * a time, then reads that decrypt and writes that encrypt, each returning at once with what it could do, as the
 * channel's own calls do. The loop keeps {@code OP_READ} or {@code OP_WRITE} as {@link #handshake()} asks, and
 * {@code OP_WRITE} while {@link #hasPendingWrite()}.
 *
 * <p>A close_notify from the peer, or the connection's end, reads as -1, like a FIN on a plain connection; an alert
 * or a malformed record is an {@link SSLException}. Three buffers per connection: the records read and not yet
 * decrypted, the records made and not yet written, and the plaintext decrypted beyond what a read asked for.
 */
public final class TlsSession {

    /** What the handshake needs before it can go on. */
    public enum Progress {
        /** Finished: application data may flow. */
        DONE,
        /** Waiting for the peer's records: register {@code OP_READ}. */
        NEED_READ,
        /** Records wait to be written: register {@code OP_WRITE}. */
        NEED_WRITE
    }

    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    private final SSLEngine engine;
    private final SocketChannel channel;
    private boolean started;
    private ByteBuffer netIn;
    private ByteBuffer netOut;
    private ByteBuffer appIn;
    private boolean peerClosed;

    public TlsSession(SSLEngine engine, SocketChannel channel) {
        this.engine = engine;
        this.channel = channel;
        int packet = engine.getSession().getPacketBufferSize();
        this.netIn = ByteBuffer.allocateDirect(packet);
        this.netOut = ByteBuffer.allocateDirect(packet);
        this.netOut.flip(); // empty, ready to be drained
        this.appIn = ByteBuffer.allocate(engine.getSession().getApplicationBufferSize());
        this.appIn.flip();
    }

    public SSLEngine engine() {
        return engine;
    }

    /**
     * Takes the handshake as far as the channel lets it now.
     *
     * @throws SSLException when the peer's records are malformed, it sent an alert, or its certificate is refused
     * @throws IOException when the connection fails or ends before the handshake did
     */
    public Progress handshake() throws IOException {
        if (!started) {
            engine.beginHandshake();
            started = true;
        }
        for (;;) {
            if (!flush()) {
                return Progress.NEED_WRITE;
            }
            switch (engine.getHandshakeStatus()) {
                case NEED_WRAP -> wrap(EMPTY);
                case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
                    if (!unwrap()) {
                        if (peerClosed) {
                            throw new SSLException("the peer closed the connection during the handshake");
                        }
                        return Progress.NEED_READ;
                    }
                }
                case NEED_TASK -> runTasks();
                default -> {
                    return flush() ? Progress.DONE : Progress.NEED_WRITE;
                }
            }
        }
    }

    /**
     * Decrypts into {@code dst}: the bytes read, 0 when none is there yet (wait for {@code OP_READ}), or -1 once the
     * peer closed (close_notify, or the connection's end).
     */
    public int read(ByteBuffer dst) throws IOException {
        for (;;) {
            if (appIn.hasRemaining()) {
                int n = Math.min(appIn.remaining(), dst.remaining());
                ByteBuffer slice = appIn.slice(appIn.position(), n);
                dst.put(slice);
                appIn.position(appIn.position() + n);
                return n;
            }
            if (peerClosed) {
                return -1;
            }
            if (!unwrap()) {
                return peerClosed ? -1 : 0;
            }
        }
    }

    /** Encrypts what it can of {@code src} and writes it; returns the plaintext bytes taken. */
    public int write(ByteBuffer src) throws IOException {
        int taken = 0;
        while (src.hasRemaining() && flush()) {
            int before = src.remaining();
            wrap(src);
            if (src.remaining() == before) {
                break; // the engine is closed for writing
            }
            taken += before - src.remaining();
        }
        flush();
        return taken;
    }

    /** Whether encrypted bytes still wait to be written: keep {@code OP_WRITE}. */
    public boolean hasPendingWrite() {
        return netOut.hasRemaining();
    }

    /** Writes what waits; whether nothing is left. */
    public boolean flush() throws IOException {
        while (netOut.hasRemaining()) {
            if (channel.write(netOut) == 0) {
                return false;
            }
        }
        return true;
    }

    /** Sends close_notify (as far as the channel takes it now); the connection may then be closed. */
    public void close() throws IOException {
        engine.closeOutbound();
        while (!engine.isOutboundDone() && flush()) {
            wrap(EMPTY);
        }
        flush();
    }

    /** Encrypts from {@code src} into the outgoing records, which must be empty. */
    private void wrap(ByteBuffer src) throws SSLException {
        netOut.clear();
        try {
            for (;;) {
                SSLEngineResult result = engine.wrap(src, netOut);
                if (result.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
                    int capacity = Math.max(engine.getSession().getPacketBufferSize(), netOut.capacity() * 2);
                    netOut = ByteBuffer.allocateDirect(capacity); // nothing was written into the smaller one
                    continue;
                }
                if (result.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NEED_TASK) {
                    runTasks();
                }
                return;
            }
        } finally {
            netOut.flip();
        }
    }

    /**
     * Decrypts one record if a whole one has arrived, reading the channel when not: whether it made progress (then
     * {@link #appIn} may hold plaintext). Notes the peer's close.
     */
    private boolean unwrap() throws IOException {
        for (;;) {
            netIn.flip();
            SSLEngineResult result;
            appIn.compact();
            try {
                result = engine.unwrap(netIn, appIn);
            } finally {
                appIn.flip();
                netIn.compact();
            }
            switch (result.getStatus()) {
                case OK -> {
                    if (result.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NEED_TASK) {
                        runTasks();
                    }
                    return true;
                }
                case CLOSED -> {
                    peerClosed = true;
                    return false;
                }
                case BUFFER_OVERFLOW -> appIn = grown(appIn, engine.getSession().getApplicationBufferSize());
                case BUFFER_UNDERFLOW -> {
                    if (netIn.remaining() == 0) {
                        netIn = grown(netIn.flip(), engine.getSession().getPacketBufferSize()).compact();
                    }
                    int n = channel.read(netIn);
                    if (n < 0) {
                        peerClosed = true;
                        try {
                            engine.closeInbound(); // an end without close_notify: a truncation alert, as a FIN
                        } catch (SSLException truncated) {
                            // nginx counts such an end as a close too; the next read says -1
                        }
                        return false;
                    }
                    if (n == 0) {
                        return false;
                    }
                }
            }
        }
    }

    private void runTasks() {
        Runnable task;
        while ((task = engine.getDelegatedTask()) != null) {
            task.run();
        }
    }

    /** A buffer of {@code readable}'s kind, of at least {@code size}, holding what it holds, ready to be read. */
    private static ByteBuffer grown(ByteBuffer readable, int size) {
        int capacity = Math.max(size, readable.capacity() * 2);
        ByteBuffer bigger = readable.isDirect() ? ByteBuffer.allocateDirect(capacity) : ByteBuffer.allocate(capacity);
        bigger.put(readable);
        bigger.flip();
        return bigger;
    }
}
