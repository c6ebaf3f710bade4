package dev.sluice.internal.http;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Replays {@link PathNormaliserFuzzer}'s seed inputs in the test phase, and fuzzes it for a few seconds in {@code mvn
 * verify}.
 */
class PathNormaliserFuzzTest {

    @FuzzTest(maxDuration = "8s")
    void normalisedPath(byte[] data) {
        PathNormaliserFuzzer.fuzzerTestOneInput(data);
    }
}
