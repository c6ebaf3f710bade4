package dev.sluice.upstream;

import static dev.sluice.upstream.Picks.letters;
import static dev.sluice.upstream.Picks.sequence;
import static dev.sluice.upstream.Picks.server;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Servers added, changed, drained and removed at run time (NGINX Plus's API): the balancer starts again from the
 * new membership exactly as a group built with it would, counters stay with their peers, and requests in flight
 * end normally.
 */
class RuntimeMembershipTest {

    private static UpstreamGroup group(int... weights) {
        UpstreamGroup.Builder b = UpstreamGroup.builder("m");
        for (int i = 0; i < weights.length; i++) {
            int weight = weights[i];
            b.server(server(i), s -> s.weight(weight));
        }
        return b.build();
    }

    @Test
    void anAddedServerJoinsAndRoundRobinStartsAgainAsAGroupBuiltWithIt() {
        UpstreamGroup group = group(5, 1);
        sequence(group, 3);

        List<PeerState> added = group.addServer(server(2), s -> { });

        assertEquals(1, added.size());
        assertEquals(2, added.get(0).id());
        assertEquals(letters(sequence(group(5, 1, 1), 14)), letters(sequence(group, 14)));
    }

    @Test
    void aChangedWeightRestartsRoundRobinAndThePeerKeepsItsCounters() {
        UpstreamGroup group = group(1, 1, 1);
        sequence(group, 6);

        PeerState changed = group.changeServer(0, s -> s.weight(5));

        assertSame(group.peers().get(0), changed);
        assertEquals(5, changed.peer().weight());
        assertEquals(2, changed.requests(), "its requests so far stay counted");
        assertEquals(letters(sequence(group(5, 1, 1), 14)), letters(sequence(group, 14)));
        assertNull(group.changeServer(99, s -> s.weight(2)));
    }

    @Test
    void aRemovedServerGetsNoRequestsAndItsRequestInFlightEndsNormally() {
        UpstreamGroup group = group(1, 1, 1);
        Selection inFlight = group.newSelection();
        PeerState a = inFlight.select();

        assertTrue(group.removeServer(a.id()));

        assertTrue(a.isRemoved());
        assertFalse(letters(sequence(group, 12)).contains("a"));
        inFlight.report(Outcome.FAILURE);
        assertEquals(0, a.activeConnections());
        assertEquals(List.of(1, 2), group.peers().stream().map(PeerState::id).toList(), "the others keep their ids");
        assertEquals(3, group.addServer(server(0), s -> { }).get(0).id(), "an id is never given twice");
        assertFalse(group.removeServer(a.id()));
    }

    @Test
    void aDrainingServerTakesOnlyBoundRequestsAndStaysUntilRemoved() {
        UpstreamGroup group = group(1, 1);
        PeerState a = group.peers().get(0);
        Selection first = group.newSelection();
        first.prefer(a);
        assertSame(a, first.select());

        assertTrue(group.drainServer(a.id()));

        assertTrue(a.isDraining());
        assertEquals("bbbb", letters(sequence(group, 4)), "no new requests");
        Selection bound = group.newSelection().prefer(a);
        assertSame(a, bound.select(), "a request bound to it still comes");
        bound.report(Outcome.SUCCESS);
        first.report(Outcome.SUCCESS);
        assertFalse(a.isRemoved(), "idle, it still drains: NGINX Plus's drain lasts until the server is removed");
        assertEquals("bbbb", letters(sequence(group, 4)));
        assertTrue(group.removeServer(a.id()));
        assertTrue(a.isRemoved());
        assertEquals(1, group.peers().size());
    }

    @Test
    void aDrainingServerAloneInItsGroupTakesOnlyItsBoundRequests() {
        UpstreamGroup group = group(1);
        PeerState only = group.peers().get(0);

        assertTrue(group.drainServer(only.id()));

        assertEquals("-", letters(sequence(group, 1)), "nginx's single-peer rule still leaves a draining peer out");
        Selection bound = group.newSelection().prefer(only);
        assertSame(only, bound.select(), "a request bound to it still comes");
        bound.report(Outcome.SUCCESS);
    }

    @Test
    void aRequestWhosePeersChangedUnderItRetriesAmongTheNewOnes() {
        UpstreamGroup group = group(1, 1);
        Selection selection = group.newSelection();
        assertNotNull(selection.select());
        group.addServer(server(2), s -> { });
        selection.report(Outcome.FAILURE);

        PeerState retry = selection.select();

        assertNotNull(retry);
        selection.report(Outcome.SUCCESS);
    }

    @Test
    void aGroupWithEveryServerRemovedHasNoPeerUntilOneIsAdded() {
        UpstreamGroup group = group(1, 1);
        group.removeServer(0);
        group.removeServer(1);
        assertEquals("--", letters(sequence(group, 2)));

        group.addServer(server(3), s -> { });

        assertEquals("dd", letters(sequence(group, 2)));
    }

    @Test
    void aChangeTheBalancingMethodDoesNotSupportIsRefused() {
        UpstreamGroup hashed = UpstreamGroup.builder("h").balancer(Balancer.hash()).server(server(0)).build();
        assertThrows(IllegalArgumentException.class, () -> hashed.addServer(server(1), Peer.Builder::backup));
        assertThrows(IllegalArgumentException.class, () -> hashed.changeServer(0, Peer.Builder::backup));
        assertEquals(1, hashed.peers().size());
        assertFalse(hashed.peers().get(0).isBackup());
    }

    @Test
    void picksFromTwoThreadsGoOnWhileServersComeAndGo() throws Exception {
        UpstreamGroup group = group(1, 2, 3);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Runnable picking = () -> {
            try {
                Selection selection = group.newSelection();
                for (int i = 0; i < 20_000; i++) {
                    if (selection.reset().select() != null) {
                        selection.report(i % 7 == 0 ? Outcome.FAILURE : Outcome.SUCCESS);
                    }
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        };
        Thread one = new Thread(picking);
        Thread two = new Thread(picking);
        one.start();
        two.start();
        for (int i = 0; i < 200; i++) {
            PeerState added = group.addServer(server(10 + i % 5), s -> s.weight(2)).get(0);
            group.changeServer(added.id(), s -> s.weight(3));
            if (i % 2 == 0) {
                group.drainServer(added.id());
            } else {
                group.removeServer(added.id());
            }
        }
        one.join(30_000);
        two.join(30_000);

        assertNull(failure.get());
        assertFalse(one.isAlive() || two.isAlive());
        for (PeerState peer : group.peers()) {
            assertEquals(0, peer.activeConnections(), peer.name());
        }
    }
}
