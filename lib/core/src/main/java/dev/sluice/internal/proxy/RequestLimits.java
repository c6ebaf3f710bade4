package dev.sluice.internal.proxy;

import dev.sluice.ConnectionLimit;
import dev.sluice.RequestLimit;
import dev.sluice.Route;
import java.util.List;

/**
 * The {@code limit_req} and {@code limit_conn} checks of one client connection's current request: admits it (at
 * once, after a delay, or not at all) and gives back what it holds when its exchange ends, however it ends. One per
 * client connection, reused for each request; allocates nothing.
 */
final class RequestLimits {

    /** What {@link #admit} answers for a request to refuse with {@link #rejectStatus()}. */
    static final long REJECTED = -1;

    private List<ConnectionLimit> held = List.of();
    private int heldCount;
    private String heldKey;
    private int rejectStatus;

    /**
     * Checks a request through {@code route} from client address {@code key} at {@code nowMillis}.
     *
     * @return {@link #REJECTED}, or the milliseconds the request waits before it goes on (0: at once)
     * @throws IllegalStateException when the previous request's limits were not released
     */
    long admit(Route route, String key, long nowMillis) {
        if (heldCount != 0) {
            throw new IllegalStateException("the previous request still holds its connection limits");
        }
        long delay = 0;
        List<RequestLimit> rates = route.requestLimits();
        for (int i = 0; i < rates.size(); i++) {
            long d = rates.get(i).admit(key, nowMillis);
            if (d == RequestLimit.REJECT) {
                rejectStatus = rates.get(i).status();
                return REJECTED;
            }
            delay = Math.max(delay, d);
        }
        List<ConnectionLimit> counts = route.connectionLimits();
        held = counts;
        heldKey = key;
        for (int i = 0; i < counts.size(); i++) {
            if (!counts.get(i).acquire(key)) {
                rejectStatus = counts.get(i).status();
                release();
                return REJECTED;
            }
            heldCount++;
        }
        return delay;
    }

    /** The status of the limit that refused the last request. */
    int rejectStatus() {
        return rejectStatus;
    }

    /** Ends the current request's part in its connection limits; does nothing when it holds none. */
    void release() {
        for (int i = 0; i < heldCount; i++) {
            held.get(i).release(heldKey);
        }
        heldCount = 0;
        held = List.of();
        heldKey = null;
    }
}
