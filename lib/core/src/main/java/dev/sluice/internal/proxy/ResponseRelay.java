package dev.sluice.internal.proxy;

import dev.sluice.Route;
import dev.sluice.internal.http.BodyDecoder;
import dev.sluice.internal.http.BodyFraming;
import dev.sluice.internal.http.ChunkedDecoder;
import dev.sluice.internal.http.ContentLengthDecoder;
import dev.sluice.internal.http.HttpFields;
import dev.sluice.internal.http.HttpVersion;
import dev.sluice.internal.http.ParseResult;
import dev.sluice.internal.http.RequestHead;
import dev.sluice.internal.http.ResponseHead;
import dev.sluice.internal.net.BufferPool;
import dev.sluice.internal.net.Wire;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Moves one response body from the peer to the client with memory bounded by configuration, whatever the size of
 * the response and the speeds of both sides: nginx's event pipe ({@code proxy_buffering on}) and its non-buffered
 * relay ({@code proxy_buffering off}), without the temporary file.
 *
 * <p><b>Buffered</b> ({@code proxy_buffering on}): the peer is read ahead into at most {@code proxy_buffers N SIZE}
 * buffers while the client is slower. They are taken from the loop's pool when first needed (one, then every one
 * left as soon as a read, the head's included, filled all it was given: a response that trickles takes one, and
 * one that comes faster is read N × SIZE at a time, in as few reads and writes as the buffers allow) and kept
 * until the response ends. When all N hold bytes the client has not taken, reading from the peer stops until the
 * client takes some: a slow client costs N × SIZE and slows the peer down, never more. A response that fits in the
 * buffers is read whole at once, and the exchange then releases the peer (to the keepalive pool) before the client
 * has it all, as nginx finalizes the upstream when it is done while the client still drains. Nothing goes to a
 * temporary file: nginx with {@code proxy_max_temp_file_size 0}.
 *
 * <p><b>Unbuffered</b> ({@code proxy_buffering off}): the buffer the head was read into is the only one; the peer is
 * read only when the client took everything read before, and every read is written to the client at once.
 *
 * <p>Either way a byte is written to the client as soon as the client can take it. nginx holds a partly filled
 * buffer back until it fills (for a body with a Content-Length or one read until close), which is why server-sent
 * events need {@code proxy_buffering off} behind nginx; Sluice holds bytes back only to save a write, so buffering
 * adds read-ahead and no delay. Two waits save one: when the last read filled all it was given, the peer has more at
 * once, and a buffered relay reads it into the buffers still free before writing both, one larger write instead of
 * two; and a buffered response whose head and whole Content-Length body fit in {@value #POSTPONE_OUTPUT} bytes keeps
 * its head, and the part of the body that came with it, until the rest is in (a peer often sends head and body in
 * separate packets), as nginx's {@code postpone_output 1460} keeps output that small: the client gets the response in
 * one write and wakes once for it, not twice.
 * {@link #buffering} applies the upstream's {@code X-Accel-Buffering}.
 *
 * <p>The body's framing is checked as it passes (Content-Length, chunked) and forwarded intact, or without the chunk
 * framing for an HTTP/1.0 client ({@code dechunk}), in place in the same buffers. Bytes after the end of the body
 * are not forwarded and keep the connection from the pool. A body the peer ends by closing goes to an HTTP/1.1
 * client chunked ({@link #chunks}), as nginx's {@code chunked_transfer_encoding} sends it: each write is one chunk
 * over what is queued, and the last chunk follows the peer's close, so a client can tell a whole body from one the
 * peer broke off, and its connection stays open for the next request.
 *
 * <p>One per client connection, reused for each response; used on its loop only.
 */
final class ResponseRelay {

    /** What {@link #pump} stopped at. */
    enum Step {
        /** Waiting for the peer ({@link #wantsUpstream()}) or for the client to take what is queued. */
        WAIT,
        /** The whole body was read and written. */
        DONE,
        /** The peer failed or broke the framing before the end of the body; what came before it was written. */
        BROKEN,
        /** The exchange ended while the client was written to (it went away): nothing more to do. */
        STOPPED
    }

    private static final ByteBuffer[] NONE = new ByteBuffer[0];
    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] LAST_CHUNK = {'0', '\r', '\n', '\r', '\n'};
    /** The most a head and its body may hold for the head to wait for the body: nginx's {@code postpone_output}. */
    static final int POSTPONE_OUTPUT = 1460;

    private final Exchange exchange;
    private final LoopContext loop;
    private final ContentLengthDecoder lengthDecoder = new ContentLengthDecoder();
    private final ChunkedDecoder chunkedDecoder = new ChunkedDecoder();

    private boolean active;
    private boolean buffered;
    private boolean dechunk;
    /** Whether the body, read until the peer closes, goes to the client chunked. */
    private boolean chunk;
    /** The chunk being written, open while any of it is left: its size line, the queued buffers it covers, its end. */
    private int chunkBuffers;
    private final ByteBuffer chunkSize = ByteBuffer.allocate(18);
    private final ByteBuffer chunkEnd = ByteBuffer.wrap(CRLF);
    private final ByteBuffer lastChunk = ByteBuffer.wrap(LAST_CHUNK);
    /** The body's framing, or null for a body read until close (or none at all). */
    private BodyDecoder decoder;
    /** Whether the whole body was read from the peer. */
    private boolean complete;
    /** Whether the peer sent bytes after the end of the body. */
    private boolean surplus;
    private boolean broken;
    /** Whether the last flush left nothing queued. */
    private boolean drained;
    private boolean lastReadFilled;
    /** Whether the client's head waits for the rest of a body small enough to go with it in one write. */
    private boolean postponed;

    /** The buffer the head was read into, with the bytes that followed it; this relay's until {@link #end()}. */
    private ByteBuffer headBuffer;
    private BufferPool pool;
    private int maxBuffers;
    /** Every buffer taken from the pool for this response. */
    private ByteBuffer[] taken = NONE;
    private int takenCount;
    private ByteBuffer[] free = NONE;
    private int freeCount;
    /** Buffers holding bytes for the client, oldest first (a ring). */
    private ByteBuffer[] queue = NONE;
    private int queueFirst;
    private int queueCount;
    private ByteBuffer[] gather = NONE;
    private ByteBuffer[] reads = NONE;

    ResponseRelay(Exchange exchange, LoopContext loop) {
        this.exchange = exchange;
        this.loop = loop;
    }

    /**
     * Whether a response is buffered: the route's {@code proxy_buffering}, unless the response says {@code
     * X-Accel-Buffering: yes} or {@code no} (any case; other values are ignored, the last valid one wins), as nginx
     * honours it when {@code proxy_ignore_headers} ({@link Route#followsAccelBuffering}) does not name it.
     */
    static boolean buffering(ResponseHead head, Route route) {
        boolean buffering = route.buffering();
        if (!route.followsAccelBuffering()) {
            return buffering;
        }
        HttpFields fields = head.fields();
        for (int i = fields.indexOf("X-Accel-Buffering"); i >= 0; i = fields.indexOf("X-Accel-Buffering", i + 1)) {
            if (fields.valueEqualsIgnoreCase(i, "yes")) {
                buffering = true;
            } else if (fields.valueEqualsIgnoreCase(i, "no")) {
                buffering = false;
            }
        }
        return buffering;
    }

    /**
     * Whether the body of {@code head} goes to the client chunked: the peer ends it by closing and the client speaks
     * HTTP/1.1, as nginx's {@code chunked_transfer_encoding on} (its default) decides.
     */
    static boolean chunks(ResponseHead head, RequestHead request) {
        return head.bodyFraming() == BodyFraming.UNTIL_CLOSE && request.version() == HttpVersion.HTTP_1_1;
    }

    /**
     * Starts relaying the body of {@code head}, chunked for the client when {@code chunk} ({@link #chunks}).
     * {@code headBuffer} (read mode, holding what followed the head) becomes this relay's until {@link #end()},
     * which gives it back to the loop's pool.
     */
    void begin(ResponseHead head, ByteBuffer headBuffer, Route route, boolean buffered, boolean dechunk,
            boolean chunk) {
        this.headBuffer = headBuffer;
        this.active = true;
        this.buffered = buffered;
        this.complete = false;
        this.surplus = false;
        this.broken = false;
        this.drained = false;
        this.lastReadFilled = headBuffer.limit() == headBuffer.capacity(); // the head's read filled its buffer
        BodyFraming framing = head.bodyFraming();
        this.dechunk = dechunk && framing == BodyFraming.CHUNKED;
        this.chunk = chunk;
        this.chunkBuffers = 0;
        chunkSize.clear().limit(0);
        chunkEnd.position(chunkEnd.limit());
        lastChunk.clear();
        if (framing == BodyFraming.CONTENT_LENGTH) {
            lengthDecoder.reset(head.contentLength());
            decoder = lengthDecoder;
            complete = lengthDecoder.isDone();
        } else if (framing == BodyFraming.CHUNKED) {
            chunkedDecoder.reset();
            decoder = chunkedDecoder;
        } else {
            decoder = null;
            complete = framing != BodyFraming.UNTIL_CLOSE;
        }
        ByteBuffer clientHead = exchange.output().pending();
        postponed = buffered && !complete && decoder == lengthDecoder && clientHead != null
                && head.contentLength() <= POSTPONE_OUTPUT - clientHead.remaining();
        if (buffered) {
            pool = loop.buffers(route.buffersSize());
            maxBuffers = route.buffersCount();
        } else {
            pool = null;
            maxBuffers = 0;
        }
        if (taken.length < maxBuffers) {
            taken = new ByteBuffer[maxBuffers];
            free = new ByteBuffer[maxBuffers];
            reads = new ByteBuffer[maxBuffers];
        }
        if (queue.length < maxBuffers + 1) {
            queue = new ByteBuffer[maxBuffers + 1];
            gather = new ByteBuffer[maxBuffers + 5]; // the client's head, a chunk's size line and end, the last chunk
        }
        takenCount = 0;
        freeCount = 0;
        queueFirst = 0;
        queueCount = 0;
        if (headBuffer.hasRemaining()) {
            frame(headBuffer, headBuffer.position(), headBuffer.limit());
            if (headBuffer.hasRemaining()) {
                enqueue(headBuffer);
            }
        }
        releaseHeadBufferIfDone();
    }

    /**
     * Buffered, the head's buffer is never read into again: once what followed the head has gone to the client, it
     * goes back to the loop instead of waiting for the end of a response that may stream for minutes.
     */
    private void releaseHeadBufferIfDone() {
        if (buffered && headBuffer != null && !headBuffer.hasRemaining()) {
            loop.buffers(headBuffer.capacity()).release(headBuffer);
            headBuffer = null;
        }
    }

    /**
     * Writes what is queued to the client and reads from {@code peer} while there is room, until one side has to
     * wait or the body is over. {@code peer} is null once the exchange released it (the body was read whole).
     */
    Step pump(Wire peer) {
        for (;;) {
            if (buffered && lastReadFilled && peer != null && !complete && !broken && roomToRead()) {
                read(peer); // the last read left more at the peer: take it too, and write both in one go
            }
            boolean all = holdsHead() || flush();
            if (!active) {
                return Step.STOPPED;
            }
            if (all && complete) {
                return Step.DONE;
            }
            if (all && broken) {
                return Step.BROKEN;
            }
            if (peer == null || complete || broken || !roomToRead()) {
                return Step.WAIT;
            }
            if (read(peer) == 0) {
                return Step.WAIT;
            }
        }
    }

    /**
     * Whether the client's head waits for the rest of its small body: until the body is in, the peer broke off, or
     * the buffers are full (a body dripped a byte at a time fills one buffer a read).
     */
    private boolean holdsHead() {
        return postponed && !complete && !broken && roomToRead();
    }

    /**
     * The response ends before its body did (the peer timed out or went away): what a waiting head held back goes to
     * the client before the connection closes, as nginx flushes its postponed output then.
     */
    void breakOff() {
        if (active && postponed) {
            postponed = false;
            flush();
        }
    }

    /** Whether the relay waits for bytes from the peer: the peer's read interest and read timeout are then on. */
    boolean wantsUpstream() {
        return active && !complete && !broken && roomToRead();
    }

    /** Whether the whole body has been read from the peer (it may still be on its way to the client). */
    boolean isComplete() {
        return complete;
    }

    /** Whether the peer sent bytes after the end of the body. */
    boolean hasSurplus() {
        return surplus;
    }

    /** Body buffers this response holds now, besides the head buffer. */
    int buffersHeld() {
        return takenCount;
    }

    /** Ends the relay and gives every buffer back; idempotent. */
    void end() {
        active = false;
        for (int i = 0; i < takenCount; i++) {
            pool.release(taken[i]);
            taken[i] = null;
        }
        if (takenCount > 0) {
            loop.meter().responseBuffersReturned(takenCount);
            takenCount = 0;
        }
        java.util.Arrays.fill(free, 0, freeCount, null);
        freeCount = 0;
        for (int i = 0; i < queueCount; i++) {
            queue[(queueFirst + i) % queue.length] = null;
        }
        queueCount = 0;
        if (headBuffer != null) {
            loop.buffers(headBuffer.capacity()).release(headBuffer);
            headBuffer = null;
        }
    }

    private boolean roomToRead() {
        return buffered ? freeCount > 0 || takenCount < maxBuffers : drained;
    }

    /**
     * Writes the client head still queued and the queued body bytes in one gathering write; true when nothing is
     * left to write. Chunked, a write takes the chunk open (or one opened over everything queued) and, once the peer
     * closed and every byte went in a chunk, the last chunk; bytes queued while a chunk was still being written go in
     * the next chunk, written at once if the client took the whole one before it.
     */
    private boolean flush() {
        boolean all;
        do {
            int count = 0;
            ByteBuffer head = exchange.output().pending();
            if (head != null) {
                gather[count++] = head;
            }
            count = chunk ? gatherChunk(count) : gatherQueue(count);
            all = exchange.output().write(gather, count);
            for (int i = 0; i < count; i++) {
                gather[i] = null;
            }
            if (!active) {
                return false;
            }
            while (queueCount > 0 && !queue[queueFirst].hasRemaining()) {
                ByteBuffer sent = queue[queueFirst];
                queue[queueFirst] = null;
                queueFirst = (queueFirst + 1) % queue.length;
                queueCount--;
                chunkBuffers = Math.max(0, chunkBuffers - 1);
                if (sent != headBuffer) {
                    sent.clear();
                    free[freeCount++] = sent;
                }
            }
        } while (all && chunk && (queueCount > 0 || complete && !broken && lastChunk.hasRemaining()));
        releaseHeadBufferIfDone();
        drained = all;
        return all;
    }

    private int gatherQueue(int count) {
        for (int i = 0; i < queueCount; i++) {
            gather[count++] = queue[(queueFirst + i) % queue.length];
        }
        return count;
    }

    /** Gathers the chunk being written, opening one over everything queued if none is, then the last chunk. */
    private int gatherChunk(int count) {
        if (!chunkOpen() && queueCount > 0) {
            long size = 0;
            for (int i = 0; i < queueCount; i++) {
                size += queue[(queueFirst + i) % queue.length].remaining();
            }
            chunkSize.clear();
            putHex(chunkSize, size);
            chunkSize.put(CRLF).flip();
            chunkEnd.clear();
            chunkBuffers = queueCount;
        }
        if (chunkOpen()) {
            gather[count++] = chunkSize;
            for (int i = 0; i < chunkBuffers; i++) {
                gather[count++] = queue[(queueFirst + i) % queue.length];
            }
            gather[count++] = chunkEnd;
        }
        if (complete && !broken && chunkBuffers == queueCount) {
            gather[count++] = lastChunk;
        }
        return count;
    }

    private boolean chunkOpen() {
        return chunkBuffers > 0 || chunkSize.hasRemaining() || chunkEnd.hasRemaining();
    }

    private static void putHex(ByteBuffer out, long n) {
        int digits = Math.max(1, (67 - Long.numberOfLeadingZeros(n)) / 4);
        for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) {
            out.put((byte) Character.forDigit((int) (n >>> shift) & 0xf, 16));
        }
    }

    /** Reads once from the peer into the free room; 0 when it had nothing, else 1 (bytes, the end, or an error). */
    private int read(Wire peer) {
        long n;
        int count = 0;
        if (buffered) {
            while (freeCount > 0) {
                reads[count++] = free[--freeCount];
                free[freeCount] = null;
            }
            // One buffer for a response that trickles; every one left once a read filled all it was given.
            int more = lastReadFilled ? maxBuffers - takenCount : count == 0 && takenCount < maxBuffers ? 1 : 0;
            for (int i = 0; i < more; i++) {
                ByteBuffer b = pool.acquire();
                taken[takenCount++] = b;
                loop.meter().responseBufferTaken();
                reads[count++] = b;
            }
        } else {
            headBuffer.clear();
        }
        try {
            n = buffered ? peer.read(reads, 0, count) : peer.read(headBuffer);
        } catch (IOException e) {
            n = -2;
        }
        if (n > 0) {
            exchange.countReceived(n);
        }
        if (buffered) {
            lastReadFilled = n > 0 && !reads[count - 1].hasRemaining();
            for (int i = 0; i < count; i++) {
                ByteBuffer b = reads[i];
                reads[i] = null;
                int end = b.position();
                if (end > 0) {
                    frame(b, 0, end);
                }
                if (b.hasRemaining() && end > 0) {
                    enqueue(b);
                } else {
                    b.clear();
                    free[freeCount++] = b;
                }
            }
        } else {
            headBuffer.flip();
            if (n > 0) {
                frame(headBuffer, 0, headBuffer.limit());
                if (headBuffer.hasRemaining()) {
                    enqueue(headBuffer);
                }
            }
        }
        if (n < 0) {
            if (decoder == null && n == -1 && !complete) {
                complete = true; // read until close, and closed
            } else if (!complete) {
                broken = true;
            }
        }
        return n == 0 ? 0 : 1;
    }

    /**
     * Frames the bytes {@code b[from, to)} that just arrived: keeps those of the body (without chunk framing when
     * dechunking, moved down in place), notes the end of the body and anything after it, and counts what goes to
     * the client. Leaves {@code b} positioned at {@code from} with its limit after the kept bytes.
     */
    private void frame(ByteBuffer b, int from, int to) {
        int end;
        if (complete || broken) {
            surplus |= to > from && complete;
            end = from;
        } else if (decoder == null) {
            end = to;
        } else {
            b.limit(to).position(from);
            end = dechunk ? dechunk(b, from) : scan(b);
            if (complete && b.position() < to) {
                surplus = true;
            }
        }
        b.limit(end).position(from);
        exchange.countBody(end - from);
    }

    /** Checks the framing of {@code b}'s bytes, forwarded as they are; the end of what belongs to the body. */
    private int scan(ByteBuffer b) {
        int from = b.position();
        ParseResult result = decoder.scan(b);
        if (result == ParseResult.ERROR) {
            broken = true;
            return from;
        }
        complete = result == ParseResult.DONE;
        return b.position();
    }

    /** Moves the payload of {@code b}'s chunks down to {@code cursor}, dropping the framing; the end of the payload. */
    private int dechunk(ByteBuffer b, int cursor) {
        for (;;) {
            ParseResult result = decoder.decode(b);
            if (result == ParseResult.DATA) {
                int length = decoder.payloadLength();
                b.put(cursor, b, decoder.payloadStart(), length);
                cursor += length;
            } else {
                if (result == ParseResult.ERROR) {
                    broken = true;
                }
                complete = result == ParseResult.DONE;
                return cursor;
            }
        }
    }

    private void enqueue(ByteBuffer b) {
        queue[(queueFirst + queueCount) % queue.length] = b;
        queueCount++;
    }
}
