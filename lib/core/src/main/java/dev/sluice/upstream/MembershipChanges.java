package dev.sluice.upstream;

import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * The changes of a group's peers at run time, from NGINX Plus's API (a server added, changed, drained or removed) and
 * from discovery sources (a line's endpoints): each is made under the group's lock, and then, outside it, the request
 * the group's queue admits is woken and the peers that leave are announced. {@link UpstreamGroup}'s public methods of
 * the same names say what each does.
 */
final class MembershipChanges {

    private final UpstreamGroup group;
    /** The server lines, and the changes of peers that follow them. Lock held. */
    final ServerLines lines;
    /** Who is told of each peer that starts to drain or leaves. */
    private final LeavingPeers leavingPeers = new LeavingPeers();

    MembershipChanges(UpstreamGroup group) {
        this.group = group;
        this.lines = new ServerLines(group);
    }

    /** Adds server line {@code address} as {@code parameters} set it, one peer per address it resolves to. */
    List<PeerState> addServer(String address, Consumer<Peer.Builder> parameters) {
        Peer.Builder line = Peer.builder(address);
        parameters.accept(line);
        Peer peer = line.build();
        peer.checkSupportedBy(group.balancer, group.name);
        List<SocketAddress> addresses = Addresses.resolve(group.name, peer.server(), group.settings.resolver);
        List<PeerState> added = new ArrayList<>();
        Selection admitted;
        synchronized (group.lock) {
            List<PeerState> list = new ArrayList<>(group.members.peers);
            for (SocketAddress socket : addresses) {
                added.add(lines.joining(peer, socket));
            }
            list.addAll(added);
            lines.add(peer);
            admitted = change(list);
        }
        Selection.turn(admitted);
        return added;
    }

    /** Makes line {@code server}'s endpoints those of a complete snapshot. */
    List<PeerState> setEndpoints(String server, List<Endpoint> endpoints) {
        return changeLine(server, before -> lines.snapshot(before, server, endpoints));
    }

    /** Changes some of line {@code server}'s endpoints. */
    List<PeerState> updateEndpoints(String server, List<Endpoint> changed, Set<SocketAddress> removed) {
        return changeLine(server, before -> lines.update(before, server, changed, removed));
    }

    /** Applies {@code change} (the new peer list, or null for none) to line {@code server}'s peers. */
    private List<PeerState> changeLine(String server, UnaryOperator<List<PeerState>> change) {
        Selection admitted = null;
        List<PeerState> leaving;
        synchronized (group.lock) {
            List<PeerState> before = group.members.peers;
            List<PeerState> list = change.apply(before);
            if (list != null) {
                admitted = change(list); // its rebuild brings the copies along
            } else {
                group.copiesFollow(); // a drain begun or ended without a change of membership
            }
            removeDrainedIdle();
            leaving = leavingPeers.since(before);
        }
        Selection.turn(admitted);
        leavingPeers.announce(leaving);
        return group.members.peers.stream().filter(peer -> peer.peer.server().equals(server)).toList();
    }

    /** Changes the parameters of {@code state}, a peer of the group; null when it left meanwhile. */
    PeerState changeServer(PeerState state, Consumer<Peer.Builder> changes) {
        Selection admitted;
        synchronized (group.lock) {
            Peer.Builder line = state.peer.toBuilder().down(state.down);
            changes.accept(line);
            Peer peer = line.build();
            peer.checkSupportedBy(group.balancer, group.name);
            if (state.tier == null) {
                return null;
            }
            state.configure(peer);
            state.down = peer.down();
            admitted = change(group.members.peers);
        }
        Selection.turn(admitted);
        return state;
    }

    /** Removes peer {@code id} now; false when the group has none. */
    boolean removeServer(int id) {
        return leave(id, this::remove);
    }

    /** Drains peer {@code id}; false when the group has none. */
    boolean drainServer(int id) {
        return leave(id, this::drain);
    }

    /** Makes peer {@code id} leave as {@code how} says, and announces it; false when the group has no such peer. */
    private boolean leave(int id, Consumer<PeerState> how) {
        List<PeerState> leaving;
        synchronized (group.lock) {
            PeerState state = group.peer(id);
            if (state == null) {
                return false;
            }
            how.accept(state);
            leaving = leavingPeers.since(List.of(state));
        }
        leavingPeers.announce(leaving);
        return true;
    }

    /** Lets {@code peer} take only the requests bound to it, until it is removed; the state file says so. Lock held. */
    private void drain(PeerState peer) {
        peer.draining = true;
        peer.tier.rotation.changed(peer);
        group.copiesFollow();
        group.saveState();
    }

    /** Every server line, as configured and then added at run time. */
    List<Peer> servers() {
        synchronized (group.lock) {
            return lines.all();
        }
    }

    /** Tells {@code listener} of each peer that starts to drain or leaves from now on. */
    AutoCloseable whenPeersLeave(Consumer<PeerState> listener) {
        return leavingPeers.add(listener);
    }

    /** Makes {@code list} the group's peers, saves the state file, and admits a queued request. Lock held. */
    private Selection change(List<PeerState> list) {
        group.rebuild(list);
        group.saveState();
        return group.admitFromQueue();
    }

    /** Takes {@code peer} out of the tiers. Lock held. */
    void remove(PeerState peer) {
        List<PeerState> list = new ArrayList<>(group.members.peers);
        list.remove(peer);
        peer.leave();
        group.rebuild(list);
        group.saveState();
    }

    /**
     * Removes the peers that drain as their source terminates them and that no request is in flight to, in this group
     * or any loop's copy. Called once the copies know the peers drain: a request that ended before then was reported
     * on a twin not yet draining, so no loop will report that peer's last request. Lock held.
     */
    private void removeDrainedIdle() {
        for (PeerState peer : List.copyOf(group.members.peers)) {
            if (peer.leavesWhenIdle() && group.idle(peer)) {
                remove(peer);
            }
        }
    }

    /**
     * A loop's copy saw the last request to its twin of {@code original}, a peer its source terminates, end: the peer
     * leaves once none is in flight in any loop. Lock not held.
     */
    void leaveIfDrained(PeerState original) {
        synchronized (group.lock) {
            if (original.tier != null && original.leavesWhenIdle() && group.idle(original)) {
                remove(original);
            }
        }
    }
}
