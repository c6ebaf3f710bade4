package dev.sluice.examples;

import dev.sluice.upstream.Balancer;
import dev.sluice.upstream.Outcome;
import dev.sluice.upstream.PeerState;
import dev.sluice.upstream.Resolver;
import dev.sluice.upstream.Selection;
import dev.sluice.upstream.UpstreamGroup;
import java.time.Duration;

/**
 * Wires an upstream group in code and prints the picks it makes, with no socket opened: the way a service
 * unit-tests its routing.
 */
public final class RoutingExample {

    private RoutingExample() {
    }

    public static void main(String[] args) {
        UpstreamGroup backend = UpstreamGroup.builder("backend")
                .server("10.0.0.1:8080", s -> s.weight(5))
                .server("10.0.0.2:8080")
                .server("10.0.0.3:8080")
                .server("10.0.0.9:8080", s -> s.backup())
                .build();
        Selection selection = backend.newSelection();

        System.out.println("round robin, weights 5 1 1:");
        for (int i = 0; i < 7; i++) {
            System.out.println("  request " + (i + 1) + " -> " + pick(selection.reset(), Outcome.SUCCESS));
        }

        System.out.println("10.0.0.1 fails once (max_fails=1, fail_timeout=10s), then:");
        selection.reset();
        PeerState first = selection.select();
        selection.report(Outcome.FAILURE);
        System.out.println("  request 8 -> " + first.name() + " failed; retried on " + pick(selection, Outcome.SUCCESS));
        for (int i = 9; i <= 12; i++) {
            System.out.println("  request " + i + " -> " + pick(selection.reset(), Outcome.SUCCESS));
        }
        System.out.println("  10.0.0.1 is unavailable for another " + round(first.unavailableFor()));

        UpstreamGroup cache = UpstreamGroup.builder("cache")
                .resolver(Resolver.none()) // the names only feed the hash ring here: no look-up
                .balancer(Balancer.hash().consistent())
                .server("cache1:11211").server("cache2:11211").server("cache3:11211")
                .build();
        Selection keyed = cache.newSelection();
        System.out.println("hash $request_uri consistent (the same keys map as in nginx):");
        for (String uri : new String[] {"/img/1.png", "/img/2.png", "/css/site.css", "/img/1.png"}) {
            System.out.println("  " + uri + " -> " + pick(keyed.reset().hashKey(uri), Outcome.SUCCESS));
        }
    }

    private static String pick(Selection selection, Outcome outcome) {
        PeerState peer = selection.select();
        if (peer == null) {
            return "no live upstreams (502)";
        }
        selection.report(outcome);
        return peer.name();
    }

    private static String round(Duration d) {
        return d.toSeconds() + "s";
    }
}
