package dev.sluice.internal.net;

import java.nio.ByteBuffer;

/**
 * The working memory connections borrow from their thread while they need it, so that an idle one holds none: the
 * arrays head parsers copy heads into, the buffers heads are written into, the buffers of TLS records. A connection's
 * parts take what they need when a request begins and give it back when the connection waits for its next request
 * (nginx frees its request pool and header buffer then, and OpenSSL its record buffers); every connection of an event
 * loop runs on that loop's thread, so nothing here is shared or locked.
 *
 * <p>Kept per size: the first request for a size opens a shelf for it, and a returned array or buffer is kept only
 * on the shelf of its exact size, up to {@value #KEEP_BYTES} bytes and {@value #KEEP_COUNT} of them; one of a size
 * no one asked for (a buffer a writer grew by itself) goes to the collector. Up to {@value #MAX_SHELVES} sizes are
 * kept; beyond that, a size is served without being kept, and so is one larger than a shelf holds. In steady state
 * taking and giving back allocate nothing.
 *
 * <p>What is given back must not be used afterwards, and is given back once.
 */
public final class ThreadBuffers {

    /** The most bytes one shelf keeps: 1,024 arrays of 1 KiB, 64 of 16 KiB. */
    static final int KEEP_BYTES = 1 << 20;
    /** The smallest size {@link #heapAtLeast} lends. */
    static final int MIN_ROUNDED = 1024;
    /** The most arrays or buffers one shelf keeps. */
    static final int KEEP_COUNT = 1024;
    /** The most sizes kept. */
    static final int MAX_SHELVES = 24;

    private static final ThreadLocal<ThreadBuffers> PER_THREAD = ThreadLocal.withInitial(ThreadBuffers::new);

    private enum Kind { ARRAY, HEAP, DIRECT }

    private final Shelf[] shelves = new Shelf[MAX_SHELVES];
    private int shelfCount;
    private long made;

    private ThreadBuffers() {
    }

    /** The working memory of the calling thread. */
    public static ThreadBuffers ofThisThread() {
        return PER_THREAD.get();
    }

    /** An array of exactly {@code size} bytes, its content undefined. */
    public byte[] array(int size) {
        Object kept = take(Kind.ARRAY, size);
        return kept != null ? (byte[]) kept : new byte[size];
    }

    /** A heap buffer of exactly {@code size} bytes, cleared. */
    public ByteBuffer heap(int size) {
        Object kept = take(Kind.HEAP, size);
        return kept != null ? ((ByteBuffer) kept).clear() : ByteBuffer.allocate(size);
    }

    /**
     * A heap buffer of at least {@code size} bytes, cleared: {@code size} rounded up to a power of two from 1 KiB, so
     * that heads of every length share a few sizes.
     */
    public ByteBuffer heapAtLeast(int size) {
        return heap(size <= MIN_ROUNDED ? MIN_ROUNDED : Integer.highestOneBit(size - 1) << 1);
    }

    /**
     * Gives {@code old} back and lends a heap buffer of at least {@code size} bytes instead, cleared: for a writer
     * that found {@code old} too small and writes again from the start.
     */
    public ByteBuffer replace(ByteBuffer old, int size) {
        giveBack(old);
        return heapAtLeast(size);
    }

    /** A direct buffer of exactly {@code size} bytes, cleared: sockets read into and write from it without a copy. */
    public ByteBuffer direct(int size) {
        Object kept = take(Kind.DIRECT, size);
        return kept != null ? ((ByteBuffer) kept).clear() : ByteBuffer.allocateDirect(size);
    }

    /** Takes back an array no one uses any more. */
    public void giveBack(byte[] array) {
        keep(Kind.ARRAY, array.length, array);
    }

    /** Takes back a buffer no one uses any more. */
    public void giveBack(ByteBuffer buffer) {
        keep(buffer.isDirect() ? Kind.DIRECT : Kind.HEAP, buffer.capacity(), buffer);
    }

    /**
     * How many arrays and buffers of the sizes kept were made since the thread began; less {@link #keptCount()}, how
     * many are lent now (while no shelf was full when one came back).
     */
    public long madeCount() {
        return made;
    }

    /** How many arrays and buffers wait on the shelves. */
    public int keptCount() {
        int count = 0;
        for (int i = 0; i < shelfCount; i++) {
            count += shelves[i].count;
        }
        return count;
    }

    private Object take(Kind kind, int size) {
        Shelf shelf = shelf(kind, size);
        if (shelf == null && shelfCount < MAX_SHELVES && size <= KEEP_BYTES) {
            shelf = new Shelf(kind, size);
            shelves[shelfCount++] = shelf;
        }
        if (shelf == null) {
            return null;
        }
        Object kept = shelf.take();
        if (kept == null) {
            made++;
        }
        return kept;
    }

    private void keep(Kind kind, int size, Object item) {
        Shelf shelf = shelf(kind, size);
        if (shelf != null) {
            shelf.keep(item);
        }
    }

    private Shelf shelf(Kind kind, int size) {
        for (int i = 0; i < shelfCount; i++) {
            Shelf shelf = shelves[i];
            if (shelf.size == size && shelf.kind == kind) {
                return shelf;
            }
        }
        return null;
    }

    /** The kept arrays or buffers of one kind and size, last in first out. */
    private static final class Shelf {
        final Kind kind;
        final int size;
        final Object[] items;
        int count;

        Shelf(Kind kind, int size) {
            this.kind = kind;
            this.size = size;
            this.items = new Object[Math.min(KEEP_COUNT, KEEP_BYTES / Math.max(1, size))];
        }

        Object take() {
            if (count == 0) {
                return null;
            }
            Object item = items[--count];
            items[count] = null;
            return item;
        }

        void keep(Object item) {
            if (count < items.length) {
                items[count++] = item;
            }
        }
    }
}
