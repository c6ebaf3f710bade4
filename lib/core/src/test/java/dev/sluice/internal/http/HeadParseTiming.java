package dev.sluice.internal.http;

import static dev.sluice.internal.http.Wire.bytes;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A rough timing of the hot paths, for a figure until the benchmarks module has a JMH suite for them. Not a test:
 * run it by hand, ideally on a quiet machine; the minimum over many short rounds is the figure to quote.
 *
 * <pre>
 * mvn -q -B -pl lib/core test-compile
 * java -cp lib/target/classes:lib/target/test-classes dev.sluice.internal.http.HeadParseTiming
 * </pre>
 */
final class HeadParseTiming {

    private static final int WARM_UP = 500_000;
    private static final int ROUNDS = 60;
    private static final int PER_ROUND = 50_000;

    private HeadParseTiming() {
    }

    public static void main(String[] args) {
        RequestParser requests = new RequestParser();
        ByteBuffer request = ByteBuffer.wrap(bytes(Samples.BROWSER_REQUEST));
        report("request head, " + request.remaining() + " bytes, 10 fields", () -> {
            requests.reset();
            request.rewind();
            return requests.parse(request) == ParseResult.DONE && requests.head().isKeepAlive() ? 1 : 0;
        });

        ResponseParser responses = new ResponseParser();
        ByteBuffer response = ByteBuffer.wrap(bytes(Samples.UPSTREAM_RESPONSE));
        report("response head, " + response.remaining() + " bytes, 6 fields", () -> {
            responses.reset(false);
            response.rewind();
            return responses.parse(response) == ParseResult.DONE ? (int) responses.head().contentLength() : 0;
        });

        ChunkedDecoder chunked = new ChunkedDecoder();
        ByteBuffer body = ByteBuffer.wrap(bytes(("400\r\n" + "x".repeat(1024) + "\r\n").repeat(4) + "0\r\n\r\n"));
        report("chunked scan, 4 x 1 KiB chunks", () -> {
            chunked.reset();
            body.rewind();
            return chunked.scan(body) == ParseResult.DONE ? 1 : 0;
        });
    }

    interface Op {
        int run();
    }

    private static void report(String what, Op op) {
        long sink = 0;
        for (int i = 0; i < WARM_UP; i++) {
            sink += op.run();
        }
        double[] nanos = new double[ROUNDS];
        for (int round = 0; round < ROUNDS; round++) {
            long start = System.nanoTime();
            for (int i = 0; i < PER_ROUND; i++) {
                sink += op.run();
            }
            nanos[round] = (System.nanoTime() - start) / (double) PER_ROUND;
        }
        // Many short rounds: on a shared machine the fastest ones are the least disturbed.
        Arrays.sort(nanos);
        System.out.printf("%-40s min %6.1f ns/op, median %6.1f ns/op (sink %d)%n",
                what, nanos[0], nanos[ROUNDS / 2], sink);
    }
}
