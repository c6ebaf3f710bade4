package dev.sluice.cli;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Replays {@link NginxConfFuzzer}'s seed inputs (the public configurations of the mapping tests and a few made by
 * hand) in the test phase, and fuzzes it for a few seconds in {@code mvn verify}.
 */
class NginxConfFuzzTest {

    @FuzzTest(maxDuration = "8s")
    void nginxConf(byte[] data) {
        NginxConfFuzzer.fuzzerTestOneInput(data);
    }
}
