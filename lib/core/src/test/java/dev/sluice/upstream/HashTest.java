package dev.sluice.upstream;

import static dev.sluice.upstream.Picks.server;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HashTest {

    private static UpstreamGroup servers(int n) {
        UpstreamGroup.Builder b = UpstreamGroup.builder("h").balancer(Balancer.hash());
        for (int i = 0; i < n; i++) {
            b.server(server(i));
        }
        return b.build();
    }

    private static int pick(UpstreamGroup group, String key) {
        Selection selection = group.newSelection().hashKey(key);
        PeerState peer = selection.select();
        selection.report(Outcome.SUCCESS);
        return group.peers().indexOf(peer);
    }

    @Test
    void keyMapsAsCacheMemcachedDoes() {
        // crc32("/k/0") = 0xa9524c74; (crc >> 16) & 0x7fff = 10578
        assertEquals(10578 % 3, pick(servers(3), "/k/0"));
        assertEquals(10578 % 5, pick(servers(5), "/k/0"));
    }

    @Test
    void unavailablePeerMakesTheKeyRehashWithTheCountInFront() {
        UpstreamGroup group = servers(5);
        Selection selection = group.newSelection().hashKey("/k/0");
        assertEquals(3, group.peers().indexOf(selection.select()));
        selection.report(Outcome.FAILURE);
        // crc32("1/k/0") >> 16 & 0x7fff = 21109; 10578 + 21109 = 31687
        assertEquals(31687 % 5, group.peers().indexOf(selection.select()));
    }

    @Test
    void sameKeyAlwaysGoesToTheSamePeer() {
        UpstreamGroup group = servers(4);
        int first = pick(group, "/user/42");
        for (int i = 0; i < 20; i++) {
            assertEquals(first, pick(group, "/user/42"));
        }
    }

    @Test
    void keysSpreadOverPeersByWeight() {
        UpstreamGroup group = UpstreamGroup.builder("h").balancer(Balancer.hash())
                .server(server(0)).server(server(1), s -> s.weight(3))
                .build();
        Map<Integer, Integer> counts = new HashMap<>();
        for (int i = 0; i < 4000; i++) {
            counts.merge(pick(group, "/key/" + i), 1, Integer::sum);
        }
        assertEquals(1000, counts.get(0), 150);
        assertEquals(3000, counts.get(1), 150);
    }

    @Test
    void emptyKeyFallsBackToRoundRobin() {
        UpstreamGroup group = servers(3);
        assertEquals(0, pick(group, ""));
        assertEquals(1, pick(group, ""));
        assertEquals(2, pick(group, ""));
    }

    @Test
    void afterTwentyMissesFallsBackToRoundRobin() {
        UpstreamGroup group = UpstreamGroup.builder("h").balancer(Balancer.hash())
                .server(server(0), s -> s.down()).server(server(1), s -> s.down()).server(server(2), s -> s.weight(1))
                .build();
        Selection selection = group.newSelection().hashKey("/any");
        PeerState peer = selection.select();
        assertEquals(server(2), peer.server());
        assertTrue(selection.hashTries <= 21);
    }

    @Test
    void hashKeyFromBytesEqualsHashKeyFromString() {
        UpstreamGroup group = servers(5);
        byte[] buffer = "GET /img/7.png HTTP/1.1".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        Selection selection = group.newSelection().hashKey(buffer, 4, 10);
        int fromBytes = group.peers().indexOf(selection.select());
        selection.report(Outcome.SUCCESS);
        assertEquals(pick(group, "/img/7.png"), fromBytes);
        assertNotEquals(-1, fromBytes);
    }
}
