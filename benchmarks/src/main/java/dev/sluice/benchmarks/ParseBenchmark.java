package dev.sluice.benchmarks;

import dev.sluice.internal.http.ParseResult;
import dev.sluice.internal.http.RequestHead;
import dev.sluice.internal.http.RequestParser;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of parsing a typical browser request head (520 bytes, 10 fields) with the strict {@link RequestParser}
 * a client connection keeps, from the direct buffer the connection reads into:
 * <ul>
 *   <li>{@code parse}: {@code reset()} then {@code parse()} to {@code DONE}, every rule checked (request line,
 *       Host, framing, Connection options);</li>
 *   <li>{@code parseAndRead}: the same, then what the proxy reads of each request before it picks a route and
 *       writes the upstream head: target, keep-alive, framing, idempotency, upgrade, Expect. {@code target()}
 *       builds the one String a request costs.</li>
 * </ul>
 *
 * <pre>{@code java -jar benchmarks/target/benchmarks.jar ParseBenchmark -prof gc}</pre>
 * {@link HotPathCpuTime} runs the same parses timed by CPU time, for a machine shared with other work.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
@Fork(value = 1, jvmArgsAppend = {"-Xms256m", "-Xmx256m"})
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
public class ParseBenchmark {

    /** A GET as a browser sends it through a proxy: 10 fields, 520 bytes. */
    static final String TYPICAL_HEAD = "GET /api/v2/orders/483920/items?page=2&sort=price&order=desc HTTP/1.1\r\n"
            + "Host: shop.example.com\r\n"
            + "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\r\n"
            + "Accept: application/json, text/plain, */*\r\n"
            + "Accept-Language: en-GB,en;q=0.7,de;q=0.3\r\n"
            + "Accept-Encoding: gzip, deflate, br, zstd\r\n"
            + "Referer: https://shop.example.com/orders/483920\r\n"
            + "Cookie: session=8f14e45fceea167a5a36dedd4bea2543; theme=dark; cart=3\r\n"
            + "X-Request-Id: 6f1c2a9e-0b7d-4c5e-9a3f-2d8e4b1c7a60\r\n"
            + "Connection: keep-alive\r\n"
            + "Cache-Control: no-cache\r\n"
            + "\r\n";

    private final RequestParser parser = new RequestParser();
    private ByteBuffer in;

    @Setup
    public void fill() {
        byte[] bytes = TYPICAL_HEAD.getBytes(StandardCharsets.US_ASCII);
        in = ByteBuffer.allocateDirect(16 * 1024);
        in.put(bytes).flip();
        in.mark();
        parser.reset();
        RequestHead head = parseOnce();
        if (head.fields().size() != 10 || head.headLength() != bytes.length || !head.isKeepAlive()) {
            throw new IllegalStateException("unexpected parse of the benchmark head: " + head);
        }
    }

    @Benchmark
    public RequestHead parse() {
        return parseOnce();
    }

    @Benchmark
    public int parseAndRead() {
        return read(parseOnce());
    }

    /** What the proxy reads of a request before it routes it and writes the upstream head, folded into an int. */
    static int read(RequestHead head) {
        int h = head.target().length();
        h = 31 * h + (head.isMethod("HEAD") ? 1 : 0);
        h = 31 * h + (head.isKeepAlive() ? 1 : 0);
        h = 31 * h + head.bodyFraming().ordinal();
        h = 31 * h + (int) head.contentLength();
        h = 31 * h + (head.isIdempotent() ? 1 : 0);
        h = 31 * h + (head.isUpgrade() ? 1 : 0);
        return 31 * h + (head.expectsContinue() ? 1 : 0);
    }

    RequestHead parseOnce() {
        in.reset();
        parser.reset();
        if (parser.parse(in) != ParseResult.DONE) {
            throw new IllegalStateException(parser.errorReason());
        }
        return parser.head();
    }
}
