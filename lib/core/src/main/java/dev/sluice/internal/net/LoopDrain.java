package dev.sluice.internal.net;

import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One event loop's part in a graceful shutdown: its {@link Drainable}s, the deadline, and whether the drain was cut
 * short, as an nginx worker exits ({@code ngx_exiting}) once nothing is in flight or {@code worker_shutdown_timeout}
 * passes. The loop owns the state machine; this holds what the drain itself needs. Loop thread only, except
 * {@link #cutShort()} and {@link #markCutShort()}.
 */
final class LoopDrain {

    private static final Logger log = LoggerFactory.getLogger(LoopDrain.class);

    private final String loopName;
    private final List<Drainable> drainables = new ArrayList<>();
    private long deadline;
    private volatile boolean cutShort;

    LoopDrain(String loopName) {
        this.loopName = loopName;
    }

    /** Adds a participant; one added while the loop drains begins draining at once. */
    void add(Drainable drainable, boolean draining) {
        drainables.add(drainable);
        if (draining) {
            begin(drainable);
        }
    }

    void remove(Drainable drainable) {
        drainables.remove(drainable);
    }

    /** Tells every participant to begin draining; the drain ends at {@code deadline} (the loop's clock) at the latest. */
    void start(long deadline) {
        this.deadline = deadline;
        for (int i = 0; i < drainables.size(); i++) {
            begin(drainables.get(i));
        }
    }

    /** Whether draining is over at {@code now}: nothing in flight, or the deadline passed (then it was cut short). */
    boolean over(long now) {
        for (int i = 0; i < drainables.size(); i++) {
            Drainable d = drainables.get(i);
            try {
                if (d.inFlight() > 0) {
                    if (now - deadline >= 0) {
                        cutShort = true;
                        return true;
                    }
                    return false;
                }
            } catch (Throwable e) {
                log.warn("drainable {} failed to report in-flight work on {}", d, loopName, e);
            }
        }
        return true;
    }

    /** The loop stopped while it drained: what was in flight did not end on its own. Any thread. */
    void markCutShort() {
        cutShort = true;
    }

    /** Whether the last graceful shutdown hit its deadline with work still in flight. Any thread. */
    boolean cutShort() {
        return cutShort;
    }

    private void begin(Drainable d) {
        try {
            d.beginDrain();
        } catch (Throwable e) {
            log.warn("drainable {} failed to begin draining on {}", d, loopName, e);
        }
    }
}
