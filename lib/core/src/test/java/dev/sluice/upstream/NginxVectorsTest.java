package dev.sluice.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Holds every balancing method against what a real nginx picked for the same configuration and requests. The
 * vectors, and the script that regenerates them, are under {@code src/test/resources/nginx-vectors} and
 * {@code src/test/nginx}.
 */
class NginxVectorsTest {

    static Stream<String> vectors() {
        return Stream.of(
                "rr_1_1_1", "rr_5_1_1", "rr_3_2_1", "rr_10_1", "rr_2_2_1", "rr_1_2_3_4", "rr_3_1down_2",
                "rr_1down_2_1", "rr_5_1_3_1_2_4", "rr_1_1_1_1_1_1",
                "hash_3", "hash_4", "hash_5", "hash_w123", "hash_5_down3",
                "chash_3", "chash_4", "chash_5", "chash_w123", "chash_5_down3",
                "ip_hash_3", "ip_hash_4", "ip_hash_5", "ip_hash_w123", "ip_hash_5_down3");
    }

    @ParameterizedTest
    @MethodSource("vectors")
    void picksTheSamePeerAsNginx(String name) throws IOException {
        Vector vector = Vector.load(name);
        UpstreamGroup group = vector.group();
        Selection selection = group.newSelection();
        int checked = 0;
        for (String[] row : vector.rows) {
            selection.reset();
            switch (row[0]) {
                case "pick":
                    break;
                case "key":
                    selection.hashKey(row[1]);
                    break;
                case "client":
                    selection.clientAddress(InetAddress.getByName(row[1]));
                    break;
                default:
                    throw new IllegalStateException("unknown row " + row[0] + " in " + name);
            }
            PeerState peer = selection.select();
            selection.report(Outcome.SUCCESS);
            assertEquals(Integer.parseInt(row[2]), group.peers().indexOf(peer), name + ": " + String.join(" ", row) + " (row " + checked + ")");
            checked++;
        }
        assertTrue(checked >= 100, name + " has only " + checked + " rows");
    }

    /** One vector file: the method, the server lines and the observed picks. */
    private static final class Vector {

        String method;
        final List<String> servers = new ArrayList<>();
        final List<String[]> rows = new ArrayList<>();

        static Vector load(String name) throws IOException {
            Vector v = new Vector();
            try (InputStream in = NginxVectorsTest.class.getResourceAsStream("/nginx-vectors/" + name + ".txt")) {
                String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                for (String line : text.split("\n")) {
                    if (line.isEmpty() || line.startsWith("#")) {
                        continue;
                    }
                    int space = line.indexOf(' ');
                    String kind = line.substring(0, space);
                    String rest = line.substring(space + 1);
                    switch (kind) {
                        case "method":
                            v.method = rest;
                            break;
                        case "server":
                            v.servers.add(rest);
                            break;
                        case "pick":
                            v.rows.add(new String[] {kind, "", rest});
                            break;
                        default:
                            int tab = rest.lastIndexOf('\t');
                            v.rows.add(new String[] {kind, rest.substring(0, tab), rest.substring(tab + 1)});
                    }
                }
            }
            return v;
        }

        UpstreamGroup group() {
            UpstreamGroup.Builder b = UpstreamGroup.builder("vectors").balancer(balancer());
            for (String line : servers) {
                String[] words = line.split(" ");
                b.server(words[0], s -> {
                    for (int i = 1; i < words.length; i++) {
                        if (words[i].equals("down")) {
                            s.down();
                        } else if (words[i].startsWith("weight=")) {
                            s.weight(Integer.parseInt(words[i].substring(7)));
                        } else {
                            throw new IllegalStateException("unknown parameter " + words[i]);
                        }
                    }
                });
            }
            return b.build();
        }

        private Balancer balancer() {
            switch (method) {
                case "round_robin":
                    return Balancer.roundRobin();
                case "hash":
                    return Balancer.hash();
                case "hash_consistent":
                    return Balancer.hash().consistent();
                case "ip_hash":
                    return Balancer.ipHash();
                default:
                    throw new IllegalStateException("unknown method " + method);
            }
        }
    }
}
