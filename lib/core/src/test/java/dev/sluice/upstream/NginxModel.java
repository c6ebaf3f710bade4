package dev.sluice.upstream;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.random.RandomGenerator;
import java.util.zip.CRC32;

/**
 * nginx's balancers written out peer by peer, as the pseudo-code of the upstream notes (§1-7) gives them: every
 * pick walks every peer, as nginx does. Slow, short and obviously faithful, so that the fast structures of the
 * library can be held against it over long random scenarios. Test code only.
 *
 * <p>Two Sluice additions are modelled the way the library defines them: {@code healthy} (an unhealthy peer is
 * skipped like a down one) and {@code slow_start} (the effective weight climbs towards {@code weight * elapsed /
 * slow_start} instead of {@code weight}).
 */
final class NginxModel {

    static final long LONG_AGO = Long.MIN_VALUE / 4;

    /** The balancing methods, each with the library's balancer for it. */
    enum Method {
        ROUND_ROBIN(Balancer.roundRobin()),
        LEAST_CONN(Balancer.leastConn()),
        IP_HASH(Balancer.ipHash()),
        HASH(Balancer.hash()),
        CONSISTENT_HASH(Balancer.hash().consistent()),
        RANDOM(Balancer.random()),
        RANDOM_TWO(Balancer.randomTwo());

        final Balancer balancer;

        Method(Balancer balancer) {
            this.balancer = balancer;
        }
    }

    /** One peer: nginx's {@code ngx_http_upstream_rr_peer_t}. */
    static final class Peer {
        final int id;
        /** Position in its tier (primary or backup), the bit nginx sets in {@code tried}. */
        final int index;
        final String server;
        final int weight;
        final int maxFails;
        final long failTimeout;
        final int maxConns;
        final long slowStart;
        boolean down;
        boolean healthy = true;
        long currentWeight;
        int effectiveWeight;
        int conns;
        int fails;
        long accessed = LONG_AGO;
        long checked = LONG_AGO;
        long slowStartSince = LONG_AGO;
        long requests;
        long failures;

        Peer(int id, int index, String server, int weight, int maxFails, long failTimeout, int maxConns, long slowStart, boolean down) {
            this.id = id;
            this.index = index;
            this.server = server;
            this.weight = weight;
            this.effectiveWeight = weight;
            this.maxFails = maxFails;
            this.failTimeout = failTimeout;
            this.maxConns = maxConns;
            this.slowStart = slowStart;
            this.down = down;
        }
    }

    final Method method;
    final Peer[] primary;
    final Peer[] backup;
    final RandomGenerator random;
    private final long[] pointHash;
    private final String[] pointServer;

    NginxModel(Method method, List<Peer> primary, List<Peer> backup, RandomGenerator random) {
        this.method = method;
        this.primary = primary.toArray(new Peer[0]);
        this.backup = backup.toArray(new Peer[0]);
        this.random = random;
        List<Object[]> points = new ArrayList<>();
        for (Peer p : method == Method.CONSISTENT_HASH ? this.primary : new Peer[0]) {
            for (long h : ketama(p.server, p.weight)) {
                points.add(new Object[] {h, p.server});
            }
        }
        points.sort(Comparator.comparingLong(o -> (Long) o[0]));
        List<Object[]> kept = new ArrayList<>();
        for (Object[] point : points) {
            if (kept.isEmpty() || !kept.get(kept.size() - 1)[0].equals(point[0])) {
                kept.add(point);
            }
        }
        pointHash = new long[kept.size()];
        pointServer = new String[kept.size()];
        for (int i = 0; i < kept.size(); i++) {
            pointHash[i] = (Long) kept.get(i)[0];
            pointServer[i] = (String) kept.get(i)[1];
        }
    }

    static int totalWeight(Peer[] tier) {
        int total = 0;
        for (Peer p : tier) {
            total += p.weight;
        }
        return total;
    }

    static int notDown(Peer[] tier) {
        int n = 0;
        for (Peer p : tier) {
            if (!p.down) {
                n++;
            }
        }
        return n;
    }

