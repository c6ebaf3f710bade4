package dev.sluice.upstream;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.ToLongFunction;

/**
 * One peer of a group and its twins in the loops' copies of the group (see {@link LoopCopies}): where that peer's
 * state is, all told, and how {@link PeerState}'s getters read across it, each member under its own group's lock.
 * The original and every twin share one family.
 */
final class PeerFamily {

    private static final PeerState[] NO_TWINS = new PeerState[0];

    private final PeerState original;
    /** The twins by loop number; null for a loop without one. Replaced under the original's group's lock. */
    private volatile PeerState[] twins = NO_TWINS;

    PeerFamily(PeerState original) {
        this.original = original;
    }

    /** Takes {@code twin} in as loop {@code loop}'s. Lock of the original's group held. */
    void add(PeerState twin, int loop) {
        PeerState[] grown = Arrays.copyOf(twins, Math.max(twins.length, loop + 1));
        grown[loop] = twin;
        twins = grown;
    }

    /** Loop {@code loop}'s twin, or null. */
    PeerState twin(int loop) {
        PeerState[] known = twins;
        return loop < known.length ? known[loop] : null;
    }

    /** The original, then every twin. */
    List<PeerState> members() {
        PeerState[] known = twins;
        List<PeerState> members = new ArrayList<>(1 + known.length);
        members.add(original);
        for (PeerState twin : known) {
            if (twin != null) {
                members.add(twin);
            }
        }
        return members;
    }

    /** {@code field} added up over the members. */
    long sum(ToLongFunction<PeerState> field) {
        long sum = 0;
        for (PeerState member : members()) {
            synchronized (member.group.lock) {
                sum += field.applyAsLong(member);
            }
        }
        return sum;
    }

    /** The largest {@code field} of the members. */
    long most(ToLongFunction<PeerState> field) {
        long most = Long.MIN_VALUE;
        for (PeerState member : members()) {
            synchronized (member.group.lock) {
                most = Math.max(most, field.applyAsLong(member));
            }
        }
        return most;
    }

    /** The smallest {@code field} of the members. */
    long least(ToLongFunction<PeerState> field) {
        return -most(member -> -field.applyAsLong(member));
    }

    /** {@code average} of the member measured last, or -1 when none was measured. */
    long latestMeasured(ToLongFunction<PeerState> average) {
        long at = Long.MIN_VALUE;
        long latest = -1;
        for (PeerState member : members()) {
            synchronized (member.group.lock) {
                long value = average.applyAsLong(member);
                if (value >= 0 && member.timedAt >= at) {
                    at = member.timedAt;
                    latest = value;
                }
            }
        }
        return latest;
    }
}
