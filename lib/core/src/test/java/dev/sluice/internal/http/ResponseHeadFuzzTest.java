package dev.sluice.internal.http;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Replays {@link ResponseHeadFuzzer}'s seed inputs in the test phase, and fuzzes it for a few seconds in {@code mvn
 * verify}.
 */
class ResponseHeadFuzzTest {

    @FuzzTest(maxDuration = "8s")
    void responseHead(byte[] data) {
        ResponseHeadFuzzer.fuzzerTestOneInput(data);
    }
}
