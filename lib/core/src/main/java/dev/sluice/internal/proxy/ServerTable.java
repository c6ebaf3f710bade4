package dev.sluice.internal.proxy;

import dev.sluice.ProxyHandler;
import dev.sluice.Route;
import dev.sluice.ServerTls;
import dev.sluice.VirtualServer;
import dev.sluice.internal.http.RequestHead;
import dev.sluice.internal.http.TargetForm;
import dev.sluice.internal.text.NginxRegex;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Chooses a request's virtual server by its host as nginx's {@code ngx_http_find_virtual_server} does, then its
 * route in that server's {@link LocationTable}. With no named server every request goes to the default one and
 * nothing is allocated for the choice.
 */
final class ServerTable {

    private final LocationTable defaultServer;
    private final Map<String, LocationTable> exact = new HashMap<>();
    /** {@code *.suffix} names as {@code .suffix} and {@code .domain} names as they are, longest first. */
    private final List<Map.Entry<String, LocationTable>> leading = new ArrayList<>();
    /** The {@code .domain} names, which match the domain itself too. */
    private final Map<String, LocationTable> bare = new HashMap<>();
    /** {@code prefix.*} names as {@code prefix.}, longest first. */
    private final List<Map.Entry<String, LocationTable>> trailing = new ArrayList<>();
    private final List<Map.Entry<Pattern, LocationTable>> regexes = new ArrayList<>();
    /** The virtual servers' own TLS, for the SNI name of a handshake; the address's for those without. */
    private final Map<LocationTable, ServerTls> tls = new IdentityHashMap<>();

    /**
     * The servers of one listen address: {@code routes} and {@code handler} (or null) are the unnamed server's, and
     * {@code servers} the named ones that listen there. The default is the server marked default, else the unnamed
     * one, else the first of {@code servers}.
     */
    ServerTable(List<Route> routes, ProxyHandler handler, List<VirtualServer> servers) {
        LocationTable unnamed = routes.isEmpty() ? null : new LocationTable("", routes, handler);
        LocationTable first = null;
        LocationTable marked = null;
        for (VirtualServer server : servers) {
            LocationTable table = new LocationTable(server.names().get(0), server.routes(), server.handler());
            server.tls().ifPresent(own -> tls.put(table, own));
            first = first == null ? table : first;
            marked = marked == null && server.isDefaultServer() ? table : marked;
            for (String name : server.names()) {
                if (name.startsWith("~")) {
                    regexes.add(Map.entry(NginxRegex.compile(name.substring(1), false), table));
                } else if (name.startsWith("*.")) {
                    leading.add(Map.entry(name.substring(1), table));
                } else if (name.startsWith(".")) {
                    leading.add(Map.entry(name, table));
                    bare.put(name, table);
                } else if (name.endsWith(".*")) {
                    trailing.add(Map.entry(name.substring(0, name.length() - 1), table));
                } else {
                    exact.putIfAbsent(name, table);
                }
            }
        }
        leading.sort(Comparator.comparingInt((Map.Entry<String, LocationTable> e) -> e.getKey().length()).reversed());
        trailing.sort(Comparator.comparingInt((Map.Entry<String, LocationTable> e) -> e.getKey().length()).reversed());
        this.defaultServer = marked != null ? marked : unnamed != null ? unnamed : first;
    }

    /** The virtual server that takes {@code request}: its routes. */
    LocationTable server(RequestHead request) {
        if (exact.isEmpty() && leading.isEmpty() && trailing.isEmpty() && regexes.isEmpty()) {
            return defaultServer;
        }
        return server(host(request));
    }

    /**
     * The TLS of the virtual server a handshake's SNI name {@code host} (lowercased) selects, as nginx selects the
     * server block by it; null when that server has none of its own (the address's applies).
     */
    ServerTls tlsFor(String host) {
        return tls.isEmpty() ? null : tls.get(server(host));
    }

    /** The virtual server {@code host} (lowercased, without port; null for none) names: its routes. */
    private LocationTable server(String host) {
        if (host == null) {
            return defaultServer;
        }
        LocationTable table = exact.get(host);
        if (table != null) {
            return table;
        }
        for (Map.Entry<String, LocationTable> e : leading) {
            String suffix = e.getKey();
            if (host.endsWith(suffix) && host.length() > suffix.length()
                    || bare.get(suffix) == e.getValue() && host.length() == suffix.length() - 1 && suffix.endsWith(host)) {
                return e.getValue();
            }
        }
        for (Map.Entry<String, LocationTable> e : trailing) {
            if (host.startsWith(e.getKey()) && host.length() > e.getKey().length()) {
                return e.getValue();
            }
        }
        for (Map.Entry<Pattern, LocationTable> e : regexes) {
            if (e.getKey().matcher(host).find()) {
                return e.getValue();
            }
        }
        return defaultServer;
    }

    /**
     * The request's host as nginx's {@code $host} holds it: from an absolute-form target, else the Host field;
     * lowercased, without a port or a trailing dot. Null when there is none.
     */
    static String host(RequestHead request) {
        String authority = request.targetForm() == TargetForm.ABSOLUTE ? authority(request.target()) : request.host();
        if (authority == null || authority.isEmpty()) {
            return null;
        }
        int end = authority.length();
        if (authority.startsWith("[")) {
            int close = authority.indexOf(']');
            end = close < 0 ? end : close + 1;
        } else {
            int colon = authority.indexOf(':');
            end = colon < 0 ? end : colon;
        }
        if (end > 0 && authority.charAt(end - 1) == '.') {
            end--;
        }
        return authority.substring(0, end).toLowerCase(Locale.ROOT);
    }

    private static String authority(String target) {
        int start = target.indexOf("://");
        if (start < 0) {
            return null;
        }
        start += 3;
        int end = start;
        while (end < target.length() && "/?#".indexOf(target.charAt(end)) < 0) {
            end++;
        }
        int at = target.lastIndexOf('@', end - 1);
        return target.substring(at >= start ? at + 1 : start, end);
    }
}
