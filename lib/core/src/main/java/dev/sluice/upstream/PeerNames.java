package dev.sluice.upstream;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * How a peer is named from its socket address: the printed form nginx writes in {@code $upstream_addr}, and the
 * opaque id NGINX Plus's {@code sticky cookie} derives from it.
 */
final class PeerNames {

    private PeerNames() {
    }

    /** {@code address} printed as nginx prints it: {@code ip:port}, {@code [ipv6]:port}, or {@code unix:path}. */
    static String printable(SocketAddress address) {
        if (address instanceof InetSocketAddress) {
            InetSocketAddress inet = (InetSocketAddress) address;
            String host = inet.isUnresolved() ? inet.getHostString() : inet.getAddress().getHostAddress();
            if (host.indexOf(':') >= 0) {
                host = "[" + host + "]";
            }
            return host + ":" + inet.getPort();
        }
        return "unix:" + address.toString();
    }

    /** The sticky id of a peer printed as {@code name}: the lowercase hex MD5 of the name, as NGINX Plus's. */
    static String stickyId(String name) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(
                    name.getBytes(StandardCharsets.US_ASCII)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has MD5", e);
        }
    }
}
