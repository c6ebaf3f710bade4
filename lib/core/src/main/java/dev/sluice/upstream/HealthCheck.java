package dev.sluice.upstream;

import java.time.Duration;
import java.util.Objects;

/**
 * Active health checks for every peer of a group: NGINX Plus's {@code health_check}. Every {@link #interval()} (plus
 * up to {@link #jitter()} at random) the proxy sends {@code GET uri HTTP/1.1} with {@code Host: <group name>} to each
 * peer on a connection of its own (never one of the request pool's; closed after each check, or kept for {@link
 * #keepaliveTime()}), at most one check in flight per peer, and judges the response with its {@link ResponseMatch}. A peer turns unhealthy after
 * {@link #fails()} checks in a row fail (no connection, a timeout, a response that does not match) and gets no
 * requests until {@link #passes()} checks in a row pass; it then comes back through its {@code slow_start}, if it
 * has one. Checks run on a loop of their own, off the request path, and fall due on a 50 ms grid so that the checks
 * of many peers share the loop's wake-ups (a check is at most 50 ms later than its interval says).
 *
 * <p>Defaults are NGINX Plus's: interval 5s, no jitter, fails 1, passes 1, uri {@code /}, the peer's own port, 2xx
 * and 3xx pass, not mandatory. A check's connect and read timeouts, which NGINX Plus takes from the location, are
 * its own here: {@link Builder#timeout} (default 5 s) bounds the connect and then the wait for the whole response.
 */
public final class HealthCheck {

    private final Duration interval;
    private final Duration jitter;
    private final int fails;
    private final int passes;
    private final String uri;
    private final int port;
    private final boolean mandatory;
    private final Duration timeout;
    private final Duration keepaliveTime;
    private final ResponseMatch match;

    private HealthCheck(Builder b) {
        this.interval = b.interval;
        this.jitter = b.jitter;
        this.fails = b.fails;
        this.passes = b.passes;
        this.uri = b.uri;
        this.port = b.port;
        this.mandatory = b.mandatory;
        this.timeout = b.timeout;
        this.keepaliveTime = b.keepaliveTime;
        this.match = b.match;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The time between the end of one check of a peer and the start of the next. */
    public Duration interval() {
        return interval;
    }

    /** The most time added at random to each interval, so checks of many peers spread out. */
    public Duration jitter() {
        return jitter;
    }

    /** Failed checks in a row that make a peer unhealthy. */
    public int fails() {
        return fails;
    }

    /** Passed checks in a row that make an unhealthy peer healthy again. */
    public int passes() {
        return passes;
    }

    /** The target the check requests. */
    public String uri() {
        return uri;
    }

    /** The port checked instead of each peer's own, or 0 for the peer's. */
    public int port() {
        return port;
    }

    /** Whether a peer starts unhealthy and gets requests only once its first check passed. */
    public boolean mandatory() {
        return mandatory;
    }

    /** The longest a check may take: the connect, then the whole response. */
    public Duration timeout() {
        return timeout;
    }

    /** How long one connection serves checks of a peer; zero: a new connection for each check. */
    public Duration keepaliveTime() {
        return keepaliveTime;
    }

    /** What a passing response looks like. */
    public ResponseMatch match() {
        return match;
    }

    @Override
    public String toString() {
        return "health_check interval=" + interval.toMillis() + "ms fails=" + fails + " passes=" + passes + " uri="
                + uri + (port == 0 ? "" : " port=" + port) + (mandatory ? " mandatory" : "") + " match={" + match
                + "}";
    }

    /** Builds a {@link HealthCheck}; each method names its NGINX Plus parameter and default. */
    public static final class Builder {

        private Duration interval = Duration.ofSeconds(5);
        private Duration jitter = Duration.ZERO;
        private int fails = 1;
        private int passes = 1;
        private String uri = "/";
        private int port;
        private boolean mandatory;
        private Duration timeout = Duration.ofSeconds(5);
        private Duration keepaliveTime = Duration.ZERO;
        private ResponseMatch match = ResponseMatch.DEFAULT;

        private Builder() {
        }

        /** {@code interval=T}; default 5s. */
        public Builder interval(Duration interval) {
            this.interval = positive("interval", interval);
            return this;
        }

        /** {@code jitter=T}; default 0. */
        public Builder jitter(Duration jitter) {
            Objects.requireNonNull(jitter, "jitter");
            if (jitter.isNegative()) {
                throw new IllegalArgumentException("jitter must not be negative: " + jitter);
            }
            this.jitter = jitter;
            return this;
        }

        /** {@code fails=N}; default 1. */
        public Builder fails(int fails) {
            this.fails = count("fails", fails);
            return this;
        }

        /** {@code passes=N}; default 1. */
        public Builder passes(int passes) {
            this.passes = count("passes", passes);
            return this;
        }

        /** {@code uri=PATH}; default {@code /}. */
        public Builder uri(String uri) {
            Objects.requireNonNull(uri, "uri");
            if (!uri.startsWith("/") || uri.chars().anyMatch(c -> c <= ' ' || c >= 0x7f)) {
                throw new IllegalArgumentException("uri must start with '/' and hold no spaces or controls: \""
                        + uri + "\"");
            }
            this.uri = uri;
            return this;
        }

        /** {@code port=N}: check this port of each peer's address instead of its own; default the peer's. */
        public Builder port(int port) {
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port must be between 1 and 65535: " + port);
            }
            this.port = port;
            return this;
        }

        /** {@code mandatory}: a peer starts unhealthy until its first check passes; off by default. */
        public Builder mandatory(boolean mandatory) {
            this.mandatory = mandatory;
            return this;
        }

        /** The longest a check may take, connect and response; default 5s. */
        public Builder timeout(Duration timeout) {
            this.timeout = positive("timeout", timeout);
            return this;
        }

        /**
         * {@code keepalive_time=T}: one connection serves a peer's checks for this long (it is read to the end of
         * each response; a check that finds it closed by the peer before any answer goes again on a new one,
         * without a verdict against the peer). Default 0: each check opens and closes its own connection.
         */
        public Builder keepaliveTime(Duration time) {
            Objects.requireNonNull(time, "keepaliveTime");
            if (time.isNegative() || time.compareTo(Duration.ofDays(1)) > 0) {
                throw new IllegalArgumentException("keepaliveTime must be from 0 to 1d: " + time);
            }
            this.keepaliveTime = time;
            return this;
        }

        /** {@code match=NAME}: what a passing response looks like; default 2xx and 3xx. */
        public Builder match(ResponseMatch match) {
            this.match = Objects.requireNonNull(match, "match");
            return this;
        }

        public HealthCheck build() {
            return new HealthCheck(this);
        }

        private static Duration positive(String option, Duration value) {
            Objects.requireNonNull(value, option);
            if (value.isNegative() || value.isZero() || value.compareTo(Duration.ofDays(1)) > 0) {
                throw new IllegalArgumentException(option + " must be more than 0 and at most 1d: " + value);
            }
            return value;
        }

        private static int count(String option, int value) {
            if (value < 1 || value > 1000) {
                throw new IllegalArgumentException(option + " must be between 1 and 1000: " + value);
            }
            return value;
        }
    }
}
