package dev.sluice.upstream;

import static dev.sluice.upstream.Picks.server;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RandomTest {

    private static UpstreamGroup group(Balancer balancer, long seed) {
        return UpstreamGroup.builder("r").balancer(balancer).random(new SplittableRandom(seed))
                .server(server(0)).server(server(1), s -> s.weight(2)).server(server(2), s -> s.weight(7))
                .build();
    }

    @Test
    void randomDrawsInProportionToWeight() {
        Map<String, Integer> counts = new HashMap<>();
        for (String s : Picks.sequence(group(Balancer.random(), 1), 10_000)) {
            counts.merge(s, 1, Integer::sum);
        }
        assertEquals(1000, counts.get(server(0)), 150);
        assertEquals(2000, counts.get(server(1)), 200);
        assertEquals(7000, counts.get(server(2)), 250);
    }

    @Test
    void sameSeedRepeatsTheSamePicks() {
        List<String> first = Picks.sequence(group(Balancer.random(), 42), 50);
        assertEquals(first, Picks.sequence(group(Balancer.random(), 42), 50));
    }

    @Test
    void randomTwoPrefersTheLessLoadedOfTwoDraws() {
        UpstreamGroup group = UpstreamGroup.builder("r2").balancer(Balancer.randomTwo()).random(new SplittableRandom(3))
                .server(server(0)).server(server(1))
                .build();
        Selection busy = group.newSelection();
        PeerState held = busy.select();
        for (int i = 0; i < 50; i++) {
            Selection selection = group.newSelection();
            PeerState peer = selection.select();
            assertEquals(false, peer == held, "two distinct draws always include the idle peer");
            selection.report(Outcome.SUCCESS);
        }
        busy.report(Outcome.SUCCESS);
    }

    @Test
    void downPeersAreDrawnButNeverServe() {
        UpstreamGroup group = UpstreamGroup.builder("r").balancer(Balancer.random()).random(new SplittableRandom(9))
                .server(server(0), s -> s.down()).server(server(1)).server(server(2))
                .build();
        for (String s : Picks.sequence(group, 500)) {
            assertEquals(false, server(0).equals(s));
        }
    }
}
