package dev.sluice.internal.discovery;

import java.util.Arrays;

/**
 * The DNS response reader on any bytes: it either refuses them with an {@link IllegalArgumentException} (nothing
 * else escapes, and it ends: compression pointers are followed a bounded number of times) or returns only records of
 * the type asked (for SRV also its targets' addresses), with addresses of their type's length (the JDK makes an
 * IPv4-mapped IPv6 address the IPv4 address it maps, which connects the same), the same each time.
 *
 * <p>The target of {@link DnsResponseFuzzTest} and of {@code benchmarks/fuzz/run.sh}, which runs it through Jazzer's
 * own entry point for as many executions as asked.
 */
final class DnsResponseFuzzer {

    private static final int[] TYPES = {DnsMessage.A, DnsMessage.AAAA, DnsMessage.SRV};

    private DnsResponseFuzzer() {
    }

    /** One input: its first byte picks the type asked for; a broken invariant throws an {@link AssertionError}. */
    public static void fuzzerTestOneInput(byte[] data) {
        if (data.length < 1) {
            return;
        }
        int type = TYPES[(data[0] & 0xff) % TYPES.length];
        byte[] response = Arrays.copyOfRange(data, 1, data.length);
        DnsMessage first;
        try {
            first = DnsMessage.parse(response, "api.test", type);
        } catch (IllegalArgumentException refused) {
            return;
        }
        for (DnsRecord r : first.records()) {
            boolean address = r.type() == DnsMessage.A || r.type() == DnsMessage.AAAA;
            check(r.type() == type || type == DnsMessage.SRV && address, "a record of the type asked", r);
            int length = address ? r.address().getAddress().length : 0;
            check(!address || length == 4 || r.type() == DnsMessage.AAAA && length == 16,
                    "an address of its type's length (an IPv4-mapped AAAA is its IPv4 address)", r);
            check(r.type() != DnsMessage.SRV || r.target() != null, "a service record names its target", r);
        }
        check(first.records().equals(DnsMessage.parse(response, "api.test", type).records()), "the same each time",
                first.records());
    }

    private static void check(boolean invariant, String what, Object detail) {
        if (!invariant) {
            throw new AssertionError(what + ": " + detail);
        }
    }
}
