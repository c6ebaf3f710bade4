package dev.sluice.internal.http;

/** What every fuzz target asserts with: a broken invariant is an {@link AssertionError}, which the fuzzer reports. */
final class FuzzChecks {

    private FuzzChecks() {
    }

    static void check(boolean invariant, String what, Object detail) {
        if (!invariant) {
            throw new AssertionError(what + ": " + detail);
        }
    }
}