    /** One request's peer data: {@code rr_peer_data} plus the hash modules' state. */
    final class Request {
        Peer[] tier = primary;
        boolean[] tried = new boolean[Math.max(primary.length, backup.length)];
        boolean started;
        int tries;
        int maxTries;
        Peer current;
        byte[] key = new byte[0];
        byte[] client = new byte[0];
        boolean hashStarted;
        long hash;
        int rehash;
        int hashTries;

        boolean single() {
            return tier == primary && primary.length == 1 && backup.length == 0;
        }

        boolean eligible(Peer p, long now) {
            return !tried[p.index] && !p.down && p.healthy
                    && !(p.maxFails != 0 && p.fails >= p.maxFails && now - p.checked <= p.failTimeout)
                    && !(p.maxConns != 0 && p.conns >= p.maxConns);
        }

        /** {@code peer.get}: the peer for the next attempt, or null for "no live upstreams". */
        Peer get(long nanos) {
            long now = Math.floorDiv(nanos, 1_000_000_000L);
            if (!started) {
                started = true;
                tries = notDown(primary) + notDown(backup);
                if (maxTries != 0 && tries > maxTries) {
                    tries = maxTries;
                }
            }
            Peer p = getInTier(now, nanos);
            if (p == null && tier == primary && backup.length > 0) {
                tier = backup;
                tried = new boolean[tried.length];
                p = getInTier(now, nanos);
            }
            if (p == null) {
                return null;
            }
            tried[p.index] = true;
            if (now - p.checked > p.failTimeout) {
                p.checked = now;
            }
            p.conns++;
            p.requests++;
            current = p;
            return p;
        }

        private Peer getInTier(long now, long nanos) {
            switch (method) {
                case ROUND_ROBIN:
                    return roundRobin(now, nanos);
                case LEAST_CONN:
                    return leastConn(now, nanos);
                case IP_HASH:
                    return ipHash(now, nanos);
                case HASH:
                    return hash(now, nanos);
                case CONSISTENT_HASH:
                    return consistentHash(now, nanos);
                case RANDOM:
                    return randomOne(now, nanos);
                default:
                    return randomTwo(now, nanos);
            }
        }

        /** {@code ngx_http_upstream_get_round_robin_peer} with {@code get_peer}. */
        Peer roundRobin(long now, long nanos) {
            if (single()) {
                Peer p = tier[0];
                if (p.down || !p.healthy || (p.maxConns != 0 && p.conns >= p.maxConns)) {
                    return null;
                }
                return p;
            }
            Peer best = null;
            long total = 0;
            List<Peer> passed = new ArrayList<>();
            for (Peer p : tier) {
                if (!eligible(p, now)) {
                    continue;
                }
                total += advance(p, nanos);
                passed.add(p);
                if (best == null || p.currentWeight > best.currentWeight) {
                    best = p;
                }
            }
            if (best == null) {
                return null;
            }
            if (total == 0 && allRampingUp(passed)) {
                return shareEqually(passed);
            }
            best.currentWeight -= total;
            return best;
        }

        /** Whether every peer of a pass is in its slow start. */
        private static boolean allRampingUp(List<Peer> passed) {
            for (Peer p : passed) {
                if (p.slowStartSince == LONG_AGO) {
                    return false;
                }
            }
            return true;
        }

        /**
         * Sluice's departure from nginx: a pass whose peers all weigh 0, each in the first moments of a slow start
         * begun with the others', counts each as weighing 1 instead of giving the first of them every request.
         */
        private static Peer shareEqually(List<Peer> passed) {
            Peer best = null;
            for (Peer p : passed) {
                p.currentWeight += 1;
                if (best == null || p.currentWeight > best.currentWeight) {
                    best = p;
                }
            }
            best.currentWeight -= passed.size();
            return best;
        }

