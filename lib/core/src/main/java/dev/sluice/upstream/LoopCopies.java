package dev.sluice.upstream;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The event loops' own copies of a group's balancing state, as each nginx worker keeps its own copy of an upstream
 * block that has no {@code zone}: a loop picks and reports on its copy alone, under the copy's own lock, which no
 * other loop takes, so loops never wait for one another and no cache line moves between their cores on a pick.
 *
 * <p>A copy is a group of the same configuration whose peers are <em>twins</em> of the origin's: the same id,
 * address and server line, with their own weights, active requests, failures and counters. The origin stays the
 * group users see and change; after every change, under the origin's lock, each copy {@link #follow follows} it:
 * a change of membership or of a server line rebuilds the copy's membership (every current weight 0, as the
 * origin's own rebuild does), a peer set down, up, healthy, unhealthy or draining is re-filed as the origin
 * re-files it. Locks are taken origin first, then copy, never the other way.
 */
final class LoopCopies {

    private final UpstreamGroup origin;
    /** The copies by loop number; null for a loop that has not picked yet. Replaced under the origin's lock. */
    private volatile UpstreamGroup[] copies = new UpstreamGroup[0];

    LoopCopies(UpstreamGroup origin) {
        this.origin = origin;
    }

    /** Loop {@code loop}'s copy, made at its first request. */
    UpstreamGroup of(int loop) {
        UpstreamGroup[] known = copies;
        if (loop < known.length && known[loop] != null) {
            return known[loop];
        }
        synchronized (origin.lock) {
            known = copies;
            if (loop < known.length && known[loop] != null) {
                return known[loop];
            }
            UpstreamGroup[] grown = Arrays.copyOf(known, Math.max(known.length, loop + 1));
            grown[loop] = origin.newCopy(loop);
            copies = grown;
            return grown[loop];
        }
    }

    /** Each copy takes the origin's peers as they are now. Origin's lock held. */
    void follow() {
        for (UpstreamGroup copy : copies) {
            if (copy != null) {
                follow(copy);
            }
        }
    }

    /** Whether no loop has a request in flight to its twin of {@code original}. Origin's lock held. */
    boolean idle(PeerState original) {
        for (UpstreamGroup copy : copies) {
            PeerState twin = copy == null ? null : original.family.twin(copy.loop);
            if (twin != null) {
                synchronized (copy.lock) {
                    if (twin.conns > 0) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    private void follow(UpstreamGroup copy) {
        synchronized (copy.lock) {
            List<PeerState> before = copy.members.peers;
            List<PeerState> originals = origin.members.peers;
            List<PeerState> after = new ArrayList<>(originals.size());
            boolean rebuild = before.size() != originals.size();
            for (int i = 0; i < originals.size(); i++) {
                PeerState original = originals.get(i);
                PeerState twin = original.family.twin(copy.loop);
                if (twin == null) {
                    twin = original.newTwin(copy);
                    rebuild = true;
                } else if (twin.peer != original.peer || i >= before.size() || before.get(i) != twin) {
                    rebuild = true;
                }
                after.add(twin);
            }
            if (!rebuild) {
                for (PeerState twin : after) {
                    PeerFlags.follow(twin);
                }
                return;
            }
            for (PeerState twin : before) {
                if (twin.original.tier == null) {
                    twin.leave();
                }
            }
            for (PeerState twin : after) {
                twin.takeLine();
            }
            copy.rebuild(after);
        }
    }
}
