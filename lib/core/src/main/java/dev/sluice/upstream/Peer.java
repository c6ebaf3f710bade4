package dev.sluice.upstream;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * One {@code server} line of an upstream group: its address as written and its parameters. Immutable.
 *
 * <p>Mirrors nginx's {@code server ADDRESS [weight=N] [max_fails=N] [fail_timeout=T] [backup] [down] [drain]
 * [max_conns=N] [slow_start=T] [route=S] [resolve]}, with nginx's defaults: weight 1, max_fails 1, fail_timeout 10s,
 * max_conns 0 (unlimited), slow_start 0 (off). A name that resolves to several addresses yields several
 * {@link PeerState}s that share one {@code Peer}.
 */
public final class Peer {

    private final String server;
    private final int weight;
    private final int maxFails;
    private final Duration failTimeout;
    private final boolean backup;
    private final boolean down;
    private final boolean drain;
    private final int maxConns;
    private final Duration slowStart;
    private final String route;
    private final boolean resolve;
    private final String service;
    private final EndpointSource source;

    private Peer(Builder b) {
        this.server = b.server;
        this.weight = b.weight;
        this.maxFails = b.maxFails;
        this.failTimeout = b.failTimeout;
        this.backup = b.backup;
        this.down = b.down;
        this.drain = b.drain;
        this.maxConns = b.maxConns;
        this.slowStart = b.slowStart;
        this.route = b.route;
        this.resolve = b.resolve;
        this.service = b.service;
        this.source = b.source;
    }

    /** The address exactly as written: {@code host:port}, {@code host} (port 80) or {@code unix:/path}; or the name
     * of a line whose endpoints a {@link #source()} gives. Consistent hashing hashes this text, as nginx does, not the
     * resolved address. */
    public String server() {
        return server;
    }

    /** {@code weight=N}: the peer's share of requests; default 1. */
    public int weight() {
        return weight;
    }

    /** {@code max_fails=N}: failures within {@link #failTimeout()} that make the peer unavailable; 0 disables the
     * accounting; default 1. */
    public int maxFails() {
        return maxFails;
    }

    /** {@code fail_timeout=T}: the window for counting failures and how long the peer then rests; whole seconds,
     * as nginx keeps it; default 10s. */
    public Duration failTimeout() {
        return failTimeout;
    }

    /** {@code backup}: serves only while every primary peer is unavailable. */
    public boolean backup() {
        return backup;
    }

    /** {@code down}: never serves (its weight still counts for {@code hash} and {@code ip_hash}, as in nginx). */
    public boolean down() {
        return down;
    }

    /**
     * {@code drain} (NGINX Plus): the peer takes only the requests bound to it, as after {@link
     * UpstreamGroup#drainServer}, which a state file keeps this way.
     */
    public boolean drain() {
        return drain;
    }

    /** {@code max_conns=N}: at most N requests in flight to this peer; 0 means unlimited. */
    public int maxConns() {
        return maxConns;
    }

    /** {@code slow_start=T}: after recovering, the peer's weight climbs from zero to {@link #weight()} over T;
     * {@link Duration#ZERO} turns it off. */
    public Duration slowStart() {
        return slowStart;
    }

    /** {@code route=S}: the route name that sticky sessions use; empty when none. */
    public String route() {
        return route;
    }

    /** {@code resolve}: the name is looked up again while the proxy runs, and the line's peers follow it. */
    public boolean resolve() {
        return resolve;
    }

    /** NGINX Plus's {@code service=NAME}: the SRV service whose records give this {@code resolve} line's endpoints;
     * empty for A and AAAA records. */
    public String service() {
        return service;
    }

    /** The source this line's endpoints come from ({@link UpstreamGroup.Builder#discover}); empty for a line of
     * fixed addresses or one that {@link #resolve() resolves} its name with the group's resolver. */
    public Optional<EndpointSource> source() {
        return Optional.ofNullable(source);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(server);
        if (weight != 1) sb.append(" weight=").append(weight);
        if (maxFails != 1) sb.append(" max_fails=").append(maxFails);
        if (!failTimeout.equals(Builder.DEFAULT_FAIL_TIMEOUT)) sb.append(" fail_timeout=").append(failTimeout.toSeconds()).append('s');
        if (maxConns != 0) sb.append(" max_conns=").append(maxConns);
        if (!slowStart.isZero()) sb.append(" slow_start=").append(slowStart.toMillis()).append("ms");
        if (!route.isEmpty()) sb.append(" route=").append(route);
        if (backup) sb.append(" backup");
        if (down) sb.append(" down");
        if (drain) sb.append(" drain");
        if (!service.isEmpty()) sb.append(" service=").append(service);
        if (resolve) sb.append(" resolve");
        if (source != null) sb.append(" discovered");
        return sb.toString();
    }

