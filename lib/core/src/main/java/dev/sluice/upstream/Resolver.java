package dev.sluice.upstream;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * Turns a server's host name into addresses when a group is built; each address becomes a peer, as nginx makes
 * one peer per address of a {@code server} name. A group without a resolver keeps names unresolved and does no
 * look-up at all, so the upstream core stays free of I/O unless asked.
 */
@FunctionalInterface
public interface Resolver {

    /** Returns every address of {@code host}, in the order to use them. */
    List<InetAddress> resolve(String host) throws UnknownHostException;

    /** The system's resolver ({@link InetAddress#getAllByName}); it blocks, so build groups off the event loops. */
    static Resolver system() {
        return host -> List.of(InetAddress.getAllByName(host));
    }
}
