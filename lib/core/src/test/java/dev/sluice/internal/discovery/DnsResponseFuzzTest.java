package dev.sluice.internal.discovery;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Replays {@link DnsResponseFuzzer}'s seed inputs in the test phase, and fuzzes it for a few seconds in {@code mvn
 * verify}.
 */
class DnsResponseFuzzTest {

    @FuzzTest(maxDuration = "8s")
    void dnsResponse(byte[] data) {
        DnsResponseFuzzer.fuzzerTestOneInput(data);
    }
}
