package dev.sluice.internal.http;

import java.nio.ByteBuffer;

/** What every fuzz target asserts with: a broken invariant is an {@link AssertionError}, which the fuzzer reports. */
final class FuzzChecks {

    private FuzzChecks() {
    }

    static void check(boolean invariant, String what, Object detail) {
        if (!invariant) {
            throw new AssertionError(what + ": " + detail);
        }
    }

    /** The bytes of {@code in} from {@code from} to {@code to}, as a string of byte values, for a message. */
    static String slice(ByteBuffer in, int from, int to) {
        StringBuilder sb = new StringBuilder();
        for (int i = from; i < to; i++) {
            sb.append((char) (in.get(i) & 0xff));
        }
        return sb.toString();
    }
}
