package dev.sluice.upstream;

/**
 * A peer's active health checks counted: in a row, which decides its turns between healthy and unhealthy (changed
 * under the group's lock), and in all, which the status documents read ({@link PeerState#healthChecks()}).
 */
final class CheckTally {

    private int failsInARow;
    private int passesInARow;
    private volatile long checks;
    private volatile long fails;
    private volatile long unhealthyTurns;
    private volatile Boolean lastPassed;

    /**
     * Counts one check of a peer that is {@code healthy} now; returns the health it turns to: unhealthy after {@code
     * failsToTurn} failed checks in a row, healthy again after {@code passesToTurn} passed ones, else as it was. A
     * peer waiting for its first check under a mandatory one (unhealthy, never checked) turns healthy when that check
     * passes, as NGINX Plus's "checking" lasts until the first check is completed, and turns unhealthy when it fails.
     * Lock held.
     */
    boolean record(boolean passed, boolean healthy, int failsToTurn, int passesToTurn) {
        boolean first = checks == 0;
        checks++;
        lastPassed = passed;
        if (passed) {
            failsInARow = 0;
            return ++passesInARow >= passesToTurn || healthy || first;
        }
        fails++;
        passesInARow = 0;
        if (++failsInARow >= failsToTurn && healthy || first && !healthy) {
            unhealthyTurns++; // a first check failed under a mandatory one: from checking to unhealthy
            return false;
        }
        return healthy;
    }

    /** Forgets the checks counted in all; those in a row, which decide the next turn, and the last verdict stay. */
    void reset() {
        checks = 0;
        fails = 0;
        unhealthyTurns = 0;
    }

    PeerState.HealthChecks snapshot() {
        return new PeerState.HealthChecks(checks, fails, unhealthyTurns, lastPassed);
    }
}
