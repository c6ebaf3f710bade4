package dev.sluice.internal.tls;

import dev.sluice.internal.net.ThreadBuffers;
import dev.sluice.internal.net.Wire;
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
 * {@code OP_WRITE} while {@link #hasPendingOutput()}.
 *
 * <p>A close_notify from the peer, or the connection's end, reads as -1, like a FIN on a plain connection; an alert
 * or a malformed record is an {@link SSLException}. Three buffers, each borrowed from its loop thread's {@link
 * ThreadBuffers} only while it holds bytes: the records read and not yet decrypted, the records made and not yet
 * written, and the plaintext decrypted beyond what a read asked for. An idle keep-alive connection holds none.
 */
public final class TlsSession implements Wire {

    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);
    /** A TLS record's header: type, version, and the length of what follows in its last two bytes. */
    private static final int RECORD_HEADER = 5;

    /** One buffer as an array, for the calls that take one (kept, so a write allocates nothing). */
    private final ByteBuffer[] single = new ByteBuffer[1];

    private final SSLEngine engine;
    private final SocketChannel channel;
    private final int packetSize;
    private final int applicationSize;
    private boolean started;
    /** Records read, not yet decrypted, in write mode (its position: the bytes held); null when none. */
    private ByteBuffer netIn;
    /** Records made, not yet written, in read mode; null when none. */
    private ByteBuffer netOut;
    /** Plaintext decrypted beyond a read, in read mode; null when none. */
    private ByteBuffer appIn;
    private boolean peerClosed;
    /** Whether the first handshake is done: a handshake after it is a renegotiation. */
    private boolean established;
    /** Whether the session is forgotten once made, so that no later connection resumes it. */
    private boolean forgetSession;

    public TlsSession(SSLEngine engine, SocketChannel channel) {
        this(engine, channel, EMPTY);
    }

    /** A session whose peer already sent {@code prefix} (read mode), read off the channel before the session began. */
    public TlsSession(SSLEngine engine, SocketChannel channel, ByteBuffer prefix) {
        this.engine = engine;
        this.channel = channel;
        this.packetSize = engine.getSession().getPacketBufferSize();
        this.applicationSize = engine.getSession().getApplicationBufferSize();
        if (prefix.hasRemaining()) {
            this.netIn = prefix.remaining() > packetSize ? ByteBuffer.allocateDirect(prefix.remaining())
                    : ThreadBuffers.ofThisThread().direct(packetSize);
            this.netIn.put(prefix);
        }
    }

    /** How many buffers the session holds now: 0 to 3. */
    int heldBuffers() {
        return (netIn == null ? 0 : 1) + (netOut == null ? 0 : 1) + (appIn == null ? 0 : 1);
    }

    /** Gives back every buffer that holds nothing; each public call ends so. */
    private void releaseEmpty() {
        if (netIn != null && netIn.position() == 0) {
            ThreadBuffers.ofThisThread().giveBack(netIn);
            netIn = null;
        }
        if (netOut != null && !netOut.hasRemaining()) {
            ThreadBuffers.ofThisThread().giveBack(netOut);
            netOut = null;
        }
        if (appIn != null && !appIn.hasRemaining()) {
            ThreadBuffers.ofThisThread().giveBack(appIn);
            appIn = null;
        }
    }

    /** Forgets the session once the handshake made it: {@code proxy_ssl_session_reuse off}. */
    void forgetSessionWhenDone() {
        forgetSession = true;
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
    @Override
    public Progress handshake() throws IOException {
        try {
            return stepHandshake();
        } catch (SSLException e) {
            sendAlert();
            throw e;
        } finally {
            releaseEmpty();
        }
    }

    private Progress stepHandshake() throws IOException {
        if (!started) {
            engine.beginHandshake();
            started = true;
        }
        for (;;) {
            if (!drain()) {
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
                    if (forgetSession) {
                        engine.getSession().invalidate();
                    }
                    established = true;
                    return drain() ? Progress.DONE : Progress.NEED_WRITE;
                }
            }
        }
    }

    /**
     * Decrypts into {@code dst} until it is full or no whole record is left: the bytes read, 0 when none is there yet
     * (wait for {@code OP_READ}), or -1 once the peer closed (close_notify, or the connection's end).
     */
    @Override
    public int read(ByteBuffer dst) throws IOException {
        try {
            return readInto(dst);
        } finally {
            releaseEmpty();
        }
    }

    private int readInto(ByteBuffer dst) throws IOException {
        int total = 0;
        for (;;) {
            if (appIn != null && appIn.hasRemaining()) {
                int n = Math.min(appIn.remaining(), dst.remaining());
                dst.put(dst.position(), appIn, appIn.position(), n); // absolute: no slice to allocate
                dst.position(dst.position() + n);
                appIn.position(appIn.position() + n);
                total += n;
            }
            if (!dst.hasRemaining()) {
                return total;
            }
            if (peerClosed || !unwrap()) {
                return total > 0 ? total : peerClosed ? -1 : 0;
            }
        }
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        long total = 0;
        for (int i = offset; i < offset + length; i++) {
            if (!dsts[i].hasRemaining()) {
                continue;
            }
            int n = read(dsts[i]);
            if (n < 0) {
                return total > 0 ? total : -1;
            }
            total += n;
            if (dsts[i].hasRemaining()) {
                break;
            }
        }
        return total;
    }

    /** Encrypts what it can of {@code src} and writes it; returns the plaintext bytes taken. */
    @Override
    public int write(ByteBuffer src) throws IOException {
        single[0] = src;
        try {
            return (int) write(single, 0, 1);
        } finally {
            single[0] = null;
        }
    }

    /**
     * Encrypts what it can of {@code srcs} and writes it: records are made while the previous ones went out whole,
     * so at most one record's worth waits in {@link #hasPendingOutput()}. Returns the plaintext bytes taken.
     *
     * @throws IOException when the session can take no more (the peer closed it: a TLS 1.2 engine closes its own
     *     side on close_notify), as a write to a closed socket fails
     */
    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        long taken = 0;
        try {
            while (drain() && remaining(srcs, offset, length) > 0) {
                long before = remaining(srcs, offset, length);
                wrap(srcs, offset, length);
                long after = remaining(srcs, offset, length);
                if (after == before && !netOut.hasRemaining()) {
                    // Nothing taken and nothing to send: writing cannot go on. Saying 0 would leave the caller
                    // waiting for a writability that changes nothing.
                    throw new IOException(engine.isOutboundDone() ? "the peer closed the TLS session"
                            : "the TLS session takes no data (" + engine.getHandshakeStatus() + ")");
                }
                taken += before - after;
            }
            drain();
        } finally {
            releaseEmpty();
        }
        return taken;
    }

    /** Whether encrypted bytes still wait to be written: keep {@code OP_WRITE}. */
    @Override
    public boolean hasPendingOutput() {
        return netOut != null && netOut.hasRemaining();
    }

    /**
     * Whether plaintext, or a whole record not yet decrypted, waits: a read takes it without {@code OP_READ}. Part
     * of a record does not count: its rest comes with the socket's readiness.
     */
    @Override
    public boolean hasBufferedInput() {
        if (appIn != null && appIn.hasRemaining()) {
            return true;
        }
        if (netIn == null) {
            return false;
        }
        int held = netIn.position();
        return held >= RECORD_HEADER && held >= RECORD_HEADER + ((netIn.get(3) & 0xff) << 8 | netIn.get(4) & 0xff);
    }

    /** Writes what waits; whether nothing is left. */
    @Override
    public boolean flush() throws IOException {
        try {
            return drain();
        } finally {
            releaseEmpty();
        }
    }

    /** Writes the records that wait, as far as the channel takes them; whether none is left. */
    private boolean drain() throws IOException {
        while (netOut != null && netOut.hasRemaining()) {
            if (channel.write(netOut) == 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * Sends the alert the engine made of a failed handshake (a refused certificate, no common protocol, no
     * application protocol), as far as the channel takes it now, so the peer learns why; best effort.
     */
    private void sendAlert() {
        try {
            if (drain()) {
                wrap(EMPTY);
                drain();
            }
        } catch (IOException nothingMore) {
            // the connection is failing anyway: the exception that brought us here says why
        }
    }

    /** Sends close_notify as far as the channel takes it now, then shuts the socket's output. */
    @Override
    public void shutdownOutput() throws IOException {
        try {
            closeNotify();
            channel.shutdownOutput();
        } finally {
            releaseEmpty();
        }
    }

    /** Sends close_notify as far as the channel takes it now, then closes the socket. */
    @Override
    public void close() throws IOException {
        try {
            closeNotify();
        } finally {
            try {
                channel.close();
            } finally {
                releaseAll();
                releaseEngine();
            }
        }
    }

    /**
     * Frees what the engine of a provider over a native library (BoringSSL, OpenSSL: installed by the application
     * ahead of the JDK's) holds outside the heap, which it keeps until both its sides are closed: its inbound side
     * is closed too once the socket is. The JDK's own engine holds nothing there, and closing its inbound side
     * before the peer's close_notify would invalidate the session and cost its resumption, so it is left as it is.
     */
    private void releaseEngine() {
        if (engine.isInboundDone() || engine.getClass().getModule() == SSLEngine.class.getModule()) {
            return;
        }
        try {
            engine.closeInbound();
        } catch (SSLException truncated) {
            // the socket is closed: nothing more comes either way
        }
    }

    /** Gives back every buffer, whatever it holds: the connection is closed. */
    private void releaseAll() {
        ThreadBuffers buffers = ThreadBuffers.ofThisThread();
        for (ByteBuffer held : new ByteBuffer[] {netIn, netOut, appIn}) {
            if (held != null) {
                buffers.giveBack(held);
            }
        }
        netIn = null;
        netOut = null;
        appIn = null;
    }

    @Override
    public SocketChannel channel() {
        return channel;
    }

    private void closeNotify() throws IOException {
        engine.closeOutbound();
        while (!engine.isOutboundDone() && drain()) {
            wrap(EMPTY);
        }
        drain();
    }

    private static long remaining(ByteBuffer[] srcs, int offset, int length) {
        long remaining = 0;
        for (int i = offset; i < offset + length; i++) {
            remaining += srcs[i].remaining();
        }
        return remaining;
    }

    private void wrap(ByteBuffer src) throws SSLException {
        single[0] = src;
        try {
            wrap(single, 0, 1);
        } finally {
            single[0] = null;
        }
    }

    /** Encrypts from {@code srcs} into the outgoing records, which must be empty. */
    private void wrap(ByteBuffer[] srcs, int offset, int length) throws SSLException {
        if (netOut == null) {
            netOut = ThreadBuffers.ofThisThread().direct(packetSize);
        }
        netOut.clear();
        try {
            for (;;) {
                SSLEngineResult result = engine.wrap(srcs, offset, length, netOut);
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
        if (netIn == null) {
            netIn = ThreadBuffers.ofThisThread().direct(packetSize);
        }
        if (appIn == null) {
            appIn = ThreadBuffers.ofThisThread().heap(applicationSize);
            appIn.flip();
        }
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
                    if (established && isRenegotiation(result.getHandshakeStatus())) {
                        throw new SSLException("the peer began a renegotiation, which is refused as nginx refuses it");
                    }
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

    /**
     * Whether a handshake begins on an established session before TLS 1.3: a renegotiation, which nginx refuses
     * (each one costs the server a full handshake, and a client could ask for them without end). TLS 1.3 has none;
     * its messages after the handshake (a key update, a session ticket) go on as they are.
     */
    private boolean isRenegotiation(SSLEngineResult.HandshakeStatus status) {
        return status != SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING
                && status != SSLEngineResult.HandshakeStatus.FINISHED
                && !"TLSv1.3".equals(engine.getSession().getProtocol());
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
