package dev.sluice.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A server line's endpoints set from a discovery source (a DNS answer, a Kubernetes Service, a registry), as
 * snapshots or changes: what is still listed keeps its state, what left goes, what is new joins with the line's
 * parameters, a terminating endpoint drains, and an endpoint's weight and priority shape its peer.
 */
class EndpointSnapshotTest {

    private static final String NAME = "api.test:8080";

    private static UpstreamGroup group(String... firstAddresses) {
        Resolver resolver = host -> {
            List<InetAddress> found = new ArrayList<>();
            for (String a : firstAddresses) {
                found.add(InetAddress.getByName(a));
            }
            return found;
        };
        return UpstreamGroup.builder("g").resolver(resolver).server(NAME, s -> s.maxFails(2))
                .server("10.9.9.9:80").build();
    }

    private static InetSocketAddress at(String ip) throws UnknownHostException {
        return new InetSocketAddress(InetAddress.getByName(ip), 8080);
    }

    private static Endpoint ready(String ip) throws UnknownHostException {
        return Endpoint.ready(at(ip));
    }

    private static List<Endpoint> readyAll(String... ips) throws UnknownHostException {
        List<Endpoint> endpoints = new ArrayList<>();
        for (String ip : ips) {
            endpoints.add(ready(ip));
        }
        return endpoints;
    }

