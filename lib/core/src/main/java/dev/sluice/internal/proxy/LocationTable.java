package dev.sluice.internal.proxy;

import dev.sluice.ProxyHandler;
import dev.sluice.Route;
import dev.sluice.internal.http.RequestHead;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;

/**
 * Chooses a request's route as nginx's {@code ngx_http_core_find_location} chooses a location: an exact route ends
 * the search; otherwise the longest matching prefix is remembered and, unless it is a {@code ^~} route, the regex
 * routes are tried in the order they were added, the first match winning; else the remembered prefix serves. A
 * table without regex routes matches with no allocation.
 */
final class LocationTable {

    private final String name;
    private final ProxyHandler handler;
    private final Route[] exact;
    /** Prefix and {@code ^~} routes, longest first. */
    private final Route[] prefixes;
    /** Regex routes, in the order they were added. */
    private final Route[] regexes;

    /**
     * The routes of the server named {@code name} (its first name; empty for the unnamed default server), and the
     * server's {@code handler} for its routes that have none (null: none).
     */
    LocationTable(String name, List<Route> routes, ProxyHandler handler) {
        this.name = name;
        this.handler = handler;
        List<Route> exact = new ArrayList<>();
        List<Route> prefixes = new ArrayList<>();
        List<Route> regexes = new ArrayList<>();
        for (Route route : routes) {
            switch (route.match()) {
                case EXACT:
                    exact.add(route);
                    break;
                case REGEX:
                case REGEX_CASELESS:
                    regexes.add(route);
                    break;
                default:
                    prefixes.add(route);
                    break;
            }
        }
        prefixes.sort(Comparator.comparingInt((Route r) -> r.prefix().length()).reversed());
        this.exact = exact.toArray(new Route[0]);
        this.prefixes = prefixes.toArray(new Route[0]);
        this.regexes = regexes.toArray(new Route[0]);
    }

    /** The hooks of {@code route}, one of this server's: its own, else the server's; null when neither has any. */
    ProxyHandler handler(Route route) {
        return route.handler() != null ? route.handler() : handler;
    }

    /** The server's first name, {@code $server_name}; empty for the unnamed default server. */
    String name() {
        return name;
    }

    /**
     * The route for {@code request}, or null; {@code scratch} holds its path while the regexes are tried, and
     * {@code captures} gets what the matching regex captured.
     */
    Route find(RequestHead request, StringBuilder scratch, Captures captures) {
        captures.clear();
        for (Route route : exact) {
            if (request.pathEquals(route.prefix())) {
                return route;
            }
        }
        Route longest = null;
        for (Route route : prefixes) {
            if (request.pathStartsWith(route.prefix())) {
                longest = route;
                break;
            }
        }
        if (regexes.length == 0 || longest != null && longest.match() == Route.Match.PREFIX_NO_REGEX) {
            return longest;
        }
        scratch.setLength(0);
        request.appendPathForMatching(scratch);
        for (Route route : regexes) {
            Matcher matcher = route.pattern().matcher(scratch);
            if (matcher.find()) {
                captures.keep(matcher);
                return route;
            }
        }
        return longest;
    }
}
