package dev.sluice.upstream;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What a group's {@code sticky} value finds: for {@code cookie} the peers by their ids, for {@code route} the first
 * peer of each route (a value also finds the route after its last '.'), for {@code learn} the sessions learned.
 * The index is rebuilt with the group's membership; lookups take no lock.
 */
final class StickyPeers {

    private final Sticky sticky;
    private final StickySessions sessions;
    private volatile Map<String, PeerState> index = Map.of();

    StickyPeers(Sticky sticky, Ticker ticker) {
        this.sticky = sticky;
        this.sessions = sticky.method() == Sticky.Method.LEARN ? new StickySessions(sticky, ticker) : null;
    }

    /** Indexes {@code members}, the group's peers after a change of membership. */
    void index(List<PeerState> members) {
        Map<String, PeerState> next = new HashMap<>();
        for (PeerState peer : members) {
            if (sticky.method() == Sticky.Method.COOKIE) {
                next.put(peer.stickyId(), peer);
            } else if (sticky.method() == Sticky.Method.ROUTE && !peer.peer.route().isEmpty()) {
                next.putIfAbsent(peer.peer.route(), peer);
            }
        }
        index = next;
    }

    /** The peer {@code value} binds a request to, or null. */
    PeerState peer(String value) {
        if (sessions != null) {
            return sessions.get(value);
        }
        PeerState peer = index.get(value);
        int dot = value.lastIndexOf('.');
        return peer != null || dot < 0 || sticky.method() != Sticky.Method.ROUTE ? peer
                : index.get(value.substring(dot + 1));
    }

    /** {@code learn}: binds session {@code value} to {@code peer}; other methods learn nothing. */
    void learn(String value, PeerState peer) {
        if (sessions != null) {
            sessions.put(value, peer);
        }
    }
}
