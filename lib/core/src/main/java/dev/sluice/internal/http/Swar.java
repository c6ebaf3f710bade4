package dev.sluice.internal.http;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Byte searches that test eight bytes per step ("SIMD within a register"): the two loops that touch every byte of a
 * head — finding line ends and checking field values — run on whole words, and fall back to a byte loop only near
 * a match or at the end of the range.
 */
final class Swar {

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGHS = 0x8080808080808080L;
    private static final long LFS = ONES * '\n';
    private static final long SPACES = ONES * ' ';

    private Swar() {
    }

    /** The index of the first LF in {@code buf[from, to)}, or {@code to}. */
    static int indexOfLf(byte[] buf, int from, int to) {
        int i = from;
        for (; i + 8 <= to; i += 8) {
            long x = (long) LONGS.get(buf, i) ^ LFS;
            // A zero byte in x is an LF; the lowest flagged byte is always a true match.
            long found = (x - ONES) & ~x & HIGHS;
            if (found != 0) {
                return i + (Long.numberOfTrailingZeros(found) >>> 3);
            }
        }
        for (; i < to; i++) {
            if (buf[i] == '\n') {
                return i;
            }
        }
        return to;
    }

    /**
     * The index of the first byte in {@code buf[from, to)} that is not printable ASCII (0x20-0x7E), or {@code to}.
     * Callers look at that byte themselves: HTAB and obs-text are legal in a field value but rare.
     */
    static int indexOfNonPrintable(byte[] buf, int from, int to) {
        int i = from;
        for (; i + 8 <= to; i += 8) {
            long x = (long) LONGS.get(buf, i);
            // High bit set for a byte below 0x20 (exact when ANDed with ~x), or for one at or above 0x7F.
            long odd = ((x - SPACES) & ~x) | (x + ONES) | x;
            if ((odd & HIGHS) != 0) {
                break;
            }
        }
        for (; i < to; i++) {
            byte b = buf[i];
            if (b < 0x20 || b > 0x7e) {
                return i;
            }
        }
        return to;
    }
}
