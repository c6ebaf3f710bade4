package dev.sluice.internal.proxy;

import dev.sluice.ErrorPage;
import dev.sluice.ProxyHandler;
import dev.sluice.Route;
import dev.sluice.internal.http.RequestHead;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;

/**
 * Chooses a request's route as nginx's {@code ngx_http_core_find_location} chooses a location: an exact route ends
 * the search; otherwise the longest matching prefix is remembered and, unless it is a {@code ^~} route, the regex
 * routes are tried in the order they were added, the first match winning; else the remembered prefix serves. A
 * table without regex routes matches with no allocation. Named routes ({@code @NAME}) match no path: they are
 * found by name, and every name a route's {@code error_page} or {@code tryFiles} gives must be one of them.
 *
 * <p>A prefix route that proxies and ends in a slash ({@code /api/}) also answers its path without the slash
 * ({@code /api}) with a 301 to it, keeping the query, as nginx's {@code auto_redirect} of {@code proxy_pass}
 * locations does; unless another route has that very path. That answer runs no hooks: nginx sends it while it still
 * looks for the location.
 */
final class LocationTable {

    private final String name;
    private final ProxyHandler handler;
    private final Route[] exact;
    /** Prefix and {@code ^~} routes, longest first. */
    private final Route[] prefixes;
    /** Regex routes, in the order they were added. */
    private final Route[] regexes;
    /** Named routes ({@code @NAME}) by their name, {@code @} first. */
    private final Map<String, Route> named = new HashMap<>();
    /** Each route's {@code proxy_redirect}, where it has one. */
    private final Map<Route, RedirectRewrite> redirectRewrites = new IdentityHashMap<>();
    /** The exact routes made for {@code auto_redirect}, which no server handler sees. */
    private final Set<Route> redirects = Collections.newSetFromMap(new IdentityHashMap<>());

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
            RedirectRewrite redirects = route.upstream() == null ? null : RedirectRewrite.of(route,
                    (route.upstreamTls().isPresent() ? "https://" : "http://") + route.upstream().name());
            if (redirects != null) {
                redirectRewrites.put(route, redirects);
            }
            switch (route.match()) {
                case EXACT:
                    exact.add(route);
                    break;
                case REGEX:
                case REGEX_CASELESS:
                    regexes.add(route);
                    break;
                case NAMED:
                    if (named.putIfAbsent(route.prefix(), route) != null) {
                        throw new IllegalArgumentException("duplicate route \"" + route.prefix() + "\"");
                    }
                    break;
                default:
                    prefixes.add(route);
                    break;
            }
        }
        prefixes.sort(Comparator.comparingInt((Route r) -> r.prefix().length()).reversed());
        for (Route route : prefixes) {
            String path = route.prefix();
            if (route.upstream() != null && path.length() > 1 && path.endsWith("/")) {
                String bare = path.substring(0, path.length() - 1);
                if (exact.stream().noneMatch(r -> r.prefix().equals(bare))
                        && prefixes.stream().noneMatch(r -> r.prefix().equals(bare))) {
                    Route redirect = Route.builder("= " + bare).returns(301, path + "$is_args$args").build();
                    redirects.add(redirect);
                    exact.add(redirect);
                }
            }
        }
        for (Route route : routes) {
            for (String target : namedRoutes(route)) {
                if (!named.containsKey(target)) {
                    throw new IllegalArgumentException("route " + route.location() + " names " + target
                            + ", which no route of its server is");
                }
            }
        }
        this.exact = exact.toArray(new Route[0]);
        this.prefixes = prefixes.toArray(new Route[0]);
        this.regexes = regexes.toArray(new Route[0]);
    }

    /** The {@code proxy_redirect} of {@code route}, one of this server's, or null. */
    RedirectRewrite redirectRewrite(Route route) {
        return redirectRewrites.get(route);
    }

    /**
     * The hooks of {@code route}, one of this server's: its own, else the server's (but for an {@code auto_redirect});
     * null when neither has any.
     */
    ProxyHandler handler(Route route) {
        return route.handler() != null ? route.handler() : redirects.contains(route) ? null : handler;
    }

    /** The named routes {@code route}'s {@code error_page} lines and {@code tryFiles} fallback reroute to. */
    private static List<String> namedRoutes(Route route) {
        List<String> names = new ArrayList<>();
        route.errorPages().values().stream().map(ErrorPage::location)
                .filter(l -> l != null && l.startsWith("@")).forEach(names::add);
        List<String> tryFiles = route.tryFiles();
        if (!tryFiles.isEmpty() && tryFiles.get(tryFiles.size() - 1).startsWith("@")) {
            names.add(tryFiles.get(tryFiles.size() - 1));
        }
        return names;
    }

    /** The named route {@code name} ({@code @NAME}), or null. */
    Route named(String name) {
        return named.get(name);
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
