package dev.sluice.upstream;

import static dev.sluice.upstream.Picks.letters;
import static dev.sluice.upstream.Picks.sequence;
import static dev.sluice.upstream.Picks.server;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LeastConnTest {

    @Test
    void idlePeersShareByWeightedRoundRobin() {
        UpstreamGroup group = UpstreamGroup.builder("lc").balancer(Balancer.leastConn())
                .server(server(0), s -> s.weight(5)).server(server(1)).server(server(2))
                .build();
        assertEquals("aabacaa", letters(sequence(group, 7)));
    }

    @Test
    void picksThePeerWithFewestActiveRequestsPerWeight() {
        UpstreamGroup group = UpstreamGroup.builder("lc").balancer(Balancer.leastConn())
                .server(server(0), s -> s.weight(2)).server(server(1)).server(server(2))
                .build();
        List<Selection> open = new ArrayList<>();
        StringBuilder picks = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            Selection selection = group.newSelection();
            picks.append(letters(List.of(selection.select().server())));
            open.add(selection);
        }
        // a counts half: a(0/2) b(0) c(0) tie -> WRR a; then b, c; then a (1/2 < 1); a again ties b, c at 1 ...
        assertEquals(4, picks.chars().filter(c -> c == 'a').count(), picks.toString());
        assertEquals(2, group.peers().get(1).activeConnections());
        assertEquals(2, group.peers().get(2).activeConnections());
        open.forEach(s -> s.report(Outcome.SUCCESS));
        assertEquals(0, group.peers().get(0).activeConnections());
    }

    @Test
    void aBusyPeerIsAvoidedWhileItsRequestsLast() {
        UpstreamGroup group = UpstreamGroup.builder("lc").balancer(Balancer.leastConn())
                .server(server(0)).server(server(1))
                .build();
        Selection slow = group.newSelection();
        assertEquals(server(0), slow.select().server());
        assertEquals("bbbb", letters(sequence(group, 4)));
        slow.report(Outcome.SUCCESS);
        assertEquals("ba", letters(sequence(group, 2)), "b kept its lead in current weight");
    }

    @Test
    void tiesBreakByRoundRobinAmongTheTiedPeersOnly() {
        UpstreamGroup group = UpstreamGroup.builder("lc").balancer(Balancer.leastConn())
                .server(server(0)).server(server(1)).server(server(2))
                .build();
        Selection holdA = group.newSelection();
        assertEquals(server(0), holdA.select().server());
        assertEquals("bcbc", letters(sequence(group, 4)));
        assertEquals(-2, group.peers().get(0).currentWeight(), "a's score froze while it was busy");
    }

    @Test
    void backupTakesOverWhenEveryPrimaryFailed() {
        UpstreamGroup group = UpstreamGroup.builder("lc").balancer(Balancer.leastConn())
                .server(server(0)).server(server(1)).server(server(2), s -> s.backup())
                .build();
        Selection selection = group.newSelection();
        selection.select();
        selection.report(Outcome.FAILURE);
        selection.select();
        selection.report(Outcome.FAILURE);
        assertEquals(server(2), selection.select().server());
    }
}
