package dev.sluice.upstream;

import static dev.sluice.upstream.Picks.server;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConsistentHashTest {

    private static UpstreamGroup servers(int n) {
        UpstreamGroup.Builder b = UpstreamGroup.builder("ch").balancer(Balancer.hash().consistent());
        for (int i = 0; i < n; i++) {
            b.server(server(i));
        }
        return b.build();
    }

    private static String pick(UpstreamGroup group, String key) {
        Selection selection = group.newSelection().hashKey(key);
        PeerState peer = selection.select();
        selection.report(Outcome.SUCCESS);
        return peer.server();
    }

    @Test
    void pointsAreNginxsKetamaPointsOfTheServerAsWritten() {
        long[] points = ConsistentHash.pointsOf("127.0.0.1:19001", 1);
        assertEquals(160, points.length);
        assertEquals(0x2695830aL, points[0]);
        assertEquals(0x74603d15L, points[1]);
    }

    @Test
    void serverWithoutPortHashesWithAnEmptyPort() {
        long[] written = ConsistentHash.pointsOf("backend", 1);
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update("backend\0\0\0\0\0".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        assertEquals(crc.getValue(), written[0]);
    }

    @Test
    void addingASixthServerToFiveMovesAboutASixthOfTheKeys() {
        UpstreamGroup five = servers(5);
        UpstreamGroup six = servers(6);
        int moved = 0;
        int keys = 6000;
        for (int i = 0; i < keys; i++) {
            String key = "/object/" + i;
            String before = pick(five, key);
            String after = pick(six, key);
            if (!before.equals(after)) {
                moved++;
                assertEquals(server(5), after, "a key may only move to the new server");
            }
        }
        assertTrue(moved > keys / 6 * 0.7 && moved < keys / 6 * 1.3, "moved " + moved + " of " + keys);
    }

    @Test
    void downServerSendsOnlyItsOwnKeysToTheNextPointClockwise() {
        UpstreamGroup all = servers(5);
        UpstreamGroup.Builder b = UpstreamGroup.builder("ch").balancer(Balancer.hash().consistent());
        for (int i = 0; i < 5; i++) {
            int index = i;
            b.server(server(i), s -> {
                if (index == 2) {
                    s.down();
                }
            });
        }
        UpstreamGroup oneDown = b.build();
        Map<String, Integer> movedTo = new HashMap<>();
        for (int i = 0; i < 3000; i++) {
            String key = "/k/" + i;
            String before = pick(all, key);
            String after = pick(oneDown, key);
            if (!before.equals(after)) {
                assertEquals(server(2), before);
                movedTo.merge(after, 1, Integer::sum);
            }
        }
        assertTrue(movedTo.size() >= 3, "its keys spread over the others: " + movedTo);
    }

    @Test
    void retryMovesClockwiseToTheNextUntriedServer() {
        UpstreamGroup group = servers(3);
        Selection selection = group.newSelection().hashKey("/retry/me");
        PeerState first = selection.select();
        selection.report(Outcome.FAILURE);
        PeerState second = selection.select();
        assertTrue(second != null && second != first);
    }
}