    static Builder builder(String server) {
        return new Builder(server);
    }

    /** A line named {@code name} whose endpoints {@code source} gives. */
    static Builder discovered(String name, EndpointSource source) {
        return new Builder(name, Objects.requireNonNull(source, "source"));
    }

    /**
     * Checks that {@code balancer} supports this line's parameters (nginx allows backup and slow_start only with some
     * methods) in upstream {@code group}.
     *
     * @throws IllegalArgumentException naming the parameter and the server
     */
    void checkSupportedBy(Balancer balancer, String group) {
        if (backup && !balancer.supportsBackup()) {
            throw new IllegalArgumentException("backup is not supported by this balancing method (server " + server
                    + " in upstream \"" + group + "\")");
        }
        if (!slowStart.isZero() && !balancer.supportsSlowStart()) {
            throw new IllegalArgumentException("slowStart is not supported by this balancing method (server " + server
                    + " in upstream \"" + group + "\")");
        }
    }

    /** A builder holding this line's parameters, for a change of some of them at run time. */
    Builder toBuilder() {
        Builder b = source == null ? new Builder(server) : new Builder(server, source);
        b.weight = weight;
        b.maxFails = maxFails;
        b.failTimeout = failTimeout;
        b.backup = backup;
        b.down = down;
        b.drain = drain;
        b.maxConns = maxConns;
        b.slowStart = slowStart;
        b.route = route;
        b.resolve = resolve;
        b.service = service;
        return b;
    }

    /** Sets the parameters of one {@code server} line; each method names the nginx parameter it mirrors. */
    public static final class Builder {

        static final Duration DEFAULT_FAIL_TIMEOUT = Duration.ofSeconds(10);
        private static final Duration MAX_DURATION = Duration.ofDays(365);
        private static final long[] UNIT_MILLIS = {86_400_000L, 3_600_000L, 60_000L, 1_000L, 1L};
        private static final String[] UNITS = {"d", "h", "m", "s", "ms"};

        /** {@code time} as nginx writes one, in its largest whole unit ({@code 1000000d}, {@code 90s}, {@code
         * 1500ms}); a time of finer grain as Java writes it. */
        static String timeText(Duration time) {
            if (time.getNano() % 1_000_000 != 0 || time.abs().getSeconds() > Long.MAX_VALUE / 1000) {
                return time.toString();
            }
            long millis = time.toMillis();
            int unit = 0;
            while (millis % UNIT_MILLIS[unit] != 0) {
                unit++;
            }
            return millis / UNIT_MILLIS[unit] + UNITS[unit];
        }

        private final String server;
        private int weight = 1;
        private int maxFails = 1;
        private Duration failTimeout = DEFAULT_FAIL_TIMEOUT;
        private boolean backup;
        private boolean down;
        private boolean drain;
        private int maxConns;
        private Duration slowStart = Duration.ZERO;
        private String route = "";
        private boolean resolve;
        private String service = "";
        private final EndpointSource source;

        private Builder(String server) {
            this.server = Addresses.checkServer(server);
            this.source = null;
        }

        private Builder(String name, EndpointSource source) {
            Objects.requireNonNull(name, "name");
            if (!name.matches("[A-Za-z0-9._:/@-]{1,253}")) {
                throw new IllegalArgumentException("a discovered server line's name must be 1 to 253 letters, digits"
                        + " or . _ : / @ -: \"" + name + "\"");
            }
            this.server = name;
            this.source = source;
        }

        /** {@code weight=N}, 1 to 1,000,000; default 1. */
        public Builder weight(int weight) {
            if (weight < 1 || weight > 1_000_000) {
                throw new IllegalArgumentException("weight must be between 1 and 1000000: " + weight + " (server " + server + ")");
            }
            this.weight = weight;
            return this;
        }

        /** {@code max_fails=N}, 0 or more; 0 disables failure accounting; default 1. */
        public Builder maxFails(int maxFails) {
            if (maxFails < 0) {
                throw new IllegalArgumentException("maxFails must not be negative: " + maxFails + " (server " + server + ")");
            }
            this.maxFails = maxFails;
            return this;
        }

        /** {@code fail_timeout=T}, whole seconds from 0 to 365 days; default 10s. */
        public Builder failTimeout(Duration failTimeout) {
            Objects.requireNonNull(failTimeout, "failTimeout");
            if (failTimeout.isNegative() || failTimeout.compareTo(MAX_DURATION) > 0 || failTimeout.toNanos() % 1_000_000_000L != 0) {
                throw new IllegalArgumentException("failTimeout must be whole seconds between 0s and 365d: " + timeText(failTimeout) + " (server " + server + ")");
            }
            this.failTimeout = failTimeout;
            return this;
        }

