package dev.sluice.internal.http;

import static dev.sluice.internal.http.Wire.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Corrupts valid messages at random (seeded, so a failure repeats) and checks the parsers' two promises on hostile
 * input: they never throw, and how the bytes are cut never changes the answer.
 */
class MutationTest {

    private static final int CASES = 3_000;
    private static final byte[] INTERESTING = bytes("\r\n \t:;,=\"\\\u0000\u007f\u00ff0aF-/");

    private static byte[] mutate(byte[] input, SplittableRandom random) {
        List<Byte> out = new ArrayList<>(input.length + 4);
        for (byte b : input) {
            out.add(b);
        }
        for (int edits = 1 + random.nextInt(3); edits > 0 && !out.isEmpty(); edits--) {
            int at = random.nextInt(out.size());
            byte b = INTERESTING[random.nextInt(INTERESTING.length)];
            switch (random.nextInt(3)) {
                case 0 -> out.set(at, b);
                case 1 -> out.add(at, b);
                default -> out.remove(at);
            }
        }
        byte[] result = new byte[out.size()];
        for (int i = 0; i < result.length; i++) {
            result[i] = out.get(i);
        }
        return result;
    }

    private static List<Integer> randomCuts(int length, SplittableRandom random) {
        List<Integer> cuts = new ArrayList<>();
        int at = 0;
        while (length - at > 1 && cuts.size() < 6) {
            at += 1 + random.nextInt(length - at - 1);
            cuts.add(at);
        }
        return cuts;
    }

    private static void check(Wire.Feeder feeder, List<String> samples, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < CASES; i++) {
            byte[] input = mutate(bytes(samples.get(random.nextInt(samples.size()))), random);
            List<Integer> cuts = randomCuts(input.length, random);
            assertEquals(Wire.whole(feeder, input), Wire.feed(feeder, input, cuts),
                    () -> "case with seed " + seed + ": " + new String(input, java.nio.charset.StandardCharsets.ISO_8859_1)
                            .replace("\r", "\\r").replace("\n", "\\n") + " cut at " + cuts);
        }
    }

    @Test
    void corruptedRequestsNeverThrowAndParseAlikeWhateverTheCuts() {
        check(Wire.requests(new RequestParser(HeadLimits.of(128, 128, 512))), List.of(
                Samples.BROWSER_REQUEST,
                "POST /a HTTP/1.1\r\nHost: h:80\r\nContent-Length: 10\r\nExpect: 100-continue\r\n\r\n",
                "PUT http://h/x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
                "CONNECT h:443 HTTP/1.1\r\nHost: h:443\r\n\r\n"), 1);
    }

    @Test
    void corruptedResponsesNeverThrowAndParseAlikeWhateverTheCuts() {
        check(Wire.responses(new ResponseParser(), false), List.of(
                Samples.UPSTREAM_RESPONSE,
                "HTTP/1.1 100 Continue\r\n\r\n",
                "HTTP/1.0 304 Not Modified\r\nTransfer-Encoding: chunked\r\nKeep-Alive: timeout=5\r\n\r\n"), 2);
    }

    @Test
    void corruptedChunkedBodiesNeverThrowAndDecodeAlikeWhateverTheCuts() {
        check(Wire.chunked(new ChunkedDecoder(64, 64)), List.of(
                "5;a=\"b\\\"c\";d\r\nhello\r\n1a\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\nX-T: 1\r\n\r\n",
                "F\r\n0123456789abcde\r\n0\r\n\r\n"), 3);
    }
}
