package dev.sluice.upstream;

import static dev.sluice.upstream.Picks.server;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.junit.jupiter.api.Test;

class IpHashTest {

    private static UpstreamGroup servers(int n) {
        UpstreamGroup.Builder b = UpstreamGroup.builder("ip").balancer(Balancer.ipHash());
        for (int i = 0; i < n; i++) {
            b.server(server(i));
        }
        return b.build();
    }

    private static int pick(UpstreamGroup group, int... octets) {
        byte[] address = new byte[octets.length];
        for (int i = 0; i < octets.length; i++) {
            address[i] = (byte) octets[i];
        }
        return pick(group, address);
    }

    private static int pick(UpstreamGroup group, byte[] address) {
        Selection selection = group.newSelection().clientAddress(address);
        PeerState peer = selection.select();
        selection.report(Outcome.SUCCESS);
        return group.peers().indexOf(peer);
    }

    @Test
    void hashesTheFirstThreeOctetsAsNginxDoes() {
        // 89 -> (89*113+127)%6271 = 3913 -> 3199 -> 4040; 4040 % 4 = 0
        assertEquals(0, pick(servers(4), 127, 0, 0, 1));
    }

    @Test
    void clientsOfOneSlash24NetworkShareAPeer() {
        UpstreamGroup group = servers(5);
        int first = pick(group, 10, 1, 2, 3);
        for (int last = 0; last < 256; last += 17) {
            assertEquals(first, pick(group, 10, 1, 2, last));
        }
    }

    @Test
    void ipv6UsesAllSixteenBytes() {
        UpstreamGroup group = servers(7);
        byte[] a = new byte[16];
        byte[] b = new byte[16];
        a[15] = 1;
        b[15] = 2;
        int differing = 0;
        for (int i = 0; i < 20; i++) {
            a[14] = (byte) i;
            b[14] = (byte) i;
            if (pick(group, a) != pick(group, b)) {
                differing++;
            }
        }
        assertNotEquals(0, differing, "the last byte matters for IPv6");
    }

    @Test
    void unixSocketClientsHashAsThreeZeroBytes() {
        UpstreamGroup group = servers(3);
        assertEquals(pick(group, 0, 0, 0, 99), pick(group, new byte[0]));
    }

    @Test
    void failedPeerMakesTheClientRehashToAnother() {
        UpstreamGroup group = servers(3);
        Selection selection = group.newSelection().clientAddress(new byte[] {127, 0, 0, 1});
        PeerState first = selection.select();
        selection.report(Outcome.FAILURE);
        PeerState second = selection.select();
        assertNotEquals(first, second);
        selection.report(Outcome.SUCCESS);
        assertEquals(server(group.peers().indexOf(second)), second.server());
    }
}