        /** {@code ngx_http_upstream_get_least_conn_peer}. */
        Peer leastConn(long now, long nanos) {
            if (single()) {
                return roundRobin(now, nanos);
            }
            Peer best = null;
            boolean many = false;
            int p = 0;
            for (int i = 0; i < tier.length; i++) {
                Peer peer = tier[i];
                if (!eligible(peer, now)) {
                    continue;
                }
                if (best == null || (long) peer.conns * best.weight < (long) best.conns * peer.weight) {
                    best = peer;
                    many = false;
                    p = i;
                } else if ((long) peer.conns * best.weight == (long) best.conns * peer.weight) {
                    many = true;
                }
            }
            if (best == null) {
                return null;
            }
            long total = 0;
            if (many) {
                List<Peer> passed = new ArrayList<>();
                for (int i = p; i < tier.length; i++) {
                    Peer peer = tier[i];
                    if (!eligible(peer, now) || (long) peer.conns * best.weight != (long) best.conns * peer.weight) {
                        continue;
                    }
                    total += advance(peer, nanos);
                    passed.add(peer);
                    if (peer.currentWeight > best.currentWeight) {
                        best = peer;
                    }
                }
                if (total == 0 && allRampingUp(passed)) {
                    return shareEqually(passed);
                }
            }
            best.currentWeight -= total;
            return best;
        }

        /** {@code ngx_http_upstream_get_ip_hash_peer}. */
        Peer ipHash(long now, long nanos) {
            if (!hashStarted) {
                hashStarted = true;
                hash = 89;
            }
            if (hashTries > 20 || tier.length < 2) {
                return roundRobin(now, nanos);
            }
            byte[] addr = client.length == 4 ? new byte[] {client[0], client[1], client[2]}
                    : client.length == 16 ? client : new byte[3];
            for (;;) {
                for (byte b : addr) {
                    hash = (hash * 113 + (b & 0xff)) % 6271;
                }
                Peer p = walk(hash % totalWeight(tier));
                if (eligible(p, now)) {
                    return p;
                }
                if (++hashTries > 20) {
                    return roundRobin(now, nanos);
                }
            }
        }

        /** {@code ngx_http_upstream_get_hash_peer}. */
        Peer hash(long now, long nanos) {
            if (hashTries > 20 || tier.length < 2 || key.length == 0) {
                return roundRobin(now, nanos);
            }
            for (;;) {
                String prefix = rehash > 0 ? Integer.toString(rehash) : "";
                long crc = crc32(concat(prefix.getBytes(StandardCharsets.US_ASCII), key));
                hash = (hash + ((crc >>> 16) & 0x7fff)) & 0xffffffffL;
                rehash++;
                Peer p = walk(hash % totalWeight(tier));
                if (eligible(p, now)) {
                    return p;
                }
                if (++hashTries > 20) {
                    return roundRobin(now, nanos);
                }
            }
        }

        /** {@code ngx_http_upstream_get_chash_peer}. */
        Peer consistentHash(long now, long nanos) {
            if (!hashStarted) {
                hashStarted = true;
                long h = crc32(key);
                int i = 0;
                while (i < pointHash.length && pointHash[i] < h) {
                    i++;
                }
                hash = i;
            }
            if (hashTries > 20 || single() || key.length == 0) {
                return roundRobin(now, nanos);
            }
            for (;;) {
                String server = pointServer[(int) (hash % pointHash.length)];
                Peer best = null;
                long total = 0;
                for (Peer p : tier) {
                    if (!p.server.equals(server) || !eligible(p, now)) {
                        continue;
                    }
                    total += advance(p, nanos);
                    if (best == null || p.currentWeight > best.currentWeight) {
                        best = p;
                    }
                }
                if (best != null) {
                    best.currentWeight -= total;
                    return best;
                }
                hash++;
                if (++hashTries > 20) {
                    return roundRobin(now, nanos);
                }
            }
        }

        /** {@code ngx_http_upstream_get_random_peer}. */
        Peer randomOne(long now, long nanos) {
            if (hashTries > 20 || tier.length < 2) {
                return roundRobin(now, nanos);
            }
            for (;;) {
                Peer p = walk(random.nextInt(totalWeight(tier)));
                if (eligible(p, now)) {
                    return p;
                }
                if (++hashTries > 20) {
                    return roundRobin(now, nanos);
                }
            }
        }

