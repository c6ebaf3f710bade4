package dev.sluice;

import dev.sluice.internal.text.NginxRegex;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.PatternSyntaxException;

/**
 * A virtual server: the requests whose Host one of its names matches, and the routes that serve them. nginx's
 * {@code server { server_name NAMES; location ... }}. Immutable; built by {@code ProxyServer.Builder.server}.
 *
 * <p>Names as nginx's {@code server_name}: {@code example.com} (exact, case-insensitive), {@code *.example.com}
 * (any name ending so), {@code mail.*} (any name starting so), {@code .example.com} (the name itself and every
 * name under it) and {@code ~REGEX} (matched against the whole lowercased host). A request's server is chosen as
 * nginx chooses it: an exact name, else the longest {@code *.} wildcard, else the longest {@code .*} wildcard, else
 * the first regex in the order the servers were added, else the default server of the address the request came
 * to.
 *
 * <p>Addresses as nginx's {@code listen}: a server {@link Builder#listen listens} on the addresses it names, which
 * the proxy listens on too, or without any, on every address of the proxy. Each address has one default server:
 * the one marked {@link Builder#defaultServer()} for it, else the routes given to {@code ProxyServer.Builder.route}
 * directly (a server that listens everywhere), else the first server added that listens there.
 */
public final class VirtualServer {

    private final List<String> names;
    private final List<Route> routes;
    private final ProxyHandler handler;
    private final List<InetSocketAddress> listen;
    private final boolean defaultServer;
    private final ServerTls tls;

    private VirtualServer(Builder b) {
        this.names = List.copyOf(b.names);
        this.routes = List.copyOf(b.routes);
        this.handler = b.handler;
        this.listen = List.copyOf(b.listen);
        this.defaultServer = b.defaultServer;
        this.tls = b.tls;
    }

    /** Starts a server for {@code names}, separated by spaces as in {@code server_name}. */
    public static Builder builder(String names) {
        return new Builder(names, Set.of());
    }

    /** {@link #builder(String)} for a proxy whose {@code maps} its routes may name. */
    static Builder builder(String names, Set<String> maps) {
        return new Builder(names, maps);
    }

    /** The names, lowercased, as given. */
    public List<String> names() {
        return names;
    }

    /** The routes, in the order they were added. */
    public List<Route> routes() {
        return routes;
    }

    /** The certificate this server's names get on the proxy's TLS addresses (by SNI), or empty: the address's. */
    public Optional<ServerTls> tls() {
        return Optional.ofNullable(tls);
    }

    /** The addresses this server listens on; empty: every address of the proxy. */
    public List<InetSocketAddress> listen() {
        return listen;
    }

    /** Whether this server is the default of its addresses: see {@link Builder#defaultServer()}. */
    public boolean isDefaultServer() {
        return defaultServer;
    }

    /** Whether this server takes requests that come to {@code address}, one of the proxy's listen addresses. */
    public boolean listensOn(InetSocketAddress address) {
        return listen.isEmpty() || listen.contains(address);
    }

    /** The hooks of every route of this server that has none of its own, or null: see {@link Builder#handler}. */
    public ProxyHandler handler() {
        return handler;
    }

    @Override
    public String toString() {
        return "server { server_name " + String.join(" ", names) + "; " + routes.size() + " locations }";
    }

    /** Builds a {@link VirtualServer}. */
    public static final class Builder {

        private final List<String> names = new ArrayList<>();
        private final List<Route> routes = new ArrayList<>();
        /** The proxy's maps, which the routes may name. */
        private final Set<String> maps;
        private ProxyHandler handler;
        private final List<InetSocketAddress> listen = new ArrayList<>();
        private boolean defaultServer;
        private ServerTls tls;

        private Builder(String names, Set<String> maps) {
            this.maps = Set.copyOf(maps);
            Objects.requireNonNull(names, "names");
            for (String name : names.trim().split("\\s+")) {
                if (!name.isEmpty()) {
                    this.names.add(checked(name));
                }
            }
            if (this.names.isEmpty()) {
                throw new IllegalArgumentException("server_name needs at least one name: \"" + names + "\"");
            }
        }

        private static String checked(String name) {
            if (name.startsWith("~")) {
                try {
                    NginxRegex.compile(name.substring(1), false);
                } catch (PatternSyntaxException e) {
                    throw new IllegalArgumentException("server_name " + name + ": not a regex: " + e.getDescription());
                }
                return name;
            }
            String lower = name.toLowerCase(Locale.ROOT);
            int stars = lower.length() - lower.replace("*", "").length();
            boolean wildcard = lower.startsWith("*.") || lower.endsWith(".*");
            if (stars > 1 || stars == 1 && !wildcard || lower.equals(".") || lower.contains("/")) {
                throw new IllegalArgumentException("server_name " + name + ": a name, *.suffix, prefix.*, .domain"
                        + " or ~regex");
            }
            return lower;
        }

        /** A route of this server; see {@code ProxyServer.Builder.route}. */
        public Builder route(String location, Consumer<Route.Builder> options) {
            Route.add(routes, location, options, " in server " + names, maps);
            return this;
        }

        /**
         * The hooks ({@link ProxyHandler}) of every route of this server that has no handler of its own and does not
         * answer every request itself: one handler for a whole server, as an nginx module in a {@code server}
         * block. None by default.
         */
        public Builder handler(ProxyHandler handler) {
            this.handler = Objects.requireNonNull(handler, "handler");
            return this;
        }

        /**
         * {@code listen HOST:PORT}: the server takes the requests that come to this address, which the proxy listens
         * on too; repeatable. Without it the server takes requests on every address of the proxy.
         */
        public Builder listen(String hostPort) {
            InetSocketAddress address = ListenAddress.parse(hostPort);
            if (address.getPort() == 0) {
                throw new IllegalArgumentException("server " + names + ": listen needs a port other than 0, which"
                        + " would name a different free port in each place");
            }
            if (!listen.contains(address)) {
                listen.add(address);
            }
            return this;
        }

        /**
         * {@code listen ... default_server}: this server takes the requests to its addresses whose host no server
         * name matches. Off by default: see {@link VirtualServer} for the default of an address without one.
         */
        public Builder defaultServer() {
            this.defaultServer = true;
            return this;
        }

        /**
         * The certificate a client gets when the SNI name it sends is one of this server's, on the proxy's TLS
         * addresses ({@code ssl_certificate} in a {@code server} block); without one, the address's. Only the
         * certificates of {@code tls} apply: protocols, ciphers and client certificates are the address's, as nginx
         * takes them from the address's default server.
         */
        public Builder tls(ServerTls tls) {
            this.tls = Objects.requireNonNull(tls, "tls");
            return this;
        }

        /** Checks the server and builds it. */
        public VirtualServer build() {
            if (routes.isEmpty()) {
                throw new IllegalArgumentException("server " + names + " has no route");
            }
            return new VirtualServer(this);
        }
    }
}
