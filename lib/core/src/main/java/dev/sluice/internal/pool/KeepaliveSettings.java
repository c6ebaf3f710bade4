package dev.sluice.internal.pool;

import java.time.Duration;
import java.util.Objects;

/**
 * The keepalive settings of one upstream group, named after nginx's upstream directives: {@code keepalive N},
 * {@code keepalive_requests}, {@code keepalive_time} and {@code keepalive_timeout}, with nginx's defaults
 * (those of 1.29.7 and later, where every upstream keeps 32 idle connections). Immutable.
 */
public final class KeepaliveSettings {

    private static final KeepaliveSettings DEFAULTS = builder().build();

    private final int idle;
    private final int maxRequests;
    private final long maxTimeNanos;
    private final long idleTimeoutNanos;
    private final boolean learnLimits;
    private final boolean adaptive;

    private KeepaliveSettings(Builder b) {
        this.idle = b.idle;
        this.maxRequests = b.maxRequests;
        this.maxTimeNanos = b.maxTime.toNanos();
        this.idleTimeoutNanos = b.idleTimeout.toNanos();
        this.learnLimits = b.learnLimits;
        this.adaptive = b.adaptive;
    }

    /** nginx's defaults: 32 idle, 1000 requests, 1 h, 60 s, and limit learning on. */
    public static KeepaliveSettings defaults() {
        return DEFAULTS;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** {@code keepalive N}: idle connections kept per loop for the whole group; 0 disables keepalive. */
    public int idle() {
        return idle;
    }

    /** {@code keepalive_requests}: a connection that served this many requests is closed, not kept. */
    public int maxRequests() {
        return maxRequests;
    }

    /** {@code keepalive_time}: a connection older than this is closed, not kept. */
    public long maxTimeNanos() {
        return maxTimeNanos;
    }

    /** {@code keepalive_timeout}: an idle connection is closed after this long. */
    public long idleTimeoutNanos() {
        return idleTimeoutNanos;
    }

    /** Whether each peer's limits are learned and connections retired before them (see {@link PeerLimits}). */
    public boolean learnLimits() {
        return learnLimits;
    }

    /**
     * Whether {@link #idle()} is a floor rather than the cap: the pool keeps as many idle connections as were in
     * use at once lately (see {@link KeepalivePool}). Not in nginx. Default off.
     */
    public boolean adaptive() {
        return adaptive;
    }

    @Override
    public String toString() {
        return "KeepaliveSettings[idle=" + idle + (adaptive ? " adaptive" : "") + ", maxRequests=" + maxRequests + ", maxTime="
                + Duration.ofNanos(maxTimeNanos) + ", idleTimeout=" + Duration.ofNanos(idleTimeoutNanos)
                + ", learnLimits=" + learnLimits + "]";
    }

    /** Builds {@link KeepaliveSettings}; each method names the nginx directive it mirrors and its default. */
    public static final class Builder {

        private int idle = 32;
        private int maxRequests = 1000;
        private Duration maxTime = Duration.ofHours(1);
        private Duration idleTimeout = Duration.ofSeconds(60);
        private boolean learnLimits = true;
        private boolean adaptive;

        private Builder() {
        }

        /** Whether {@code idle} is a floor the pool grows above to what was in use at once lately. Default off. */
        public Builder adaptive(boolean on) {
            this.adaptive = on;
            return this;
        }

        /** {@code keepalive N}: idle connections kept per loop, in total for the group. Default 32; 0 disables. */
        public Builder idle(int connections) {
            if (connections < 0) {
                throw new IllegalArgumentException("keepalive (idle) must be >= 0: " + connections);
            }
            this.idle = connections;
            return this;
        }

        /** {@code keepalive_requests}: requests one connection may serve. Default 1000. */
        public Builder maxRequests(int requests) {
            if (requests < 1) {
                throw new IllegalArgumentException("keepalive_requests (maxRequests) must be >= 1: " + requests);
            }
            this.maxRequests = requests;
            return this;
        }

        /** {@code keepalive_time}: how long one connection may be used. Default 1 h. */
        public Builder maxTime(Duration time) {
            this.maxTime = positive(time, "keepalive_time (maxTime)");
            return this;
        }

        /** {@code keepalive_timeout}: how long a connection may stay idle. Default 60 s. */
        public Builder idleTimeout(Duration timeout) {
            this.idleTimeout = positive(timeout, "keepalive_timeout (idleTimeout)");
            return this;
        }

        /**
         * Whether to learn each peer's idle and request limits (from {@code Keep-Alive} response headers and from
         * connections the peer closed) and retire connections before them. Not in nginx. Default on; off gives
         * nginx's behaviour exactly.
         */
        public Builder learnLimits(boolean on) {
            this.learnLimits = on;
            return this;
        }

        public KeepaliveSettings build() {
            return new KeepaliveSettings(this);
        }

        private static Duration positive(Duration d, String option) {
            Objects.requireNonNull(d, option);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(option + " must be > 0: " + d);
            }
            return d;
        }
    }
}
