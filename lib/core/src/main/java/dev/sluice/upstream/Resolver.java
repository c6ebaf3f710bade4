package dev.sluice.upstream;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * Turns a server's host name into addresses when a group is built; each address becomes a peer, as nginx makes
 * one peer per address of a {@code server} name. Groups use {@link #system()} unless given another; {@link #none()}
 * does no look-up at all, for unit tests of balancing that name servers they never reach.
 */
@FunctionalInterface
public interface Resolver {

    /** Returns every address of {@code host}, in the order to use them. */
    List<InetAddress> resolve(String host) throws UnknownHostException;

    /**
     * No resolver: a group keeps each name as one unresolved peer, which balancing handles like any other and a
     * proxy refuses to start with.
     */
    static Resolver none() {
        return NoResolver.INSTANCE;
    }

    /** The system's resolver ({@link InetAddress#getAllByName}); it blocks, so build groups off the event loops. */
    static Resolver system() {
        return host -> List.of(InetAddress.getAllByName(host));
    }
}
