package dev.sluice.upstream;

import static dev.sluice.upstream.PeerHeaps.NONE;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The smooth weighted round-robin state of one tier, and nginx's passes over it ({@code get_peer} for round robin,
 * the tie-breaking pass of {@code least_conn}, the one over a consistent-hash server's peers) with exactly nginx's
 * picks and weights, but without nginx's walk over every peer: a pass costs O(log n) amortised plus one step per
 * distinct weight and per peer whose effective weight is still climbing back (see {@link Cohort}).
 *
 * <p>Every eligible peer (not down, healthy, not resting after {@code max_fails}, below {@code max_conns}) is a
 * member of a {@link Cohort}; the others are parked, their current weight frozen. {@link #changed} re-files a
 * peer after anything that can change its eligibility or load; peers resting after failures are woken when their
 * {@code fail_timeout} has passed; the peers a request already tried are set aside for its pass. Round robin
 * has one cohort; {@code least_conn} one per level of load ({@code conns / weight}), lowest first.
 *
 * <p>Used under the group's lock only.
 */
final class Rotation {

    final PeerState[] peers;
    final PeerHeaps heaps;
    /** Each peer's weight class: one per distinct weight in the tier, numbered from 0. */
    final int[] classOf;
    final int classCount;
    /** Links of the cohorts' side lists. */
    final int[] sideNext;
    final int[] sidePrev;
    /** Each peer's cohort, null while parked, and whether it is in one of its heaps (steady) rather than on its
     * side list. */
    final Cohort[] cohortOf;
    final boolean[] steady;

    private final Now now;
    private final boolean byLoad;
    /** The cohorts with members, lowest load first; round robin has one, always there. */
    private Cohort[] cohorts;
    private int cohortCount;
    private Cohort[] spare = new Cohort[0];
    private int spareCount;

    /** Parked peers inside a failure window, which time alone makes eligible again; and where each is listed. */
    private final int[] resting;
    private final int[] restingAt;
    private int restingCount;
    /** No resting peer wakes before this second. */
    private long earliestWake = Long.MAX_VALUE;

    /** least_conn: members whose load changed, to be moved to their new cohort before the next pass. */
    private final int[] moved;
    private final boolean[] isMoved;
    private int movedCount;

    /** Peers set aside for one pass because the request already tried them. */
    private final int[] aside;
    private int asideCount;

    /**
     * @param byLoad true for least_conn, whose passes run among the peers of least load only
     */
    Rotation(PeerState[] peers, Now now, boolean byLoad) {
        this.peers = peers;
        this.now = now;
        this.byLoad = byLoad;
        int n = peers.length;
        this.heaps = new PeerHeaps(n);
        this.classOf = new int[n];
        Map<Integer, Integer> classes = new HashMap<>();
        for (int i = 0; i < n; i++) {
            classOf[i] = classes.computeIfAbsent(peers[i].weight, w -> classes.size());
        }
        this.classCount = classes.size();
        this.sideNext = new int[n];
        this.sidePrev = new int[n];
        this.cohortOf = new Cohort[n];
        this.steady = new boolean[n];
        this.resting = new int[n];
        this.restingAt = new int[n];
        Arrays.fill(restingAt, NONE);
        this.aside = new int[n];
        this.moved = new int[n];
        this.isMoved = new boolean[n];
        this.cohorts = new Cohort[byLoad ? 4 : 1];
        if (!byLoad) {
            cohorts[cohortCount++] = new Cohort(this);
        }
        for (PeerState peer : peers) {
            changed(peer);
        }
    }

    /** Whether a peer gains exactly its weight on every pass: its effective weight is back and no slow start
     * holds it lower. */
    static boolean isSteady(PeerState peer) {
        return peer.effectiveWeight == peer.weight && peer.slowStartSince == PeerState.LONG_AGO;
    }

    /** nginx's round-robin {@code get_peer} among the eligible peers {@code selection} has not tried. For tiers
     * not balanced by load. */
    PeerState roundRobin(Selection selection) {
        wake();
        setAside(selection);
        Cohort all = cohorts[0];
        PeerState best = all.size == 0 ? null : peers[all.pass(now)];
        restore();
        return best;
    }

    /**
     * least_conn's pick among the eligible peers {@code selection} has not tried: the one of least load, or, when
     * several share it, a smooth pass among just those. For tiers balanced by load.
     */
    PeerState leastConn(Selection selection) {
        settleLoads();
        wake();
        setAside(selection);
        PeerState best = null;
        if (cohortCount > 0) {
            Cohort least = cohorts[0];
            best = peers[least.size == 1 ? least.only() : least.pass(now)];
        }
        restore();
        return best;
    }

    /**
     * A smooth pass among the first {@code count} of {@code candidates} (the peers of one consistent-hash server
     * line, or least_time's peers of equal score) that are eligible for {@code selection}; null if none is. For
     * tiers not balanced by load.
     */
    PeerState passAmong(PeerState[] candidates, int count, Selection selection) {
        if (count == 1) {
            // A lone peer gains its effective weight and gives it back: only a climbing effective weight moves.
            PeerState peer = candidates[0];
            if (!selection.isEligible(peer)) {
                return null;
            }
            if (!steady[peer.index]) {
                long current = peer.currentWeight;
                RoundRobin.advance(peer, now);
                peer.currentWeight = current;
                changed(peer);
            }
            return peer;
        }
        PeerState best = null;
        long total = 0;
        for (int k = 0; k < count; k++) {
            PeerState peer = candidates[k];
            if (!selection.isEligible(peer)) {
                continue;
            }
            if (cohortOf[peer.index] != null) {
                cohortOf[peer.index].leave(peer.index);
            }
            total += RoundRobin.advance(peer, now);
            if (best == null || peer.currentWeight > best.currentWeight) {
                best = peer;
            }
        }
        if (best != null) {
            best.currentWeight -= total;
        }
        for (int k = 0; k < count; k++) {
            changed(candidates[k]);
        }
        return best;
    }

    /** nginx's {@code current_weight} of a peer of this tier. */
    long currentWeight(PeerState peer) {
        Cohort cohort = cohortOf[peer.index];
        return cohort == null ? peer.currentWeight : cohort.currentWeight(peer.index);
    }

    /**
     * Re-files a peer after a change to what decides where it belongs: down, healthy, fails, checked, conns,
     * effective weight or slow start. Cheap when nothing moved.
     */
    void changed(PeerState peer) {
        int i = peer.index;
        boolean usable = peer.usable(now);
        boolean isSteady = isSteady(peer);
        Cohort cohort = cohortOf[i];
        if (cohort != null) {
            if (usable && steady[i] == isSteady) {
                if (!fits(cohort, peer) && !isMoved[i]) {
                    // Only its load changed: move it before the next pass, so that a request that ends before
                    // then (its load back where it was) costs no move at all.
                    isMoved[i] = true;
                    moved[movedCount++] = i;
                }
                return;
            }
            leave(cohort, i);
        }
        if (usable) {
            cohortFor(peer).join(i, isSteady);
        }
        updateResting(peer, usable);
    }

    /** Moves the least_conn members whose load changed since the last pass to the cohort of their new load. */
    private void settleLoads() {
        while (movedCount > 0) {
            int i = moved[--movedCount];
            isMoved[i] = false;
            Cohort cohort = cohortOf[i];
            if (cohort != null && !fits(cohort, peers[i])) {
                leave(cohort, i);
                changed(peers[i]);
            }
        }
    }

    private boolean fits(Cohort cohort, PeerState peer) {
        return !byLoad || (long) peer.conns * cohort.loadWeight == (long) cohort.loadConns * peer.weight;
    }

    private void leave(Cohort cohort, int i) {
        cohort.leave(i);
        if (byLoad && cohort.size == 0) {
            retire(cohort);
        }
    }

    /** The cohort a usable peer belongs in, created if need be. */
    private Cohort cohortFor(PeerState peer) {
        if (!byLoad) {
            return cohorts[0];
        }
        int lo = 0;
        int hi = cohortCount;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            Cohort c = cohorts[mid];
            long cmp = (long) c.loadConns * peer.weight - (long) peer.conns * c.loadWeight;
            if (cmp == 0) {
                return c;
            }
            if (cmp < 0) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        Cohort c = spareCount > 0 ? spare[--spareCount] : new Cohort(this);
        c.loadConns = peer.conns;
        c.loadWeight = peer.weight;
        if (cohortCount == cohorts.length) {
            cohorts = Arrays.copyOf(cohorts, cohortCount * 2);
        }
        System.arraycopy(cohorts, lo, cohorts, lo + 1, cohortCount - lo);
        cohorts[lo] = c;
        cohortCount++;
        return c;
    }

    /** Drops an empty least_conn cohort, keeping it for reuse. */
    private void retire(Cohort cohort) {
        int at = 0;
        while (cohorts[at] != cohort) {
            at++;
        }
        System.arraycopy(cohorts, at + 1, cohorts, at, cohortCount - at - 1);
        cohorts[--cohortCount] = null;
        if (spareCount == spare.length) {
            spare = Arrays.copyOf(spare, Math.max(4, spareCount * 2));
        }
        spare[spareCount++] = cohort;
    }

    private void updateResting(PeerState peer, boolean usable) {
        int i = peer.index;
        if (!usable && peer.resting(now)) {
            if (restingAt[i] == NONE) {
                restingAt[i] = restingCount;
                resting[restingCount++] = i;
            }
            earliestWake = Math.min(earliestWake, peer.checked + peer.failTimeoutSeconds + 1);
        } else if (restingAt[i] != NONE) {
            int last = resting[--restingCount];
            resting[restingAt[i]] = last;
            restingAt[last] = restingAt[i];
            restingAt[i] = NONE;
        }
    }

    /** Re-files the resting peers whose {@code fail_timeout} has passed. */
    private void wake() {
        if (restingCount == 0 || now.seconds() < earliestWake) {
            return;
        }
        long earliest = Long.MAX_VALUE;
        for (int k = restingCount - 1; k >= 0; k--) {
            PeerState peer = peers[resting[k]];
            if (peer.resting(now)) {
                earliest = Math.min(earliest, peer.checked + peer.failTimeoutSeconds + 1);
            } else {
                changed(peer);
            }
        }
        earliestWake = earliest;
    }

    private void setAside(Selection selection) {
        for (int k = 0; k < selection.triedCount; k++) {
            int i = selection.triedList[k];
            Cohort cohort = cohortOf[i];
            if (cohort != null) {
                leave(cohort, i);
                aside[asideCount++] = i;
            }
        }
    }

    private void restore() {
        while (asideCount > 0) {
            changed(peers[aside[--asideCount]]);
        }
    }
}
