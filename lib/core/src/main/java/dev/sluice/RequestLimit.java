package dev.sluice;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * A request rate limit per client address: nginx's {@code limit_req_zone $binary_remote_addr zone=NAME rate=R}
 * with {@code limit_req zone=NAME burst=B [nodelay | delay=D]}. One instance is one zone: every route given the same
 * instance shares its state, as locations naming one zone do in nginx.
 *
 * <p>The algorithm is nginx's leaky bucket, in thousandths of a request: each client address has an excess that
 * drains at the rate and grows by one per request. A request whose excess would pass {@code burst} is rejected with
 * {@link #status()} (503 by default, {@code limit_req_status}); one within the burst passes at once when it is within
 * the delay allowance ({@code nodelay}: the whole burst; default none), else waits until the bucket has drained to the
 * allowance. A client's first request always passes.
 *
 * <p>Memory is bounded: the zone keeps at most {@link Builder#keys(int)} addresses (default 16,384, about what
 * nginx's 1 MiB zone holds) and forgets the least recently seen one beyond that. The table is shared by every event
 * loop under one lock, as nginx's zone is shared by its workers under a mutex.
 */
public final class RequestLimit {

    /** What {@link #admit} answers for a request to reject. */
    public static final long REJECT = -1;

    private final String zone;
    private final long ratePerSecondMilli;
    private final long burstMilli;
    private final long delayMilli;
    private final int status;
    private final Buckets buckets;

    private RequestLimit(Builder b) {
        this.zone = b.zone;
        this.ratePerSecondMilli = b.ratePerSecondMilli;
        this.burstMilli = b.burst * 1000L;
        this.delayMilli = b.nodelay ? Long.MAX_VALUE : b.delay * 1000L;
        this.status = b.status;
        this.buckets = new Buckets(b.keys);
    }

    /** Starts a zone named {@code zone}; its rate must be given. */
    public static Builder builder(String zone) {
        return new Builder(zone);
    }

    /**
     * Accounts one request from {@code key} (a client address) at {@code nowMillis} (any monotonic millisecond
     * clock, the same for every call).
     *
     * @return {@link #REJECT}, or how many milliseconds the request waits before it proceeds (0: at once)
     */
    public long admit(String key, long nowMillis) {
        long excess;
        synchronized (buckets) {
            Bucket bucket = buckets.get(key);
            if (bucket == null) {
                buckets.put(key, new Bucket(nowMillis));
                return 0;
            }
            long ms = nowMillis - bucket.lastMillis;
            if (ms < 0) {
                ms = 0;
            }
            excess = Math.max(0, bucket.excessMilli - ratePerSecondMilli * ms / 1000 + 1000);
            if (excess > burstMilli) {
                return REJECT;
            }
            bucket.excessMilli = excess;
            if (ms != 0) {
                bucket.lastMillis = nowMillis;
            }
        }
        return excess <= delayMilli ? 0 : (excess - delayMilli) * 1000 / ratePerSecondMilli;
    }

    /** The status a rejected request gets: {@code limit_req_status}, 503 by default. */
    public int status() {
        return status;
    }

    /** The zone's name, for logs. */
    public String zone() {
        return zone;
    }

    @Override
    public String toString() {
        return "RequestLimit[" + zone + ", rate=" + ratePerSecondMilli / 1000.0 + "r/s, burst=" + burstMilli / 1000
                + (delayMilli == Long.MAX_VALUE ? ", nodelay" : ", delay=" + delayMilli / 1000) + "]";
    }

    /** One client address's bucket: its excess in thousandths of a request, and when it was last updated. */
    private static final class Bucket {
        long excessMilli;
        long lastMillis;

        Bucket(long lastMillis) {
            this.lastMillis = lastMillis;
        }
    }

    /** The zone's table, least recently seen first, bounded by evicting that one. */
    private static final class Buckets extends LinkedHashMap<String, Bucket> {
        private static final long serialVersionUID = 1L;
        private final int max;

        Buckets(int max) {
            super(16, 0.75f, true);
            this.max = max;
        }

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Bucket> eldest) {
            return size() > max;
        }
    }

    /** Builds a {@link RequestLimit}. */
    public static final class Builder {
        private final String zone;
        private long ratePerSecondMilli;
        private int burst;
        private int delay;
        private boolean nodelay;
        private int status = 503;
        private int keys = 16_384;

        private Builder(String zone) {
            this.zone = Objects.requireNonNull(zone, "zone");
        }

        /**
         * The rate, written as nginx writes it: {@code "10r/s"} or {@code "30r/m"}.
         *
         * @throws IllegalArgumentException for another form or a rate that is not positive
         */
        public Builder rate(String rate) {
            String r = Objects.requireNonNull(rate, "rate").trim().toLowerCase(Locale.ROOT);
            long perMinute;
            if (r.endsWith("r/s")) {
                perMinute = 60;
            } else if (r.endsWith("r/m")) {
                perMinute = 1;
            } else {
                throw new IllegalArgumentException("limit_req rate must be written as Nr/s or Nr/m: \"" + rate + "\"");
            }
            long n;
            try {
                n = Long.parseLong(r.substring(0, r.length() - 3));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("limit_req rate must be written as Nr/s or Nr/m: \"" + rate + "\"");
            }
            if (n <= 0 || n > 1_000_000) {
                throw new IllegalArgumentException("limit_req rate must be between 1 and 1000000: \"" + rate + "\"");
            }
            this.ratePerSecondMilli = n * 1000 * perMinute / 60;
            if (ratePerSecondMilli == 0) {
                this.ratePerSecondMilli = 1;
            }
            return this;
        }

        /** {@code burst=N}: how many requests beyond the rate a client may have outstanding; default 0. */
        public Builder burst(int burst) {
            if (burst < 0) {
                throw new IllegalArgumentException("limit_req burst must not be negative: " + burst);
            }
            this.burst = burst;
            return this;
        }

        /** {@code delay=N}: how many requests of the burst pass without waiting; default 0. */
        public Builder delay(int delay) {
            if (delay < 0) {
                throw new IllegalArgumentException("limit_req delay must not be negative: " + delay);
            }
            this.delay = delay;
            this.nodelay = false;
            return this;
        }

        /** {@code nodelay}: every request within the burst passes at once. */
        public Builder nodelay() {
            this.nodelay = true;
            return this;
        }

        /** {@code limit_req_status}: the status a rejected request gets, 400 to 599; default 503. */
        public Builder status(int status) {
            if (status < 400 || status > 599) {
                throw new IllegalArgumentException("limit_req status must be between 400 and 599: " + status);
            }
            this.status = status;
            return this;
        }

        /** How many client addresses the zone remembers; default 16,384. */
        public Builder keys(int keys) {
            if (keys < 1) {
                throw new IllegalArgumentException("limit_req keys must be positive: " + keys);
            }
            this.keys = keys;
            return this;
        }

        /**
         * Builds the zone.
         *
         * @throws IllegalArgumentException when no rate was given
         */
        public RequestLimit build() {
            if (ratePerSecondMilli == 0) {
                throw new IllegalArgumentException("limit_req zone " + zone + " needs a rate, such as \"10r/s\"");
            }
            return new RequestLimit(this);
        }
    }
}
