package dev.sluice.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A server line's addresses set from a discovery source (a DNS answer, a service registry): what is still listed
 * keeps its state, what left goes, what is new joins with the line's parameters.
 */
class AddressSnapshotTest {

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

    @Test
    void theAddressesStillListedKeepTheirStateTheOthersLeaveAndNewOnesJoin() throws Exception {
        UpstreamGroup group = group("10.0.0.1", "10.0.0.2");
        PeerState kept = group.peers().get(1);
        Selection selection = group.newSelection().prefer(kept);
        selection.select();
        selection.report(Outcome.SUCCESS);
        PeerState gone = group.peers().get(0);

        List<PeerState> line = group.setAddresses(NAME, List.of(at("10.0.0.2"), at("10.0.0.3")));

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

        group.setAddresses(NAME, List.of(at("10.0.0.4")));
        selection.report(Outcome.FAILURE);

        assertEquals(1, busy.requests());
        assertEquals(0, busy.activeConnections());
        assertTrue(busy.isRemoved());
    }

    @Test
    void anEmptySnapshotLeavesTheLineWithoutPeersUntilTheNext() throws Exception {
        UpstreamGroup group = group("10.0.0.1");

        group.setAddresses(NAME, List.of());
        List<String> picks = Picks.sequence(group, 3);
        group.setAddresses(NAME, List.of(at("10.0.0.5")));

        assertEquals(List.of("10.9.9.9:80", "10.9.9.9:80", "10.9.9.9:80"), picks);
        assertEquals(List.of("10.9.9.9:80", "10.0.0.5:8080"), group.peers().stream().map(PeerState::name).toList());
    }

    @Test
    void aSnapshotThatChangesNothingLeavesTheBalancerWhereItIs() throws Exception {
        UpstreamGroup group = group("10.0.0.1", "10.0.0.2");
        Membership before = group.members;

        group.setAddresses(NAME, List.of(at("10.0.0.2"), at("10.0.0.1")));

        assertSame(before, group.members);
    }

    @Test
    void parametersChangedAtRunTimeCarryOverToNewAddresses() throws Exception {
        UpstreamGroup group = group("10.0.0.1");
        group.changeServer(0, s -> s.weight(4));

        List<PeerState> line = group.setAddresses(NAME, List.of(at("10.0.0.1"), at("10.0.0.6")));

        assertEquals(4, line.get(1).peer().weight());
    }

    @Test
    void aServerLineTheGroupDoesNotHaveIsRefused() {
        UpstreamGroup group = group("10.0.0.1");

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> group.setAddresses("other.test:80", List.of()));
        assertTrue(e.getMessage().contains("other.test:80"), e.getMessage());
    }
}
