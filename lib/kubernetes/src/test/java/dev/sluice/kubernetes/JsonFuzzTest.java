package dev.sluice.kubernetes;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Replays {@link JsonFuzzer}'s seed inputs in the test phase, and fuzzes it for a few seconds in {@code mvn verify}.
 */
class JsonFuzzTest {

    @FuzzTest(maxDuration = "8s")
    void json(byte[] data) {
        JsonFuzzer.fuzzerTestOneInput(data);
    }
}
