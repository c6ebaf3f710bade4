package dev.sluice;

import java.net.InetSocketAddress;
import java.util.Objects;

/** nginx's {@code listen HOST:PORT}, parsed and checked for the builders that take one. */
final class ListenAddress {

    private ListenAddress() {
    }

    /** {@code hostPort} as an address: {@code 127.0.0.1:8080}, {@code [::1]:8080}, {@code 0.0.0.0:0} (a free port). */
    static InetSocketAddress parse(String hostPort) {
        Objects.requireNonNull(hostPort, "listen");
        int colon = hostPort.lastIndexOf(':');
        if (colon <= 0 || colon == hostPort.length() - 1) {
            throw new IllegalArgumentException("listen must be HOST:PORT: \"" + hostPort + "\"");
        }
        String host = hostPort.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(hostPort.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("listen port must be a number: \"" + hostPort + "\"");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("listen port must be between 0 and 65535: \"" + hostPort + "\"");
        }
        return checked(new InetSocketAddress(host, port));
    }

    /** {@code address}, when its host is known. */
    static InetSocketAddress checked(InetSocketAddress address) {
        Objects.requireNonNull(address, "listen");
        if (address.isUnresolved()) {
            throw new IllegalArgumentException("listen host is unknown: " + address.getHostString());
        }
        return address;
    }
}
