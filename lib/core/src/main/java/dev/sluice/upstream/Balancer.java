package dev.sluice.upstream;

/**
 * A load-balancing method: how a group picks the peer for each attempt. The extension point of the upstream
 * core, and the home of nginx's methods as static factories.
 *
 * <p>A balancer is a stateless description; {@link #newPicker} binds it to one tier of one group, so the same
 * balancer can serve many groups. A picker runs under the group's lock and must not block.
 *
 * <pre>{@code
 * UpstreamGroup.builder("backend").balancer(Balancer.leastConn()) ...
 * }</pre>
 */
public interface Balancer {

    /**
     * Binds this method to the peers of one tier (primary or backup) of a group.
     *
     * @param peers the tier's peers, in configuration order
     * @return the picker for that tier
     */
    Picker newPicker(PeerList peers);

    /** Whether this method reads the selection's hash key, so the proxy must evaluate the key for each request. */
    default boolean usesHashKey() {
        return false;
    }

    /** Whether this method accepts {@code backup} peers; nginx allows them with round robin and least_conn only. */
    default boolean supportsBackup() {
        return false;
    }

    /** Whether this method honours {@code slow_start}; NGINX Plus forbids it with hash, ip_hash and random. */
    default boolean supportsSlowStart() {
        return false;
    }

    /** Picks among a tier's peers for one attempt of one request. */
    @FunctionalInterface
    interface Picker {

        /**
         * Picks a peer that {@link Selection#isEligible(PeerState) is eligible} for this selection, or returns
         * null when there is none. Called with the group's lock held; the selection then counts the connection,
         * marks the peer tried and remembers it for {@link Selection#report(Outcome)}.
         */
        PeerState pick(Selection selection);
    }

    /** Weighted smooth round robin, nginx's default method. Weights 5, 1, 1 pick a a b a c a a, repeating. */
    static Balancer roundRobin() {
        return RoundRobin.BALANCER;
    }

    /** {@code least_conn}: the fewest active requests relative to weight; ties share by weighted round robin. */
    static Balancer leastConn() {
        return LeastConn.BALANCER;
    }

    /** {@code ip_hash}: the first three octets of an IPv4 client address, or its whole IPv6 address. */
    static Balancer ipHash() {
        return IpHash.BALANCER;
    }

    /** {@code hash KEY}: crc32 of the selection's hash key, compatible with Cache::Memcached. Call {@link
     * HashBalancer#consistent()} for {@code hash KEY consistent}. */
    static HashBalancer hash() {
        return Hash.BALANCER;
    }

    /** {@code random}: a peer drawn by weight. */
    static Balancer random() {
        return RandomPick.ONE;
    }

    /** {@code random two} (which is {@code random two least_conn}): two peers drawn by weight, the less loaded
     * wins. */
    static Balancer randomTwo() {
        return RandomPick.TWO;
    }

    /** {@code random two least_conn}: the same method as {@link #randomTwo()}, named as nginx spells it. */
    static Balancer randomTwoLeastConn() {
        return RandomPick.TWO;
    }

    /**
     * NGINX Plus's {@code least_time header}: the least average time to the response head and the fewest active
     * requests, relative to weight; ties share by weighted round robin. Call {@link LeastTimeBalancer#inflight()}
     * for {@code least_time header inflight}. NGINX Plus does not publish its arithmetic; Sluice's: a peer's time is
     * a moving average in which each new attempt weighs 25%; the score is time × (active + 1) ÷ weight; a peer not
     * measured yet counts as fast as the fastest; and a slow average's excess over the fastest halves for every 2 s
     * without a new measurement, so that a peer slow once is tried again rather than starved for good.
     */
    static LeastTimeBalancer leastTimeHeader() {
        return LeastTime.HEADER;
    }

    /** NGINX Plus's {@code least_time last_byte}: as {@link #leastTimeHeader()}, timed to the response's last byte. */
    static LeastTimeBalancer leastTimeLastByte() {
        return LeastTime.LAST_BYTE;
    }

    /** {@code least_time header | last_byte}, which can also count requests still in flight. */
    interface LeastTimeBalancer extends Balancer {

        /** {@code least_time ... inflight}: a peer's time is at least the mean age of its requests in flight. */
        Balancer inflight();
    }

    /** {@code hash KEY}, which can be made consistent. */
    interface HashBalancer extends Balancer {

        /** {@code hash KEY consistent}: ketama consistent hashing with the same points as nginx, so a key maps to
         * the same server as it does in nginx for the same server list. */
        Balancer consistent();
    }
}