    /** The peers {@code n} requests in turn get, each succeeding. */
    private static List<String> picks(UpstreamGroup group, int n) {
        Selection selection = group.newSelection();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            names.add(selection.reset().select().name());
            selection.report(Outcome.SUCCESS);
        }
        return names;
    }

    private static List<String> names(UpstreamGroup group) {
        return group.peers().stream().map(PeerState::name).toList();
    }

    @Test
    void theAddressesStillListedKeepTheirStateTheOthersLeaveAndNewOnesJoin() throws Exception {
        UpstreamGroup group = group("10.0.0.1", "10.0.0.2");
        PeerState kept = group.peers().get(1);
        Selection selection = group.newSelection().prefer(kept);
        selection.select();
        selection.report(Outcome.SUCCESS);
        PeerState gone = group.peers().get(0);

        List<PeerState> line = group.setEndpoints(NAME, readyAll("10.0.0.2", "10.0.0.3"));

        assertEquals(2, line.size());
        assertSame(kept, line.get(0));
        assertEquals(1, kept.requests(), "its counters stay");
        assertEquals(at("10.0.0.3"), line.get(1).address());
        assertEquals(3, line.get(1).id(), "a new id, never reused");
        assertEquals(2, line.get(1).peer().maxFails(), "the line's parameters");
        assertTrue(gone.isRemoved());
        assertEquals(List.of("10.0.0.2:8080", "10.9.9.9:80", "10.0.0.3:8080"),
                group.peers().stream().map(PeerState::name).toList());
    }

    @Test
    void aRequestInFlightToAnAddressThatLeftEndsNormally() throws Exception {
        UpstreamGroup group = group("10.0.0.1");
        Selection selection = group.newSelection();
        PeerState busy = selection.prefer(group.peers().get(0)).select();

        group.setEndpoints(NAME, readyAll("10.0.0.4"));
        selection.report(Outcome.FAILURE);

        assertEquals(1, busy.requests());
        assertEquals(0, busy.activeConnections());
        assertTrue(busy.isRemoved());
    }

    @Test
    void anEmptySnapshotLeavesTheLineWithoutPeersUntilTheNext() throws Exception {
        UpstreamGroup group = group("10.0.0.1");

        group.setEndpoints(NAME, List.of());
        List<String> picks = Picks.sequence(group, 3);
        group.setEndpoints(NAME, readyAll("10.0.0.5"));

        assertEquals(List.of("10.9.9.9:80", "10.9.9.9:80", "10.9.9.9:80"), picks);
        assertEquals(List.of("10.9.9.9:80", "10.0.0.5:8080"), group.peers().stream().map(PeerState::name).toList());
    }

    @Test
    void aSnapshotThatChangesNothingLeavesTheBalancerWhereItIs() throws Exception {
        UpstreamGroup group = group("10.0.0.1", "10.0.0.2");
        Membership before = group.members;

        group.setEndpoints(NAME, readyAll("10.0.0.2", "10.0.0.1"));

        assertSame(before, group.members);
    }

    @Test
    void aChangeThroughTheApiLastsWhileTheSourceKeepsAnnouncingThePeer() throws Exception {
        UpstreamGroup group = group("10.0.0.1");
        group.changeServer(0, s -> s.weight(4));

        List<PeerState> line = group.setEndpoints(NAME, readyAll("10.0.0.1", "10.0.0.6"));

        assertEquals(4, line.get(0).peer().weight(), "the changed peer keeps its change");
        assertEquals(1, line.get(1).peer().weight(), "a new endpoint takes the line's parameters");
    }

    @Test
    void aTerminatingEndpointDrainsAndLeavesWhenItsLastRequestEnds() throws Exception {
        UpstreamGroup group = group("10.0.0.1", "10.0.0.2");
        Selection inFlight = group.newSelection();
        PeerState terminating = inFlight.prefer(group.peers().get(0)).select();

        group.setEndpoints(NAME, List.of(ready("10.0.0.1").withCondition(Endpoint.Condition.TERMINATING),
                ready("10.0.0.2")));
        List<String> picks = picks(group, 4);

        assertTrue(terminating.isDraining() && terminating.isLeaving() && !terminating.isRemoved());
        assertEquals(List.of("10.0.0.2:8080", "10.9.9.9:80", "10.0.0.2:8080", "10.9.9.9:80"), picks,
                "no new request for it");
        inFlight.report(Outcome.SUCCESS);
        assertTrue(terminating.isRemoved(), "gone once its last request ended");
        assertEquals(List.of("10.0.0.2:8080", "10.9.9.9:80"), names(group));
    }

    @Test
    void anIdleTerminatingEndpointLeavesAtOnceAndANotReadyOneIsNoMember() throws Exception {
        UpstreamGroup group = group("10.0.0.1", "10.0.0.2");

        group.setEndpoints(NAME, List.of(ready("10.0.0.1").withCondition(Endpoint.Condition.TERMINATING),
                ready("10.0.0.2").withCondition(Endpoint.Condition.NOT_READY),
                ready("10.0.0.3").withCondition(Endpoint.Condition.NOT_READY),
                ready("10.0.0.4").withCondition(Endpoint.Condition.TERMINATING)));

        assertEquals(List.of("10.9.9.9:80"), names(group));
    }

    @Test
    void anEndpointThatIsReadyAgainAfterTerminatingTakesRequestsAgain() throws Exception {
        UpstreamGroup group = group("10.0.0.1");
        Selection inFlight = group.newSelection();
        PeerState peer = inFlight.prefer(group.peers().get(0)).select();
        group.setEndpoints(NAME, List.of(ready("10.0.0.1").withCondition(Endpoint.Condition.TERMINATING)));

        group.setEndpoints(NAME, readyAll("10.0.0.1"));

        assertTrue(!peer.isDraining() && !peer.isLeaving());
        assertTrue(picks(group, 2).contains("10.0.0.1:8080"));
    }

    @Test
    void aDrainThroughTheApiLastsWhileTheSourceSaysReady() throws Exception {
        UpstreamGroup group = group("10.0.0.1");
        Selection inFlight = group.newSelection();
        PeerState peer = inFlight.prefer(group.peers().get(0)).select();
        group.drainServer(peer.id());

        group.setEndpoints(NAME, readyAll("10.0.0.1"));

        assertTrue(peer.isDraining());
    }

    @Test
    void anEndpointsWeightAndPriorityShapeItsPeer() throws Exception {
        UpstreamGroup group = group("10.0.0.9");

        group.setEndpoints(NAME, List.of(ready("10.0.0.1").withWeight(3), ready("10.0.0.2").withBackup(true)));
        PeerState weighted = group.peers().get(1);
        PeerState backup = group.peers().get(2);

        assertEquals(List.of("10.9.9.9:80", "10.0.0.1:8080", "10.0.0.2:8080"), names(group), "backups last");
        assertEquals(3, weighted.peer().weight());
        assertEquals(2, weighted.peer().maxFails(), "the line's other parameters");
        assertTrue(backup.peer().backup());
        group.setEndpoints(NAME, List.of(ready("10.0.0.1").withWeight(5), ready("10.0.0.2")));
        assertEquals(5, weighted.peer().weight());
        assertTrue(!backup.peer().backup(), "a backup no more");
        assertEquals(Optional.of(ready("10.0.0.2")), backup.endpoint());
    }

    @Test
    void aBackupEndpointIsLeftOutWhereTheBalancingMethodHasNoBackups() throws Exception {
        UpstreamGroup group = UpstreamGroup.builder("g").balancer(Balancer.ipHash()).resolver(Resolver.none())
                .server("10.9.9.9:80").discover(NAME, (g, line) -> () -> { }).build();

        group.setEndpoints(NAME, List.of(ready("10.0.0.1"), ready("10.0.0.2").withBackup(true)));

        assertEquals(List.of("10.9.9.9:80", "10.0.0.1:8080"), names(group));
    }

    @Test
    void changesTouchOnlyTheEndpointsTheyName() throws Exception {
        UpstreamGroup group = group("10.0.0.1", "10.0.0.2", "10.0.0.3");
        PeerState kept = group.peers().get(2);

        group.updateEndpoints(NAME, List.of(ready("10.0.0.4"), ready("10.0.0.2").withWeight(2)),
                List.of(at("10.0.0.1")));

        assertEquals(List.of("10.0.0.2:8080", "10.0.0.3:8080", "10.9.9.9:80", "10.0.0.4:8080"), names(group));
        assertSame(kept, group.peers().get(1));
        assertEquals(2, group.peers().get(0).peer().weight());
    }

    @Test
    void aDiscoveredLineStartsWithoutPeersAndNamesItselfFreely() {
        UpstreamGroup group = UpstreamGroup.builder("g").resolver(Resolver.none()).server("10.9.9.9:80")
                .discover("k8s:default/web", (g, line) -> () -> { }, s -> s.maxFails(3)).build();

        assertEquals(List.of("10.9.9.9:80"), names(group));
        assertEquals("k8s:default/web", group.servers().get(1).server());
        assertTrue(group.servers().get(1).source().isPresent());
        assertThrows(IllegalArgumentException.class, () -> UpstreamGroup.builder("g")
                .discover("no spaces allowed", (g, line) -> () -> { }));
        assertThrows(IllegalArgumentException.class, () -> Endpoint.ready(
                InetSocketAddress.createUnresolved("web", 80)), "an endpoint is an address, not a name");
    }

    @Test
    void aServerLineTheGroupDoesNotHaveIsRefused() {
        UpstreamGroup group = group("10.0.0.1");

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> group.setEndpoints("other.test:80", List.of()));
        assertTrue(e.getMessage().contains("other.test:80"), e.getMessage());
    }

    @Test
    void aNewEndpointRampsUpFromWhenItJoinsWhileTheOthersKeepTheirShare() throws Exception {
        ManualTicker ticker = new ManualTicker();
        UpstreamGroup group = UpstreamGroup.builder("g").ticker(ticker).resolver(Resolver.none())
                .discover(NAME, (g, line) -> () -> { }, s -> s.weight(10).slowStart(Duration.ofSeconds(10))).build();
        group.setEndpoints(NAME, readyAll("10.0.0.1"));
        ticker.advance(Duration.ofSeconds(10));

        group.setEndpoints(NAME, readyAll("10.0.0.1", "10.0.0.2"));
        long atOnce = picks(group, 30).stream().filter("10.0.0.2:8080"::equals).count();
        ticker.advance(Duration.ofSeconds(5));
        long halfway = picks(group, 30).stream().filter("10.0.0.2:8080"::equals).count();
        ticker.advance(Duration.ofSeconds(5));
        long after = picks(group, 30).stream().filter("10.0.0.2:8080"::equals).count();

        assertEquals(0, atOnce, "a cold instance gets nothing at first");
        assertTrue(halfway >= 8 && halfway <= 12, "weight 5 of 15 halfway: " + halfway);
        assertEquals(15, after, "its full share once the ramp is over");
    }

    @Test
    void aFleetOfNewEndpointsRampsTogetherSharingRequestsByWeight() throws Exception {
        ManualTicker ticker = new ManualTicker();
        UpstreamGroup group = UpstreamGroup.builder("g").ticker(ticker).resolver(Resolver.none())
                .discover(NAME, (g, line) -> () -> { }, s -> s.slowStart(Duration.ofSeconds(10))).build();

        group.setEndpoints(NAME, readyAll("10.0.0.1", "10.0.0.2", "10.0.0.3"));
        List<String> picks = picks(group, 30);

        for (String peer : List.of("10.0.0.1:8080", "10.0.0.2:8080", "10.0.0.3:8080")) {
            assertEquals(10, picks.stream().filter(peer::equals).count(), peer + " in " + picks);
        }
    }
}
