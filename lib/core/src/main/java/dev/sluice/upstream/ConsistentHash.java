package dev.sluice.upstream;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * {@code hash KEY consistent}, as {@code ngx_http_upstream_get_chash_peer}: ketama consistent hashing compatible
 * with Cache::Memcached::Fast. Each server line gets {@code weight * 160} points on a 32-bit ring,
 * {@code crc32(HOST "\0" PORT PREV_HASH)}, from the address as written; a key goes to the first point at or
 * after {@code crc32(KEY)}, and past an unavailable server to the next point clockwise.
 */
final class ConsistentHash implements Balancer {

    static final ConsistentHash BALANCER = new ConsistentHash();
    private static final int POINTS_PER_WEIGHT = 160;

    private ConsistentHash() {
    }

    @Override
    public boolean usesHashKey() {
        return true;
    }

    @Override
    public Picker newPicker(PeerList peers) {
        return new Ring(peers.tier);
    }

    /** The sorted points of one tier and, per distinct server line, the peers it resolved to. */
    static final class Ring implements Picker {

        private final Tier tier;
        /** Point hashes ascending, as unsigned 32-bit values with the sign bit flipped, so that int order is
         * their order; half the memory of longs, which matters when a search misses the cache. */
        private final int[] points;
        /** For each point, the index of its server line in {@link #servers}. */
        private final int[] pointServer;
        private final PeerState[][] servers;
        /** An index on the points by the top bits of their hash: {@code bucketStart[b]} is the first point whose
         * hash's top bits are at least {@code b}. About one point per bucket, so a lookup reads a couple of cache
         * lines instead of a binary search's dozen or more. */
        private final int[] bucketStart;
        private final int shift;

        Ring(Tier tier) {
            this.tier = tier;
            Map<String, List<PeerState>> byServer = new LinkedHashMap<>();
            for (PeerState peer : tier.peers) {
                byServer.computeIfAbsent(peer.server(), s -> new ArrayList<>()).add(peer);
            }
            this.servers = byServer.values().stream().map(peers -> peers.toArray(new PeerState[0])).toArray(PeerState[][]::new);
            Map<String, Integer> serverIndex = new HashMap<>();
            for (String server : byServer.keySet()) {
                serverIndex.put(server, serverIndex.size());
            }
            // Each point as (hash, order generated) in one long, so that a primitive sort keeps nginx's order among
            // equal hashes: the first generated is the one kept.
            int total = 0;
            for (PeerState peer : tier.peers) {
                total += peer.weight * POINTS_PER_WEIGHT;
            }
            long[] all = new long[total];
            int[] serverOf = new int[total];
            int n = 0;
            for (PeerState peer : tier.peers) {
                int server = serverIndex.get(peer.server());
                for (long hash : pointsOf(peer.server(), peer.weight)) {
                    all[n] = (hash ^ 0x8000_0000L) << 32 | n;
                    serverOf[n++] = server;
                }
            }
            Arrays.sort(all);
            int kept = 0;
            for (int i = 0; i < all.length; i++) {
                if (i == 0 || all[i] >>> 32 != all[i - 1] >>> 32) {
                    all[kept++] = all[i];
                }
            }
            this.points = new int[kept];
            this.pointServer = new int[kept];
            for (int i = 0; i < kept; i++) {
                points[i] = (int) (all[i] >>> 32);
                pointServer[i] = serverOf[(int) all[i]];
            }
            int bits = Math.max(1, 31 - Integer.numberOfLeadingZeros(kept));
            this.shift = 32 - bits;
            this.bucketStart = new int[(1 << bits) + 1];
            int i = 0;
            for (int b = 0; b < bucketStart.length; b++) {
                while (i < kept && (points[i] ^ Integer.MIN_VALUE) >>> shift < b) {
                    i++;
                }
                bucketStart[b] = i;
            }
        }

        @Override
        public PeerState pick(Selection selection) {
            if (!selection.hashStarted) {
                selection.hashStarted = true;
                selection.crc.reset();
                selection.updateCrcWithKey();
                selection.hash = firstAtOrAfter(selection.crc.getValue());
            }
            if (selection.hashTries > 20 || tier.single || selection.keyLength == 0) {
                return RoundRobin.pick(tier, selection);
            }
            for (;;) {
                PeerState[] candidates = servers[pointServer[(int) (selection.hash % points.length)]];
                PeerState best = tier.rotation.passAmong(candidates, candidates.length, selection);
                if (best != null) {
                    return best;
                }
                selection.hash++;
                if (++selection.hashTries > 20) {
                    return RoundRobin.pick(tier, selection);
                }
            }
        }

        /** The index of the first point whose hash is at least {@code hash}; {@code points.length} if none. */
        private int firstAtOrAfter(long hash) {
            int b = (int) (hash >>> shift);
            int i = Arrays.binarySearch(points, bucketStart[b], bucketStart[b + 1], (int) hash ^ Integer.MIN_VALUE);
            return i >= 0 ? i : -i - 1;
        }
    }

    /** The ketama points of one server line, in the order nginx generates them. */
    static long[] pointsOf(String server, int weight) {
        String host;
        String port;
        if (Addresses.isUnix(server)) {
            host = server.substring(5);
            port = "";
        } else {
            int j = server.length() - 1;
            while (j >= 0 && Character.isDigit(server.charAt(j))) {
                j--;
            }
            if (j >= 0 && server.charAt(j) == ':') {
                host = server.substring(0, j);
                port = server.substring(j + 1);
            } else {
                host = server;
                port = "";
            }
        }
        byte[] hostBytes = host.getBytes(StandardCharsets.UTF_8);
        byte[] portBytes = port.getBytes(StandardCharsets.UTF_8);
        long[] result = new long[weight * POINTS_PER_WEIGHT];
        byte[] prev = new byte[4];
        CRC32 crc = new CRC32();
        for (int i = 0; i < result.length; i++) {
            crc.reset();
            crc.update(hostBytes);
            crc.update(0);
            crc.update(portBytes);
            crc.update(prev);
            long hash = crc.getValue();
            result[i] = hash;
            prev[0] = (byte) hash;
            prev[1] = (byte) (hash >>> 8);
            prev[2] = (byte) (hash >>> 16);
            prev[3] = (byte) (hash >>> 24);
        }
        return result;
    }
}
