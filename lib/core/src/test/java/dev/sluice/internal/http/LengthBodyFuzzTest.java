package dev.sluice.internal.http;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Replays {@link LengthBodyFuzzer}'s seed inputs in the test phase, and fuzzes it for a few seconds in {@code mvn
 * verify}.
 */
class LengthBodyFuzzTest {

    @FuzzTest(maxDuration = "8s")
    void lengthBody(byte[] data) {
        LengthBodyFuzzer.fuzzerTestOneInput(data);
    }
}
