package dev.sluice;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A limit on the requests one client address has in progress at once: nginx's {@code limit_conn_zone
 * $binary_remote_addr zone=NAME} with {@code limit_conn NAME N}. One instance is one zone: every route given the same
 * instance shares its counts.
 *
 * <p>As in nginx, what is counted is a request being processed, from its head to the end of its exchange, so an idle
 * keepalive connection does not count; with HTTP/1.1 that is a connection busy with a request. A request beyond
 * the limit gets {@link #status()} (503 by default, {@code limit_conn_status}). The table holds only addresses with
 * a request in progress, so its size is bounded by the proxy's connections.
 */
public final class ConnectionLimit {

    private final String zone;
    private final int max;
    private final int status;
    private final Map<String, int[]> inProgress = new HashMap<>();

    private ConnectionLimit(String zone, int max, int status) {
        this.zone = zone;
        this.max = max;
        this.status = status;
    }

    /**
     * A zone that lets each client address have {@code max} requests in progress, rejecting more with 503.
     *
     * @throws IllegalArgumentException when {@code max} is not positive
     */
    public static ConnectionLimit perClient(String zone, int max) {
        return perClient(zone, max, 503);
    }

    /**
     * A zone that lets each client address have {@code max} requests in progress, rejecting more with
     * {@code status} ({@code limit_conn_status}, 400 to 599).
     *
     * @throws IllegalArgumentException when {@code max} is not positive or {@code status} out of range
     */
    public static ConnectionLimit perClient(String zone, int max, int status) {
        Objects.requireNonNull(zone, "zone");
        if (max < 1) {
            throw new IllegalArgumentException("limit_conn " + zone + " must allow at least 1: " + max);
        }
        if (status < 400 || status > 599) {
            throw new IllegalArgumentException("limit_conn status must be between 400 and 599: " + status);
        }
        return new ConnectionLimit(zone, max, status);
    }

    /**
     * Counts a request from {@code key} as in progress, unless {@code key} is at the limit.
     *
     * @return whether the request may proceed; when it may, {@link #release} must follow once it ends
     */
    public boolean acquire(String key) {
        synchronized (inProgress) {
            int[] count = inProgress.get(key);
            if (count == null) {
                inProgress.put(key, new int[] {1});
                return true;
            }
            if (count[0] >= max) {
                return false;
            }
            count[0]++;
            return true;
        }
    }

    /**
     * Ends a request that {@link #acquire} let proceed.
     *
     * @throws IllegalStateException when {@code key} has no request in progress
     */
    public void release(String key) {
        synchronized (inProgress) {
            int[] count = inProgress.get(key);
            if (count == null) {
                throw new IllegalStateException("limit_conn " + zone + ": no request in progress for " + key);
            }
            if (--count[0] == 0) {
                inProgress.remove(key);
            }
        }
    }

    /** How many requests {@code key} has in progress. */
    public int inProgress(String key) {
        synchronized (inProgress) {
            int[] count = inProgress.get(key);
            return count == null ? 0 : count[0];
        }
    }

    /** The status a request beyond the limit gets: {@code limit_conn_status}, 503 by default. */
    public int status() {
        return status;
    }

    /** The zone's name, for logs. */
    public String zone() {
        return zone;
    }

    @Override
    public String toString() {
        return "ConnectionLimit[" + zone + ", " + max + " per client]";
    }
}
