package dev.sluice.internal.net;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * The bytes of one connection as the exchange sees them: the socket's own for plain HTTP ({@link #plain}), or
 * decrypted and encrypted on their way for TLS. Every call returns at once with what it could do, as a
 * non-blocking {@link SocketChannel}'s do, so the loops drive both kinds alike.
 *
 * <p>Two things a plain socket never does, which a user of a wire must allow for: a write may take every byte yet
 * keep some of its output ({@link #hasPendingOutput()}; {@link #flush()} it under {@code OP_WRITE}), and a read that
 * stopped because its buffer was full may leave input the socket will not signal again ({@link #hasBufferedInput()}:
 * read on without waiting for {@code OP_READ}).
 */
public interface Wire {

    /** What a handshake needs before it can go on. */
    enum Progress {
        /** Finished: application data may flow. */
        DONE,
        /** Waiting for the peer's bytes: register {@code OP_READ}. */
        NEED_READ,
        /** Bytes wait to be written: register {@code OP_WRITE}. */
        NEED_WRITE
    }

    /** The plain wire over {@code channel}. */
    static Wire plain(SocketChannel channel) {
        return new PlainWire(channel);
    }

    /**
     * Takes the connection's handshake as far as the socket lets it now; a plain wire has none and is {@link
     * Progress#DONE} at once.
     *
     * @throws IOException when the handshake failed: the peer's alert, a certificate refused, the connection's end
     */
    Progress handshake() throws IOException;

    /** Reads into {@code dst}: the bytes read, 0 when none is there yet, -1 once the peer ended its stream. */
    int read(ByteBuffer dst) throws IOException;

    /** Reads into {@code dsts[offset..offset+length)} in order, as {@link #read(ByteBuffer)} reads into one. */
    long read(ByteBuffer[] dsts, int offset, int length) throws IOException;

    /** Writes what it can of {@code src}; the bytes taken. */
    int write(ByteBuffer src) throws IOException;

    /** Writes what it can of {@code srcs[offset..offset+length)} in order; the bytes taken. */
    long write(ByteBuffer[] srcs, int offset, int length) throws IOException;

    /** Writes output the wire still holds; whether none is left. */
    boolean flush() throws IOException;

    /** Whether taken bytes still wait to go out: keep {@code OP_WRITE} and {@link #flush()}. */
    boolean hasPendingOutput();

    /** Whether bytes already off the socket wait to be read: a read gets them with no {@code OP_READ} to come. */
    boolean hasBufferedInput();

    /** Ends this side's stream (TLS: close_notify first), leaving the other direction open. */
    void shutdownOutput() throws IOException;

    /** Closes the connection (TLS: after a close_notify as far as the socket takes it now). */
    void close() throws IOException;

    /** The socket underneath. */
    SocketChannel channel();
}
