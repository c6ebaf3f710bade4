package dev.sluice.internal.http;

import static dev.sluice.internal.http.Wire.bytes;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The hot-path promise of ARCHITECTURE.md: once a connection's buffers have grown, parsing, decoding and writing
 * allocate nothing. Measured with the JVM's per-thread allocation counter; the allowance below covers the counter's
 * own bookkeeping, far less than one object per iteration.
 */
class AllocationTest {

    private static final int WARM_UP = 2_000;
    private static final int RUNS = 5_000;
    private static final long ALLOWANCE = 1_024;

    private static com.sun.management.ThreadMXBean threads;

    @BeforeAll
    static void allocationCounterIsAvailable() {
        java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        assumeTrue(bean instanceof com.sun.management.ThreadMXBean, "no per-thread allocation counter");
        threads = (com.sun.management.ThreadMXBean) bean;
        assumeTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled());
    }

    private static long allocatedBy(Runnable once) {
        for (int i = 0; i < WARM_UP; i++) {
            once.run();
        }
        long id = Thread.currentThread().getId();
        long before = threads.getThreadAllocatedBytes(id);
        for (int i = 0; i < RUNS; i++) {
            once.run();
        }
        return threads.getThreadAllocatedBytes(id) - before;
    }

    private static void assertNoAllocation(Runnable once) {
        long bytes = allocatedBy(once);
        assertTrue(bytes < ALLOWANCE, () -> bytes + " bytes allocated in " + RUNS + " runs");
    }

    @Test
    void parsingABrowserRequestAndAskingItsDecisionsAllocatesNothing() {
        RequestParser parser = new RequestParser();
        ByteBuffer in = ByteBuffer.wrap(bytes(Samples.BROWSER_REQUEST));

        assertNoAllocation(() -> {
            parser.reset();
            in.rewind();
            check(parser.parse(in) == ParseResult.DONE);
            RequestHead head = parser.head();
            check(head.method() == "GET" && head.isMethod("GET") && head.isIdempotent());
            check(head.isKeepAlive() && !head.expectsContinue() && !head.isUpgrade());
            check(head.bodyFraming() == BodyFraming.NONE && head.contentLength() == -1);
            check(head.fields().indexOf("cookie") == 7 && head.fields().containsToken("connection", "keep-alive"));
            check(!head.isListedInConnection(0));
        });
    }

    @Test
    void normalisingAPathAndMatchingPrefixesAndAppendingItAllocateNothing() {
        RequestParser parser = new RequestParser();
        String target = "/api/../admin//" + "x".repeat(100) + "%2Fy%0d?q=1";
        ByteBuffer in = ByteBuffer.wrap(bytes("GET " + target + " HTTP/1.1\r\nHost: a\r\n\r\n"));
        StringBuilder uri = new StringBuilder(256);

        assertNoAllocation(() -> {
            parser.reset();
            in.rewind();
            check(parser.parse(in) == ParseResult.DONE);
            RequestHead head = parser.head();
            check(head.pathStartsWith("/admin/x") && !head.pathStartsWith("/api"));
            uri.setLength(0);
            head.appendPath(uri);
            check(uri.length() == 112);
        });
    }

    @Test
    void droppingFieldsWithInvalidNamesAllocatesNothing() {
        RequestParser parser = new RequestParser();
        ByteBuffer in = ByteBuffer.wrap(bytes("GET / HTTP/1.1\r\nHost: a\r\nX_Forwarded_For: 7.7.7.7\r\n"
                + "X.Dotted: 1\r\nAccept: */*\r\n\r\n"));

        assertNoAllocation(() -> {
            parser.reset();
            in.rewind();
            check(parser.parse(in) == ParseResult.DONE);
            check(parser.head().fields().size() == 2 && parser.head().fields().indexOf("accept") == 1);
        });
    }

    @Test
    void parsingARequestSplitAcrossReadsAllocatesNothing() {
        RequestParser parser = new RequestParser();
        byte[] raw = bytes(Samples.BROWSER_REQUEST);
        ByteBuffer first = ByteBuffer.wrap(raw, 0, 200).slice();
        ByteBuffer second = ByteBuffer.wrap(raw, 200, raw.length - 200).slice();

        assertNoAllocation(() -> {
            parser.reset();
            first.rewind();
            second.rewind();
            check(parser.parse(first) == ParseResult.NEED_MORE);
            check(parser.parse(second) == ParseResult.DONE);
        });
    }

    @Test
    void parsingAnUpstreamResponseAllocatesNothing() {
        ResponseParser parser = new ResponseParser();
        ByteBuffer in = ByteBuffer.wrap(bytes(Samples.UPSTREAM_RESPONSE));

        assertNoAllocation(() -> {
            parser.reset(false);
            in.rewind();
            check(parser.parse(in) == ParseResult.DONE);
            ResponseHead head = parser.head();
            check(head.isReusable() && head.contentLength() == 1234);
            check(head.keepAliveTimeout() == 5 && head.keepAliveMax() == 100);
        });
    }

    @Test
    void decodingAChunkedBodyWithTrailersAllocatesNothing() {
        ChunkedDecoder decoder = new ChunkedDecoder();
        ByteBuffer in = ByteBuffer.wrap(bytes("10;ext=1\r\n0123456789abcdef\r\n3\r\nxyz\r\n0\r\nX-Sum: 7\r\n\r\n"));

        assertNoAllocation(() -> {
            decoder.reset();
            in.rewind();
            ParseResult r;
            long payload = 0;
            while ((r = decoder.decode(in)) == ParseResult.DATA) {
                payload += decoder.payloadLength();
            }
            check(r == ParseResult.DONE && payload == 19 && decoder.trailers().indexOf("x-sum") == 0);
        });
    }

    @Test
    void writingAForwardedHeadAllocatesNothing() {
        RequestParser parser = new RequestParser();
        parser.parse(ByteBuffer.wrap(bytes(Samples.BROWSER_REQUEST)));
        HttpFields fields = parser.head().fields();
        ByteBuffer out = ByteBuffer.allocate(2048);

        assertNoAllocation(() -> {
            out.clear();
            HeadWriter.requestLine(out, parser.head());
            HeadWriter.field(out, "Host", "backend");
            for (int i = 1; i < fields.size(); i++) {
                HeadWriter.copyField(out, fields, i);
            }
            HeadWriter.field(out, "Content-Length", 0);
            HeadWriter.endHead(out);
            out.clear();
            HeadWriter.errorResponse(out, 502, false);
        });
    }

    @Test
    void stringsAreTheDocumentedExceptionAndTheCounterSeesThem() {
        RequestParser parser = new RequestParser();
        ByteBuffer in = ByteBuffer.wrap(bytes(Samples.BROWSER_REQUEST));

        long bytes = allocatedBy(() -> {
            parser.reset();
            in.rewind();
            parser.parse(in);
            check(parser.head().target().length() == 32);
        });

        assertTrue(bytes > RUNS * 32L, () -> "target() should build a String per request, saw " + bytes + " bytes");
    }

    private static void check(boolean condition) {
        if (!condition) {
            throw new AssertionError("unexpected parse outcome");
        }
    }
}
