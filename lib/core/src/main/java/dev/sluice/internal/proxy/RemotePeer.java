package dev.sluice.internal.proxy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/** The address a client connection comes from: {@code $remote_addr}, {@code $remote_port} and its bytes. */
final class RemotePeer {

    final String address;
    final String port;
    final byte[] bytes;

    private RemotePeer(String address, String port, byte[] bytes) {
        this.address = address;
        this.port = port;
        this.bytes = bytes;
    }

    static RemotePeer of(SocketAddress remote) {
        if (remote instanceof InetSocketAddress) {
            InetAddress address = ((InetSocketAddress) remote).getAddress();
            return new RemotePeer(address.getHostAddress(), Integer.toString(((InetSocketAddress) remote).getPort()),
                    address.getAddress());
        }
        return new RemotePeer("unix:", "", new byte[0]);
    }

    /** The port a connection was accepted on, or empty for a socket with no port. */
    static String portOf(SocketAddress local) {
        return local instanceof InetSocketAddress ? Integer.toString(((InetSocketAddress) local).getPort()) : "";
    }
}
