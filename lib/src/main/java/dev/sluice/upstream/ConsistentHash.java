package dev.sluice.upstream;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
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
    public Picker newPicker(PeerList peers) {
        return new Ring(peers.tier);
    }

    /** The sorted points of one tier and, per distinct server line, the peers it resolved to. */
    static final class Ring implements Picker {

        private final Tier tier;
        /** Point hashes, unsigned 32-bit values held in longs, ascending. */
        final long[] points;
        /** For each point, the index of its server line in {@link #servers}. */
        private final int[] pointServer;
        private final PeerState[][] servers;

        Ring(Tier tier) {
            this.tier = tier;
            Map<String, List<PeerState>> byServer = new LinkedHashMap<>();
            for (PeerState peer : tier.peers) {
                byServer.computeIfAbsent(peer.server(), s -> new ArrayList<>()).add(peer);
            }
            List<String> names = new ArrayList<>(byServer.keySet());
            this.servers = new PeerState[names.size()][];
            for (int i = 0; i < servers.length; i++) {
                servers[i] = byServer.get(names.get(i)).toArray(new PeerState[0]);
            }
            List<long[]> all = new ArrayList<>();
            for (PeerState peer : tier.peers) {
                int server = names.indexOf(peer.server());
                for (long hash : pointsOf(peer.server(), peer.weight)) {
                    all.add(new long[] {hash, server});
                }
            }
            all.sort(Comparator.comparingLong(p -> p[0]));
            List<long[]> kept = new ArrayList<>();
            for (long[] point : all) {
                if (kept.isEmpty() || kept.get(kept.size() - 1)[0] != point[0]) {
                    kept.add(point);
                }
            }
            this.points = new long[kept.size()];
            this.pointServer = new int[kept.size()];
            for (int i = 0; i < points.length; i++) {
                points[i] = kept.get(i)[0];
                pointServer[i] = (int) kept.get(i)[1];
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
                PeerState best = tier.rotation.passAmong(candidates, selection);
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
        int firstAtOrAfter(long hash) {
            int i = Arrays.binarySearch(points, hash);
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
