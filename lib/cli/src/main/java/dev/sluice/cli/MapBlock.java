package dev.sluice.cli;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * nginx's {@code map SOURCE $NAME { KEY VALUE; ... }} in a configuration file: a map of the proxy's ({@code
 * ProxyServer.Builder.map}), or nginx's WebSocket idiom {@code map $http_upgrade $connection_upgrade}, which the
 * locations' {@code Connection} lines name.
 */
final class MapBlock {

    private MapBlock() {
    }

    /**
     * The variable the block makes, {@code $} first.
     *
     * @throws UsageException for another number of arguments or a name without '$', naming the line
     */
    static String variable(Directive d) {
        Args.args(d, 2, 2);
        String name = d.args().get(1);
        if (!name.startsWith("$")) {
            throw d.error("invalid variable name \"" + name + "\"");
        }
        return name;
    }

    /** Whether the block is nginx's WebSocket idiom, {@code map $http_upgrade $NAME}. */
    static boolean isUpgradeIdiom(Directive d) {
        return d.args().get(0).equals("$http_upgrade");
    }

    /** The names, without '$', of the maps among {@code http}'s directives, the WebSocket idiom's aside. */
    static Set<String> names(List<Directive> http) {
        Set<String> names = new HashSet<>();
        for (Directive d : http) {
            if (d.name().equals("map")) {
                String variable = variable(d);
                if (!isUpgradeIdiom(d)) {
                    names.add(variable.substring(1));
                }
            }
        }
        return names;
    }

    /**
     * The map as the proxy builder's call {@code map(NAME, SOURCE, m -> m.entry(KEY, VALUE)...)}, with {@code
     * hostnames()} where the block says {@code hostnames}.
     */
    static Expr.Call call(Directive d) {
        List<Expr.Call> entries = new ArrayList<>();
        for (Directive entry : d.block()) {
            boolean word = entry.args().isEmpty(); // hostnames; and volatile; alone, else keys like any other
            if (word && entry.name().equals("hostnames")) {
                entries.add(Expr.Call.of(entry.origin(), "hostnames"));
            } else if (!word || !entry.name().equals("volatile")) { // every use evaluates a map here
                Args.args(entry, 1, 1);
                entries.add(Expr.Call.of(entry.origin(), "entry", entry.name(), entry.args().get(0)));
            }
        }
        return Expr.Call.of(d.origin(), "map", variable(d).substring(1), d.args().get(0), new Expr.Lambda(entries));
    }
}
