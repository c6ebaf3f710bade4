package dev.sluice.internal.http;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Replays {@link ChunkedBodyFuzzer}'s seed inputs in the test phase, and fuzzes it for a few seconds in {@code mvn
 * verify}.
 */
class ChunkedBodyFuzzTest {

    @FuzzTest(maxDuration = "8s")
    void chunkedBody(byte[] data) {
        ChunkedBodyFuzzer.fuzzerTestOneInput(data);
    }
}