        /** {@code backup}: used only while every primary peer is unavailable. Round robin and least_conn only. */
        public Builder backup() {
            return backup(true);
        }

        /** {@code backup} when true; false makes a backup line a primary one again (a change at run time). */
        public Builder backup(boolean backup) {
            this.backup = backup;
            return this;
        }

        /** {@code down}: the peer never serves. */
        public Builder down() {
            return down(true);
        }

        /** {@code down} when true; false brings a down line back (a change at run time). */
        public Builder down(boolean down) {
            this.down = down;
            return this;
        }

        /** {@code drain}: the peer takes only the requests bound to it (a sticky session, an ntlm connection). */
        public Builder drain() {
            this.drain = true;
            return this;
        }

        /** {@code max_conns=N}, 0 or more; 0 means unlimited (the default). */
        public Builder maxConns(int maxConns) {
            if (maxConns < 0) {
                throw new IllegalArgumentException("maxConns must not be negative: " + maxConns + " (server " + server + ")");
            }
            this.maxConns = maxConns;
            return this;
        }

        /**
         * {@code slow_start=T}, from 0 (off, the default) to 365 days. Round robin and least_conn only. The weight
         * ramps from 0 to the weight over T once the peer is back (healthy again, or out of its failure window), and
         * from the moment it joins a running group (added through the API, or an endpoint its source announces
         * ready; with a mandatory health check, from its first passing check).
         * Where peers start their ramps together (a mandatory health check passing for all of them at once), Sluice
         * lets them share requests equally while every ramp is still at 0, where nginx's pass would give them all to
         * the first.
         */
        public Builder slowStart(Duration slowStart) {
            Objects.requireNonNull(slowStart, "slowStart");
            if (slowStart.isNegative() || slowStart.compareTo(MAX_DURATION) > 0) {
                throw new IllegalArgumentException("slowStart must be between 0s and 365d: " + timeText(slowStart) + " (server " + server + ")");
            }
            this.slowStart = slowStart;
            return this;
        }

        /** {@code route=S}: a route name for sticky sessions, letters, digits, '-', '_' and '.'. */
        public Builder route(String route) {
            Objects.requireNonNull(route, "route");
            if (!route.matches("[A-Za-z0-9._-]{0,64}")) {
                throw new IllegalArgumentException("route must be up to 64 letters, digits, '.', '_' or '-': \"" + route + "\" (server " + server + ")");
            }
            this.route = route;
            return this;
        }

        /**
         * NGINX Plus's {@code resolve}: the host name is looked up again while the proxy runs, when its records' time
         * to live ends (or the resolver's {@code valid}), and the line's peers follow its addresses ({@link
         * UpstreamGroup#setEndpoints}). Needs the group's resolver to ask DNS servers ({@link Resolver#dns}). A name
         * that does not resolve when the group is built leaves the line without peers until it does, rather than
         * failing the build; a look-up that fails later keeps the addresses last found.
         */
        public Builder resolve() {
            if (source != null) {
                throw new IllegalArgumentException("resolve is for a server name; server " + server
                        + " has a source of its own");
            }
            if (Addresses.isUnix(server) || Addresses.isLiteral(Addresses.host(server))) {
                throw new IllegalArgumentException("resolve needs a host name, not an address (server " + server + ")");
            }
            this.resolve = true;
            return this;
        }

        /**
         * NGINX Plus's {@code service=NAME} with {@link #resolve()}: the line's endpoints are the targets of the name's
         * SRV records, at their ports, with their weights; the records of the lowest priority are primary, the
         * others backups (on a {@link #backup()} line only the lowest priority's records count, as backups). A
         * service without a dot is looked up as {@code _NAME._tcp.HOST}, one with dots as {@code NAME.HOST}. The
         * server is then written without a port.
         */
        public Builder service(String name) {
            Objects.requireNonNull(name, "service");
            if (!name.matches("[A-Za-z0-9._-]{1,63}") || name.startsWith(".") || name.endsWith(".")) {
                throw new IllegalArgumentException("service must be a DNS name part: \"" + name + "\" (server "
                        + server + ")");
            }
            if (source != null || Addresses.isUnix(server) || Addresses.isLiteral(Addresses.host(server))
                    || server.indexOf(':') >= 0) {
                throw new IllegalArgumentException("service needs a host name without a port (server " + server
                        + ")");
            }
            this.service = name;
            return this;
        }

        Peer build() {
            if (!service.isEmpty() && !resolve) {
                throw new IllegalArgumentException("service needs resolve (server " + server + ")");
            }
            return new Peer(this);
        }
    }
}
