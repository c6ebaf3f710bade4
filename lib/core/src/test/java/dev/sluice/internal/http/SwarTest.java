package dev.sluice.internal.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class SwarTest {

    private static int naiveIndexOf(byte[] buf, int from, int to, java.util.function.IntPredicate match) {
        for (int i = from; i < to; i++) {
            if (match.test(buf[i] & 0xff)) {
                return i;
            }
        }
        return to;
    }

    @Test
    void everyByteValueAtEveryLanePositionIsClassifiedLikeAByteLoop() {
        byte[] buf = new byte[40];
        for (int value = 0; value < 256; value++) {
            for (int at = 0; at < 24; at++) {
                for (int from = 0; from < 3; from++) {
                    Arrays.fill(buf, (byte) 'a');
                    buf[at] = (byte) value;
                    buf[at + 9] = (byte) value; // a second occurrence must not hide or move the first
                    int to = buf.length - from;
                    assertEquals(naiveIndexOf(buf, from, to, b -> b == '\n'), Swar.indexOfLf(buf, from, to),
                            "LF search, byte " + value + " at " + at);
                    assertEquals(naiveIndexOf(buf, from, to, b -> b < 0x20 || b > 0x7e),
                            Swar.indexOfNonPrintable(buf, from, to), "printable search, byte " + value + " at " + at);
                }
            }
        }
    }

    @Test
    void neighboursThatBorrowOrCarryDoNotCauseFalseMatches() {
        // 0x00 before an LF-minus-one, 0xFF next to printable bytes: the word tricks must stay exact.
        byte[] buf = {0x0b, 0x09, 0x00, 0x0b, 0x20, 0x7e, (byte) 0xff, 0x7f, '\n', 'a', 'b', 'c', 'd', 'e', 'f', 'g'};

        assertEquals(8, Swar.indexOfLf(buf, 0, buf.length));
        assertEquals(0, Swar.indexOfNonPrintable(buf, 0, buf.length));
        assertEquals(6, Swar.indexOfNonPrintable(buf, 4, buf.length));
        assertEquals(16, Swar.indexOfNonPrintable(buf, 9, buf.length));
        assertEquals(16, Swar.indexOfLf(buf, 9, buf.length));
    }
}
