package dev.sluice.internal.tls;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * The buffers TLS sessions borrow while those hold bytes, one set per thread: the sessions of an event loop run on
 * its thread alone, so nothing here is shared. A session takes a buffer when a record arrives or is made and gives
 * it back once it is empty, so an idle keep-alive connection holds none, as nginx's with OpenSSL's released buffers
 * holds none; each thread keeps up to {@value #KEEP} of each kind for the next session that needs one.
 */
final class TlsBuffers {

    /** How many empty buffers of each kind a thread keeps: about 1 MiB of each. */
    static final int KEEP = 64;

    private static final ThreadLocal<TlsBuffers> PER_THREAD = ThreadLocal.withInitial(TlsBuffers::new);

    /** Direct, for records: the socket reads into and writes from them without a copy. */
    private final ArrayDeque<ByteBuffer> packets = new ArrayDeque<>();
    /** On the heap, for plaintext, which a read copies out. */
    private final ArrayDeque<ByteBuffer> plaintexts = new ArrayDeque<>();

    private TlsBuffers() {
    }

    /** The buffers of the calling thread. */
    static TlsBuffers ofThisThread() {
        return PER_THREAD.get();
    }

    /** A direct buffer of at least {@code size} bytes, cleared. */
    ByteBuffer packet(int size) {
        ByteBuffer kept = packets.poll();
        return kept != null && kept.capacity() >= size ? kept.clear() : ByteBuffer.allocateDirect(size);
    }

    /** A heap buffer of at least {@code size} bytes, cleared. */
    ByteBuffer plaintext(int size) {
        ByteBuffer kept = plaintexts.poll();
        return kept != null && kept.capacity() >= size ? kept.clear() : ByteBuffer.allocate(size);
    }

    /** Takes back a buffer no session holds any more; beyond {@value #KEEP} of its kind it is left to the collector. */
    void release(ByteBuffer buffer) {
        ArrayDeque<ByteBuffer> kind = buffer.isDirect() ? packets : plaintexts;
        if (kind.size() < KEEP) {
            kind.push(buffer);
        }
    }
}
