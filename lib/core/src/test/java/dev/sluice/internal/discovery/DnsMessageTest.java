package dev.sluice.internal.discovery;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The DNS wire format: the query written, and responses read as far as they are well formed. */
class DnsMessageTest {

    @Test
    void aQueryCarriesItsIdOneQuestionAndAsksForRecursion() {
        byte[] query = DnsMessage.query(0x1234, "api.test.", DnsMessage.SRV);

        assertArrayEquals(new byte[] {0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0,
            3, 'a', 'p', 'i', 4, 't', 'e', 's', 't', 0, 0, 33, 0, 1}, query);
    }

    @Test
    void aNameThatIsNoHostNameIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> DnsMessage.query(1, "a..test", DnsMessage.A));
        assertThrows(IllegalArgumentException.class, () -> DnsMessage.query(1, "", DnsMessage.A));
        assertThrows(IllegalArgumentException.class, () -> DnsMessage.query(1, "x".repeat(64) + ".test", DnsMessage.A));
        assertThrows(IllegalArgumentException.class, () -> DnsMessage.query(1, "a b.test", DnsMessage.A));
    }

    @Test
    void aResponseWithAnAddressOwnedThroughACompressedNameIsRead() {
        byte[] response = response(DnsMessage.query(7, "api.test", DnsMessage.A), 1,
                0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 10, 0, 0, 1);

        DnsMessage answer = DnsMessage.parse(response, "api.test", DnsMessage.A);

        assertEquals(7, answer.id());
        assertEquals(1, answer.records().size());
        assertEquals("10.0.0.1", answer.records().get(0).address().getHostAddress());
        assertEquals(60, answer.records().get(0).ttlSeconds());
    }

    @Test
    void recordsOfAnotherNameAreNotTheAnswer() {
        byte[] response = response(DnsMessage.query(7, "api.test", DnsMessage.A), 1,
                5, 'o', 't', 'h', 'e', 'r', 0, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 10, 0, 0, 1);

        assertTrue(DnsMessage.parse(response, "api.test", DnsMessage.A).records().isEmpty());
    }

    @Test
    void aNameThatPointsAtItselfIsRefusedRatherThanFollowedForever() {
        byte[] response = response(DnsMessage.query(7, "api.test", DnsMessage.A), 1,
                0xc0, 26, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 10, 0, 0, 1);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DnsMessage.parse(response, "api.test", DnsMessage.A));
        assertTrue(e.getMessage().contains("loop"), e.getMessage());
    }

    @Test
    void aResponseCutShortOrWithAMisfitRecordIsRefused() {
        byte[] whole = response(DnsMessage.query(7, "api.test", DnsMessage.A), 1,
                0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 10, 0, 0, 1);
        byte[] shortAddress = response(DnsMessage.query(7, "api.test", DnsMessage.A), 1,
                0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 3, 10, 0, 0);

        for (int cut = 0; cut < whole.length; cut++) {
            byte[] part = Arrays.copyOf(whole, cut);
            assertThrows(IllegalArgumentException.class, () -> DnsMessage.parse(part, "api.test", DnsMessage.A),
                    "cut at " + cut);
        }
        assertThrows(IllegalArgumentException.class,
                () -> DnsMessage.parse(shortAddress, "api.test", DnsMessage.A));
    }

    @Test
    void aQueryIsNoResponse() {
        byte[] query = DnsMessage.query(7, "api.test", DnsMessage.A);

        assertThrows(IllegalArgumentException.class, () -> DnsMessage.parse(query, "api.test", DnsMessage.A));
    }

    /** {@code query} turned into a response with {@code answers} answer records, the bytes {@code records} after it. */
    private static byte[] response(byte[] query, int answers, int... records) {
        ByteBuffer out = ByteBuffer.allocate(query.length + records.length);
        out.put(query);
        for (int b : records) {
            out.put((byte) b);
        }
        byte[] bytes = out.array();
        bytes[2] = (byte) 0x81; // QR, RD
        bytes[3] = (byte) 0x80; // RA, NOERROR
        bytes[7] = (byte) answers;
        return bytes;
    }
}
