package dev.sluice.internal.http;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Replays {@link RequestHeadFuzzer}'s seed inputs in the test phase, and fuzzes it for a few seconds in {@code mvn
 * verify}.
 */
class RequestHeadFuzzTest {

    @FuzzTest(maxDuration = "8s")
    void requestHead(byte[] data) {
        RequestHeadFuzzer.fuzzerTestOneInput(data);
    }
}
