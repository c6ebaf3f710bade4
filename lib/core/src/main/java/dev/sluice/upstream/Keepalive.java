package dev.sluice.upstream;

import java.time.Duration;
import java.util.Objects;

/**
 * How a group keeps idle connections to its peers for reuse: nginx's {@code keepalive N}, {@code
 * keepalive_requests}, {@code keepalive_time} and {@code keepalive_timeout} in an {@code upstream} block.
 * Immutable; the proxy keeps one cache of this size per event loop, as nginx keeps one per worker.
 *
 * <p>Defaults are nginx's current ones — 1000 requests, 1 hour, 60 seconds — but for one: the number of idle
 * connections kept adapts to the load ({@link Builder#auto()}): at least 32 (since 1.29.7 every nginx upstream has
 * {@code keepalive 32}), and as many as were in use at once during the last 10 to 20 seconds, so that a load with
 * more requests in flight than 32 does not close connections as responses release them only to open new ones for
 * the next requests, which a fixed {@code keepalive 32} does. {@link Builder#idle(int)} gives nginx's fixed cap;
 * {@code idle(0)} turns keepalive off.
 */
public final class Keepalive {

    static final Keepalive DEFAULT = new Builder().build();

    private final int idle;
    private final boolean adaptive;
    private final int maxRequests;
    private final Duration maxLifetime;
    private final Duration idleTimeout;

    private Keepalive(Builder b) {
        this.idle = b.idle;
        this.adaptive = b.adaptive;
        this.maxRequests = b.maxRequests;
        this.maxLifetime = b.maxLifetime;
        this.idleTimeout = b.idleTimeout;
    }

    /**
     * {@code keepalive N}: idle connections kept per event loop for the whole group (the floor when {@link
     * #adaptive()}); 0 turns keepalive off.
     */
    public int idle() {
        return idle;
    }

    /** Whether the idle connections kept grow above {@link #idle()} to what the load had in use at once lately. */
    public boolean adaptive() {
        return adaptive;
    }

    /** {@code keepalive_requests}: requests one connection serves before it is closed. */
    public int maxRequests() {
        return maxRequests;
    }

    /** {@code keepalive_time}: how long one connection may be reused after it was opened. */
    public Duration maxLifetime() {
        return maxLifetime;
    }

    /** {@code keepalive_timeout}: how long an idle connection is kept. */
    public Duration idleTimeout() {
        return idleTimeout;
    }

    @Override
    public String toString() {
        return "keepalive " + (adaptive ? "auto (at least " + idle + ")" : idle) + "; keepalive_requests " + maxRequests + "; keepalive_time " + maxLifetime.toSeconds()
                + "s; keepalive_timeout " + idleTimeout.toMillis() + "ms";
    }

    /** Sets the keepalive options; each method names the nginx directive it mirrors. */
    public static final class Builder {

        private static final Duration MAX = Duration.ofDays(365);

        private int idle = 32;
        private boolean adaptive = true;
        private int maxRequests = 1000;
        private Duration maxLifetime = Duration.ofHours(1);
        private Duration idleTimeout = Duration.ofSeconds(60);

        Builder() {
        }

        /** {@code keepalive N}, 0 to 65536: nginx's fixed cap of idle connections; 0 turns upstream keepalive off. */
        public Builder idle(int idle) {
            if (idle < 0 || idle > 65536) {
                throw new IllegalArgumentException("keepalive idle must be between 0 and 65536: " + idle);
            }
            this.idle = idle;
            this.adaptive = false;
            return this;
        }

        /**
         * The default: keep at least 32 idle connections per event loop, and as many as the group had in use at
         * once during the current and the previous 10-second window (up to 4096 per loop). Not in nginx.
         */
        public Builder auto() {
            this.idle = 32;
            this.adaptive = true;
            return this;
        }

        /** {@code keepalive_requests N}, at least 1; default 1000. */
        public Builder maxRequests(int maxRequests) {
            if (maxRequests < 1) {
                throw new IllegalArgumentException("keepalive maxRequests must be at least 1: " + maxRequests);
            }
            this.maxRequests = maxRequests;
            return this;
        }

        /** {@code keepalive_time T}, more than 0 and at most 365 days; default 1h. */
        public Builder maxLifetime(Duration maxLifetime) {
            this.maxLifetime = positive("keepalive maxLifetime", maxLifetime);
            return this;
        }

        /** {@code keepalive_timeout T}, more than 0 and at most 365 days; default 60s. */
        public Builder idleTimeout(Duration idleTimeout) {
            this.idleTimeout = positive("keepalive idleTimeout", idleTimeout);
            return this;
        }

        private static Duration positive(String option, Duration value) {
            Objects.requireNonNull(value, option);
            if (value.isNegative() || value.isZero() || value.compareTo(MAX) > 0) {
                throw new IllegalArgumentException(option + " must be more than 0 and at most 365d: " + value);
            }
            return value;
        }

        Keepalive build() {
            return new Keepalive(this);
        }
    }
}
