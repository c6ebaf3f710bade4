package dev.sluice.upstream;

import java.util.ArrayList;
import java.util.List;

/** Drives a group the way the proxy does, for tests: one request, one pick, one outcome. */
final class Picks {

    private Picks() {
    }

    /** The server of each of {@code n} requests that succeed at once. */
    static List<String> sequence(UpstreamGroup group, int n) {
        Selection selection = group.newSelection();
        List<String> servers = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            PeerState peer = selection.reset().select();
            servers.add(peer == null ? null : peer.server());
            if (peer != null) {
                selection.report(Outcome.SUCCESS);
            }
        }
        return servers;
    }

    /** One request that picks and reports {@code outcome}; returns the server picked, or null. */
    static String once(UpstreamGroup group, Outcome outcome) {
        Selection selection = group.newSelection();
        PeerState peer = selection.select();
        if (peer == null) {
            return null;
        }
        selection.report(outcome);
        return peer.server();
    }

    /** The letters a, b, c... of servers named 127.0.0.1:19001, :19002, ... */
    static String letters(List<String> servers) {
        StringBuilder sb = new StringBuilder();
        for (String s : servers) {
            sb.append(s == null ? '-' : (char) ('a' + Integer.parseInt(s.substring(s.lastIndexOf(':') + 1)) - 19001));
        }
        return sb.toString();
    }

    static String server(int i) {
        return "127.0.0.1:" + (19001 + i);
    }
}
