package dev.sluice.upstream;

import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A group's server lines and the changes of its peers at run time that follow them: lines added through the API,
 * and the endpoints discovery sources announce for a line, as complete snapshots or as changes. Used with the
 * group's lock held (or before the group is shared); a change returns the new peer list, or null when nothing
 * changed, and the group then builds a new membership from it.
 *
 * <p>An endpoint's condition decides its peer's fate: {@link Endpoint.Condition#READY} joins (a new peer with the
 * line's parameters and a new id, never reused) or stays (keeping its counters, and coming back from a drain);
 * {@link Endpoint.Condition#TERMINATING} drains (no new request; it leaves once none is in flight);
 * {@link Endpoint.Condition#NOT_READY} and an address no longer listed leave at once, their requests in flight
 * ending normally. A backup endpoint (an SRV record of a lower priority) joins the backup tier, or is left out when
 * the balancing method has none.
 */
final class ServerLines {

    private final UpstreamGroup group;
    /** Every server line, by its address (or name) as written, in the order given. */
    private final Map<String, Peer> lines = new LinkedHashMap<>();
    /** The id the next peer gets. */
    private int nextId;

    ServerLines(UpstreamGroup group) {
        this.group = group;
    }

    /** Every line, as built and then added at run time. */
    List<Peer> all() {
        return List.copyOf(lines.values());
    }

    /** Remembers {@code line}, unless a line with its address is known already. */
    void add(Peer line) {
        lines.putIfAbsent(line.server(), line);
    }

    /** A new peer of {@code line} at {@code address}, with the next id. */
    PeerState newPeer(Peer line, SocketAddress address) {
        return new PeerState(group, line, nextId++, address);
    }

    /**
     * A new peer of {@code line} at {@code address} joining the running group: with {@code slow_start}, its weight
     * ramps from zero from now, as a peer's does when it comes back, so that a cold instance is not handed its full
     * share at once. Where every peer of a tier is new, they ramp together and share requests by their weights
     * meanwhile (see {@link Peer.Builder#slowStart}): the ramp is relative, and nobody is flooded.
     */
    PeerState joining(Peer line, SocketAddress address) {
        PeerState peer = newPeer(line, address);
        if (peer.slowStartNanos > 0) {
            group.now.forget();
            peer.slowStartSince = group.now.nanos();
        }
        return peer;
    }

    /** The peers after a snapshot of line {@code server}'s endpoints: what is not in it leaves. */
    List<PeerState> snapshot(List<PeerState> peers, String server, Collection<Endpoint> endpoints) {
        return apply(peers, server, byAddress(endpoints), List.of(), true);
    }

    /** The peers after changes to line {@code server}: {@code changed} endpoints, {@code removed} addresses. */
    List<PeerState> update(List<PeerState> peers, String server, Collection<Endpoint> changed,
            Collection<? extends SocketAddress> removed) {
        return apply(peers, server, byAddress(changed), removed, false);
    }

    private List<PeerState> apply(List<PeerState> peers, String server, Map<SocketAddress, Endpoint> announced,
            Collection<? extends SocketAddress> removed, boolean complete) {
        Peer line = lines.get(server);
        if (line == null) {
            throw new IllegalArgumentException("upstream \"" + group.name + "\" has no server " + server);
        }
        List<PeerState> list = new ArrayList<>();
        boolean changed = false;
        for (PeerState peer : peers) {
            if (!peer.peer.server().equals(server)) {
                list.add(peer);
                continue;
            }
            Endpoint endpoint = announced.remove(peer.address);
            boolean listed = endpoint != null || !complete && !removed.contains(peer.address);
            if (!listed || endpoint != null && endpoint.condition() == Endpoint.Condition.NOT_READY) {
                peer.leave();
                changed = true;
            } else if (endpoint == null) {
                list.add(peer);
            } else {
                changed |= follow(peer, endpoint, line);
                if (peer.leavesWhenIdle() && group.idle(peer)) {
                    peer.leave();
                    changed = true;
                } else {
                    list.add(peer);
                }
            }
        }
        for (Endpoint endpoint : announced.values()) {
            if (endpoint.condition() == Endpoint.Condition.READY
                    && (!endpoint.backup() || group.balancer.supportsBackup())) {
                PeerState peer = joining(shaped(line, endpoint, line), endpoint.address());
                peer.endpoint = endpoint;
                list.add(peer);
                changed = true;
            }
        }
        return changed ? list : null;
    }

    /**
     * Brings {@code peer} of line {@code line} in line with what its source says of it now; whether the membership
     * changed. Its parameters change only when the source changes the endpoint's weight or backup, so that a
     * change made through the API lasts.
     */
    private static boolean follow(PeerState peer, Endpoint endpoint, Peer line) {
        Endpoint before = peer.endpoint;
        peer.endpoint = endpoint;
        boolean changed = false;
        boolean terminating = endpoint.condition() == Endpoint.Condition.TERMINATING;
        boolean wasTerminating = before != null && before.condition() == Endpoint.Condition.TERMINATING;
        if (terminating && !peer.draining || !terminating && wasTerminating && peer.draining) {
            peer.draining = terminating; // a drain through the API lasts; the source's own ends when it says so
            peer.leavingAnnounced &= terminating;
            changed = true;
        }
        int weightBefore = before == null ? 0 : before.weight(); // a peer found before: the line's weight, no backup
        boolean backupBefore = before != null && before.backup();
        if (weightBefore != endpoint.weight() || backupBefore != endpoint.backup()) {
            Peer shaped = shaped(peer.peer, endpoint, line);
            if (shaped.weight() != peer.weight || shaped.backup() != peer.peer.backup()) {
                peer.configure(shaped);
                changed = true;
            }
        }
        return changed;
    }

    /** {@code parameters} with the endpoint's weight (or the line's) and backup (or the line's). */
    private static Peer shaped(Peer parameters, Endpoint endpoint, Peer line) {
        int weight = endpoint.weight() != 0 ? endpoint.weight() : line.weight();
        boolean backup = line.backup() || endpoint.backup();
        return weight == parameters.weight() && backup == parameters.backup() ? parameters
                : parameters.toBuilder().weight(weight).backup(backup).build();
    }

    private static Map<SocketAddress, Endpoint> byAddress(Collection<Endpoint> endpoints) {
        Map<SocketAddress, Endpoint> map = new LinkedHashMap<>();
        for (Endpoint endpoint : endpoints) {
            map.put(endpoint.address(), endpoint); // the last word on an address counts
        }
        return map;
    }
}
