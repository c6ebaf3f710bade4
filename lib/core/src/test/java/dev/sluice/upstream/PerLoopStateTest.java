package dev.sluice.upstream;

import static dev.sluice.upstream.Picks.letters;
import static dev.sluice.upstream.Picks.server;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** Each event loop's own copy of a group's balancing state (nginx without {@code zone}), and the shared one. */
class PerLoopStateTest {

    private static UpstreamGroup group(Consumer<UpstreamGroup.Builder> more, int... weights) {
        UpstreamGroup.Builder b = UpstreamGroup.builder("loops").resolver(Resolver.none());
        for (int i = 0; i < weights.length; i++) {
            int w = weights[i];
            b.server(server(i), s -> s.weight(w).maxFails(1).failTimeout(Duration.ofSeconds(10)));
        }
        more.accept(b);
        return b.build();
    }

    /** One request on {@code selection} that ends with {@code outcome}: the server picked, or null. */
    private static String request(Selection selection, Outcome outcome) {
        PeerState peer = selection.reset().select();
        if (peer != null) {
            selection.report(outcome);
        }
        return peer == null ? null : peer.server();
    }

    /** {@code n} successful requests, alternating between the two selections: what each of them picked. */
    private static String[] alternate(Selection first, Selection second, int n) {
        List<String> one = new ArrayList<>();
        List<String> two = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            one.add(request(first, Outcome.SUCCESS));
            two.add(request(second, Outcome.SUCCESS));
        }
        return new String[] {letters(one), letters(two)};
    }

    @Test
    void eachLoopRunsNginxsSmoothSequenceOnItsOwn() {
        UpstreamGroup group = group(b -> { }, 5, 1, 1);
        String[] picks = alternate(group.newSelection(0), group.newSelection(1), 14);

        assertFalse(group.sharesState());
        assertEquals("aabacaa".repeat(2), picks[0], "loop 0, as one nginx worker picks without a zone");
        assertEquals("aabacaa".repeat(2), picks[1], "loop 1, from its own current weights");
    }

    @Test
    void sharedStateRunsOneSequenceAcrossTheLoops() {
        UpstreamGroup group = group(UpstreamGroup.Builder::sharedState, 5, 1, 1);
        String[] picks = alternate(group.newSelection(0), group.newSelection(1), 7);

        assertTrue(group.sharesState());
        assertEquals("abcaaaa", picks[0], "every other pick of aabacaa aabacaa");
        assertEquals("aaaabca", picks[1]);
    }

    @Test
    void aGroupWithAQueueSharesItsState() {
        assertTrue(group(b -> b.queue(10), 1, 1).sharesState());
    }

    @Test
    void countsAddUpOverTheLoopsAndTheGroupsOwnState() {
        UpstreamGroup group = group(b -> { }, 1);
        Selection zero = group.newSelection(0);
        Selection one = group.newSelection(1);
        zero.reset().select();
        one.reset().select();
        PeerState peer = group.peers().get(0);

        assertEquals(2, peer.activeConnections(), "one request in flight in each loop");
        assertEquals(2, peer.requests());
        zero.report(Outcome.SUCCESS, 200, 1_000, 2_000);
        one.report(Outcome.FAILURE, 502, 1_000, 2_000);
        request(group.newSelection(), Outcome.SUCCESS);

        assertEquals(0, peer.activeConnections());
        assertEquals(3, peer.requests());
        assertEquals(1, peer.failures());
        assertArrayEquals(new long[] {0, 1, 0, 0, 1}, peer.responses());
        assertTrue(peer.averageHeaderTime().isPresent());
    }

    @Test
    void failuresCountInTheLoopThatSawThem() {
        ManualTicker ticker = new ManualTicker();
        UpstreamGroup group = group(b -> b.ticker(ticker), 1, 1);
        Selection zero = group.newSelection(0);
        Selection one = group.newSelection(1);

        assertEquals("a", letters(List.of(request(zero, Outcome.FAILURE))));
        assertEquals("bbb", letters(List.of(request(zero, Outcome.SUCCESS), request(zero, Outcome.SUCCESS),
                request(zero, Outcome.SUCCESS))), "loop 0 rests a for fail_timeout after max_fails=1");
        assertEquals("aba", letters(List.of(request(one, Outcome.SUCCESS), request(one, Outcome.SUCCESS),
                request(one, Outcome.SUCCESS))), "loop 1 never saw a fail, as another nginx worker would not");
        PeerState a = group.peers().get(0);
        assertEquals(1, a.fails(), "the worst loop's count");
        assertTrue(a.unavailableFor().compareTo(Duration.ZERO) > 0);
        assertEquals(1, a.unavailableTimes());
    }

    @Test
    void aPeerSetDownOrUnhealthyLeavesEveryLoopAndComesBack() {
        UpstreamGroup group = group(b -> { }, 1, 1);
        Selection zero = group.newSelection(0);
        Selection one = group.newSelection(1);
        PeerState a = group.peers().get(0);

        a.setDown(true);
        assertEquals(List.of("bb", "bb"), List.of(alternate(zero, one, 2)));
        a.setDown(false);
        a.setHealthy(false);
        assertEquals(List.of("bb", "bb"), List.of(alternate(zero, one, 2)));
        a.setHealthy(true);
        String[] back = alternate(zero, one, 4);
        assertTrue(back[0].contains("a") && back[1].contains("a"), back[0] + " " + back[1]);
    }

    @Test
    void aPeerSetDownThroughALoopsTwinIsDownInTheGroup() {
        UpstreamGroup group = group(b -> { }, 1, 1);
        Selection zero = group.newSelection(0);
        PeerState twin = zero.reset().select();
        zero.report(Outcome.SUCCESS);

        assertNotSame(group.peers().get(0), twin, "a loop picks its own twin of the peer");
        assertEquals(group.peers().get(0).id(), twin.id());
        assertSame(group, zero.group());
        twin.setDown(true);
        assertTrue(group.peers().get(0).isDown());
        assertEquals("bb", letters(List.of(request(zero, Outcome.SUCCESS), request(zero, Outcome.SUCCESS))));
    }

    @Test
    void serversAddedAndRemovedAtRunTimeReachEveryLoop() {
        UpstreamGroup group = group(b -> { }, 1);
        Selection zero = group.newSelection(0);
        Selection one = group.newSelection(1);
        alternate(zero, one, 1);

        group.addServer(server(1), s -> { });
        assertEquals(List.of("ab", "ab"), List.of(alternate(zero, one, 2)));
        assertTrue(group.removeServer(group.peers().get(0).id()));
        assertEquals(List.of("bb", "bb"), List.of(alternate(zero, one, 2)));
    }

    @Test
    void aDrainedPeerTakesNoNewRequestInAnyLoopAndStaysUntilRemoved() {
        UpstreamGroup group = group(b -> { }, 1, 1);
        Selection zero = group.newSelection(0);
        Selection one = group.newSelection(1);
        PeerState inFlight = one.reset().select();
        PeerState a = group.peers().get(0);
        assertEquals(a.id(), inFlight.id());

        assertTrue(group.drainServer(a.id()));
        assertEquals("bb", letters(List.of(request(zero, Outcome.SUCCESS), request(zero, Outcome.SUCCESS))));
        one.report(Outcome.SUCCESS);

        assertFalse(a.isRemoved(), "a drain lasts until the server is removed");
        assertTrue(inFlight.isLeaving(), "its connections close as they come back in that loop too");
        assertEquals("bb", letters(List.of(request(one, Outcome.SUCCESS), request(one, Outcome.SUCCESS))));
        assertTrue(group.removeServer(a.id()));
        assertEquals(List.of(group.peers().get(0)), group.peers());
    }

    @Test
    void aTerminatingEndpointDrainsUntilNoLoopHasARequestOnIt() throws Exception {
        InetAddress first = InetAddress.getByName("10.0.0.1");
        InetAddress second = InetAddress.getByName("10.0.0.2");
        UpstreamGroup group = UpstreamGroup.builder("loops").resolver(host -> List.of(first, second))
                .server("api.test:8080").build();
        Selection one = group.newSelection(1);
        PeerState inFlight = one.reset().select();
        InetSocketAddress busy = (InetSocketAddress) inFlight.address();
        InetSocketAddress other = new InetSocketAddress(busy.getAddress().equals(first) ? second : first, 8080);

        group.setEndpoints("api.test:8080", List.of(Endpoint.ready(busy).withCondition(Endpoint.Condition.TERMINATING),
                Endpoint.ready(other)));
        assertEquals(2, group.peers().size(), "loop 1 still has a request on it: it drains, it does not leave");
        Selection zero = group.newSelection(0);
        PeerState picked = zero.reset().select();
        zero.report(Outcome.SUCCESS);
        assertEquals(other, picked.address(), "loop 0 sends nothing new to the draining peer");
        one.report(Outcome.SUCCESS);

        assertEquals(1, group.peers().size(), "it left with the last request on it");
        assertEquals(other, group.peers().get(0).address());
    }

    @Test
    void aLoopPrefersThePeerAStickySessionOrAnotherLoopNames() {
        UpstreamGroup group = group(b -> { }, 1, 1);
        Selection zero = group.newSelection(0);
        PeerState b = group.peers().get(1);

        PeerState picked = zero.reset().prefer(b).select();
        zero.report(Outcome.SUCCESS);
        assertEquals(b.id(), picked.id());
        assertSame(zero.group(), group);
        UpstreamGroup other = group(x -> { }, 1);
        assertThrows(IllegalArgumentException.class, () -> zero.reset().prefer(other.peers().get(0)));
    }

    @Test
    void aNegativeLoopNumberIsRefused() {
        UpstreamGroup group = group(b -> { }, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> group.newSelection(-1));
        assertEquals("loop must not be negative: -1", e.getMessage());
        assertNull(group.peer(99));
    }
}
