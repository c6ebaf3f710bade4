package dev.sluice;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Replays {@link ValueTemplateFuzzer}'s seed inputs in the test phase, and fuzzes it for a few seconds in {@code mvn
 * verify}.
 */
class ValueTemplateFuzzTest {

    @FuzzTest(maxDuration = "8s")
    void valueTemplate(byte[] data) {
        ValueTemplateFuzzer.fuzzerTestOneInput(data);
    }
}
