package dev.sluice.upstream;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Tells a group's listeners of each peer that starts to drain or leaves, once ({@link UpstreamGroup#whenPeersLeave}):
 * a change finds them with the group's lock held ({@link #since}) and tells them after letting it go ({@link
 * #announce}), so that a listener never runs under the lock.
 */
final class LeavingPeers {

    private final List<Consumer<PeerState>> listeners = new CopyOnWriteArrayList<>();

    AutoCloseable add(Consumer<PeerState> listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    /** The peers of {@code before} that drain or left and were not announced yet, marked announced. Lock held. */
    List<PeerState> since(List<PeerState> before) {
        List<PeerState> leaving = null;
        for (PeerState peer : before) {
            if (peer.isLeaving() && !peer.leavingAnnounced) {
                peer.leavingAnnounced = true;
                leaving = leaving == null ? new ArrayList<>() : leaving;
                leaving.add(peer);
            }
        }
        return leaving == null ? List.of() : leaving;
    }

    /** Tells every listener of {@code leaving}; lock not held. */
    void announce(List<PeerState> leaving) {
        for (PeerState peer : leaving) {
            for (Consumer<PeerState> listener : listeners) {
                listener.accept(peer);
            }
        }
    }
}