        /** {@code ngx_http_upstream_get_random2_peer}. */
        Peer randomTwo(long now, long nanos) {
            if (hashTries > 20 || tier.length < 2) {
                return roundRobin(now, nanos);
            }
            Peer prev = null;
            for (;;) {
                Peer p = walk(random.nextInt(totalWeight(tier)));
                if (p != prev && eligible(p, now)) {
                    if (prev != null) {
                        return (long) p.conns * prev.weight > (long) prev.conns * p.weight ? prev : p;
                    }
                    prev = p;
                }
                if (++hashTries > 20) {
                    return roundRobin(now, nanos);
                }
            }
        }

        /** nginx's {@code while (w >= peer->weight) { w -= peer->weight; peer++; }}. */
        private Peer walk(long w) {
            int i = 0;
            while (w >= tier[i].weight) {
                w -= tier[i].weight;
                i++;
            }
            return tier[i];
        }

        /** {@code ngx_http_upstream_free_round_robin_peer}; {@code state}: FAILURE, NEUTRAL (NEXT) or SUCCESS (0). */
        void free(Outcome state, long nanos) {
            long now = Math.floorDiv(nanos, 1_000_000_000L);
            Peer p = current;
            current = null;
            p.conns--;
            if (state == Outcome.FAILURE) {
                p.failures++;
            }
            if (single()) {
                p.fails = 0;
                tries = 0;
                return;
            }
            if (state == Outcome.FAILURE) {
                p.fails++;
                p.accessed = now;
                p.checked = now;
                if (p.maxFails != 0) {
                    p.effectiveWeight -= p.weight / p.maxFails;
                }
                if (p.effectiveWeight < 0) {
                    p.effectiveWeight = 0;
                }
            } else if (p.accessed < p.checked) {
                if (p.slowStart > 0 && p.maxFails != 0 && p.fails >= p.maxFails) {
                    p.slowStartSince = nanos;
                }
                p.fails = 0;
            }
            if (tries > 0) {
                tries--;
            }
        }
    }

    /** One peer's share of a smooth pass: nginx's {@code cw += ew; total += ew; if (ew < weight) ew++}, the weight
     * being lowered during a slow start. */
    static int advance(Peer p, long nanos) {
        int cap = p.weight;
        if (p.slowStart > 0 && p.slowStartSince != LONG_AGO) {
            long elapsed = nanos - p.slowStartSince;
            if (elapsed >= p.slowStart) {
                p.slowStartSince = LONG_AGO;
            } else {
                cap = (int) (p.weight * (elapsed / (double) p.slowStart));
            }
        }
        int effective = Math.min(p.effectiveWeight, cap);
        p.currentWeight += effective;
        p.effectiveWeight = effective < cap ? effective + 1 : effective;
        return effective;
    }

    static void setHealthy(Peer p, boolean healthy, long nanos) {
        if (healthy && !p.healthy && p.slowStart > 0) {
            p.slowStartSince = nanos;
        }
        p.healthy = healthy;
    }

    private static long crc32(byte[] bytes) {
        CRC32 crc = new CRC32();
        crc.update(bytes);
        return crc.getValue();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = new byte[a.length + b.length];
        System.arraycopy(a, 0, c, 0, a.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    /** The ketama points of one server line (notes §7). */
    private static long[] ketama(String server, int weight) {
        String host = server;
        String port = "";
        int j = server.length() - 1;
        while (j >= 0 && Character.isDigit(server.charAt(j))) {
            j--;
        }
        if (j >= 0 && server.charAt(j) == ':') {
            host = server.substring(0, j);
            port = server.substring(j + 1);
        }
        byte[] base = concat(concat(host.getBytes(StandardCharsets.UTF_8), new byte[1]), port.getBytes(StandardCharsets.UTF_8));
        long[] points = new long[weight * 160];
        long prev = 0;
        for (int i = 0; i < points.length; i++) {
            byte[] le = {(byte) prev, (byte) (prev >>> 8), (byte) (prev >>> 16), (byte) (prev >>> 24)};
            prev = crc32(concat(base, le));
            points[i] = prev;
        }
        return points;
    }
}
