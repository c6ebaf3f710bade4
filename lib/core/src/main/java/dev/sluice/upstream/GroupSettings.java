package dev.sluice.upstream;

import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;

/**
 * What an {@link UpstreamGroup.Builder} is told, with the checks that name what is wrong in it: the builder sets
 * these fields, and {@link #checked()} checks them as a whole, resolves the server lines and gives the group built
 * from them a copy of its own, which the group and its loops' copies read and never change.
 */
final class GroupSettings {

    final String name;
    final List<Peer> peers;
    Balancer balancer = Balancer.roundRobin();
    Ticker ticker = Ticker.system();
    RandomGenerator random = new SplittableRandom();
    Keepalive keepalive = Keepalive.DEFAULT;
    Resolver resolver = Resolver.system();
    HealthCheck healthCheck;
    Sticky sticky;
    boolean ntlm;
    boolean sharedState;
    /** NGINX Plus's {@code state} file, or null. */
    StateFile state;
    /** Whether {@link #checked()} took the servers from an existing state file. */
    boolean stateRead;
    int queueSize;
    Duration queueTimeout;
    /** The addresses of each server line, in the order of {@link #peers}, as {@link #checked()} resolved them. */
    List<List<SocketAddress>> addresses = new ArrayList<>();

    GroupSettings(String name) {
        Objects.requireNonNull(name, "name");
        if (name.isBlank() || name.chars().anyMatch(c -> c <= ' ' || c == ',')) {
            throw new IllegalArgumentException("upstream name must be non-empty without spaces or commas: \"" + name + "\"");
        }
        this.name = name;
        this.peers = new ArrayList<>();
    }

    /** A copy of {@code told}, which the builder may go on changing. */
    private GroupSettings(GroupSettings told) {
        this.name = told.name;
        this.peers = List.copyOf(told.peers);
        this.balancer = told.balancer;
        this.ticker = told.ticker;
        this.random = told.random;
        this.keepalive = told.keepalive;
        this.resolver = told.resolver;
        this.healthCheck = told.healthCheck;
        this.sticky = told.sticky;
        this.ntlm = told.ntlm;
        this.sharedState = told.sharedState;
        this.state = told.state;
        this.stateRead = told.stateRead;
        this.queueSize = told.queueSize;
        this.queueTimeout = told.queueTimeout;
        this.addresses = List.copyOf(told.addresses);
    }

    /** Adds server line {@code line}, its parameters set by {@code parameters}. */
    void addLine(Peer.Builder line, Consumer<Peer.Builder> parameters) {
        parameters.accept(line);
        peers.add(line.build());
    }

    /** Sets NGINX Plus's {@code queue N timeout=T}. */
    void queue(int maxSize, Duration timeout) {
        if (maxSize < 1) {
            throw new IllegalArgumentException("queue size must be at least 1: " + maxSize);
        }
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("queue timeout must be positive: " + timeout);
        }
        this.queueSize = maxSize;
        this.queueTimeout = timeout;
    }

    /**
     * Takes the servers from the state file when it exists, checks the whole configuration, resolves each server
     * line, and returns the copy a new group keeps.
     *
     * @throws IllegalArgumentException naming the problem, as {@link UpstreamGroup.Builder#build()} says
     */
    GroupSettings checked() {
        List<Peer> saved = state == null ? null : state.read();
        stateRead = saved != null;
        if (saved != null) {
            peers.clear();
            peers.addAll(saved);
        }
        if (peers.isEmpty() && saved == null) {
            throw new IllegalArgumentException("upstream \"" + name + "\" has no servers");
        }
        if (!peers.isEmpty() && peers.stream().allMatch(Peer::backup)) {
            throw new IllegalArgumentException("upstream \"" + name + "\" has only backup servers");
        }
        for (Peer peer : peers) {
            peer.checkSupportedBy(balancer, name);
        }
        if (ntlm && keepalive.idle() == 0) {
            throw new IllegalArgumentException("ntlm needs upstream keepalive, which is off in upstream \""
                    + name + "\"");
        }
        addresses.clear();
        for (Peer peer : peers) {
            addresses.add(Addresses.ofLine(name, peer, resolver, state != null));
        }
        return new GroupSettings(this);
    }

    /**
     * The group's first peers, one per address of each server line, the primary ones first, each of the line
     * {@code lines} now knows. Not yet shared.
     */
    List<PeerState> firstPeers(ServerLines lines) {
        List<PeerState> list = new ArrayList<>();
        for (boolean backups : new boolean[] {false, true}) {
            for (int i = 0; i < peers.size(); i++) {
                Peer peer = peers.get(i);
                lines.add(peer);
                if (peer.backup() == backups) {
                    for (SocketAddress address : addresses.get(i)) {
                        list.add(lines.newPeer(peer, address));
                    }
                }
            }
        }
        return list;
    }
}
