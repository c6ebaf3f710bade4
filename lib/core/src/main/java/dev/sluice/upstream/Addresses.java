package dev.sluice.upstream;

import dev.sluice.internal.discovery.DnsResolver;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** Parses the address of a {@code server} line without touching the network. */
final class Addresses {

    static final int DEFAULT_PORT = 80;
    private static final String UNIX = "unix:";

    private Addresses() {
    }

    /** Checks that {@code server} is {@code host:port}, {@code host}, {@code [v6]:port} or {@code unix:/path}. */
    static String checkServer(String server) {
        Objects.requireNonNull(server, "server");
        if (isUnix(server)) {
            if (server.length() == UNIX.length() || server.charAt(UNIX.length()) != '/') {
                throw bad(server, "a unix socket needs an absolute path");
            }
            return server;
        }
        int scheme = server.indexOf("://");
        if (scheme > 0) {
            throw bad(server, "write host:port without a scheme (" + server.substring(0, scheme + 3)
                    + " is nginx's proxy_pass syntax, not a server's)");
        }
        host(server);
        port(server);
        return server;
    }

    static boolean isUnix(String server) {
        return server.regionMatches(true, 0, UNIX, 0, UNIX.length());
    }

    /** The host part: a name, a dotted IPv4 address or a bracketed IPv6 address without its brackets. */
    static String host(String server) {
        String host;
        if (server.startsWith("[")) {
            int close = server.indexOf(']');
            if (close < 0) {
                throw bad(server, "unclosed '['");
            }
            host = server.substring(1, close);
            if (host.isEmpty() || !host.matches("[0-9A-Fa-f:.]+")) {
                throw bad(server, "not an IPv6 address");
            }
            String rest = server.substring(close + 1);
            if (!rest.isEmpty() && !rest.startsWith(":")) {
                throw bad(server, "unexpected text after ']'");
            }
            return host;
        }
        int colon = server.indexOf(':');
        host = colon < 0 ? server : server.substring(0, colon);
        if (colon >= 0 && server.indexOf(':', colon + 1) >= 0) {
            throw bad(server, "an IPv6 address must be written in brackets");
        }
        if (host.isEmpty() || !host.matches("[A-Za-z0-9._-]+") || host.length() > 253) {
            throw bad(server, "not a host name or address");
        }
        if (host.matches("[0-9.]+") && !isLiteral(host)) {
            throw bad(server, "not an IPv4 address");
        }
        return host;
    }

    /** The port: the digits after the last ':', or 80 when none is written, as nginx's default. */
    static int port(String server) {
        int close = server.startsWith("[") ? server.indexOf(']') : -1;
        int colon = server.indexOf(':', close + 1);
        if (colon < 0) {
            return DEFAULT_PORT;
        }
        String digits = server.substring(colon + 1);
        if (digits.isEmpty() || digits.length() > 5 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw bad(server, "port must be a number from 1 to 65535");
        }
        int port = Integer.parseInt(digits);
        if (port < 1 || port > 65535) {
            throw bad(server, "port must be a number from 1 to 65535");
        }
        return port;
    }

    /** Whether the host is an IP literal, which needs no look-up. */
    static boolean isLiteral(String host) {
        if (host.indexOf(':') >= 0) {
            return true;
        }
        String[] octets = host.split("\\.", -1);
        if (octets.length != 4) {
            return false;
        }
        for (String octet : octets) {
            if (!octet.matches("[0-9]{1,3}") || Integer.parseInt(octet) > 255) {
                return false;
            }
        }
        return true;
    }

    /**
     * The socket address of a server: a Unix domain address, a resolved address for an IP literal, or an
     * unresolved one for a name (a resolver turns names into addresses; this never looks one up).
     */
    static SocketAddress socketAddress(String server) {
        if (isUnix(server)) {
            return UnixDomainSocketAddress.of(Path.of(server.substring(UNIX.length())));
        }
        String host = host(server);
        int port = port(server);
        if (!isLiteral(host)) {
            return InetSocketAddress.createUnresolved(host, port);
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (UnknownHostException e) {
            throw bad(server, "not an IP address");
        }
    }

    private static IllegalArgumentException bad(String server, String why) {
        return new IllegalArgumentException("server address \"" + server + "\" is malformed: " + why);
    }

    /**
     * The addresses server line {@code line} of upstream {@code name} starts with: none for a line a source fills or
     * an SRV ({@code service=}) line, whatever is found now for a {@code resolve} line (perhaps none), else what
     * {@link #resolve} finds.
     *
     * @throws IllegalArgumentException for a {@code resolve} line without a resolver that asks DNS servers, a line
     *     that follows a source with a state file, or a host not found
     */
    static List<SocketAddress> ofLine(String name, Peer line, Resolver resolver, boolean stateFile) {
        if (line.resolve() && !(resolver instanceof DnsResolver)) {
            throw new IllegalArgumentException("server " + line.server() + " resolve in upstream \"" + name
                    + "\" needs a resolver that asks DNS servers: resolver(Resolver.dns(...))");
        }
        boolean discovered = line.source().isPresent();
        if ((line.resolve() || discovered) && stateFile) {
            throw new IllegalArgumentException("server " + line.server() + (discovered ? " discovered" : " resolve")
                    + " in upstream \"" + name + "\" cannot be kept in a state file yet");
        }
        if (discovered || !line.service().isEmpty()) {
            return List.of();
        }
        return line.resolve() ? resolveIfFound(name, line.server(), resolver) : resolve(name, line.server(), resolver);
    }

    /** {@link #resolve}, or no address at all when the name is not found now ({@code resolve} lines). */
    static List<SocketAddress> resolveIfFound(String name, String server, Resolver resolver) {
        try {
            return resolve(name, server, resolver);
        } catch (IllegalArgumentException notFound) {
            return List.of();
        }
    }

    /**
     * The addresses {@code server} of upstream {@code name} stands for: itself when it is an address (or the
     * resolver is {@link Resolver#none()}), else every address {@code resolver} finds for its host.
     *
     * @throws IllegalArgumentException when the host is not found
     */
    static List<SocketAddress> resolve(String name, String server, Resolver resolver) {
        SocketAddress address = Addresses.socketAddress(server);
        if (resolver == NoResolver.INSTANCE || !(address instanceof InetSocketAddress)
                || !((InetSocketAddress) address).isUnresolved()) {
            return List.of(address);
        }
        InetSocketAddress named = (InetSocketAddress) address;
        try {
            List<SocketAddress> resolved = new ArrayList<>();
            for (InetAddress ip : resolver.resolve(named.getHostString())) {
                resolved.add(new InetSocketAddress(ip, named.getPort()));
            }
            if (resolved.isEmpty()) {
                throw new UnknownHostException(named.getHostString());
            }
            return resolved;
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("host not found in upstream \"" + name + "\": " + server, e);
        }
    }
}
