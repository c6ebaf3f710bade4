package dev.sluice.upstream;

import dev.sluice.internal.discovery.DnsResolver;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;

/**
 * Turns a server's host name into addresses when a group is built; each address becomes a peer, as nginx makes
 * one peer per address of a {@code server} name. Groups use {@link #system()} unless given another; {@link #dns}
 * asks DNS servers itself and lets {@code resolve} lines follow their names; {@link #none()} does no look-up at all,
 * for unit tests of balancing that name servers they never reach.
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

    /**
     * A resolver that asks {@code servers} (port 53 unless given) itself, nginx's {@code resolver ADDRESS ...
     * [valid=T]} with {@code resolver_timeout T}: a name's A and AAAA records, over UDP and over TCP when an answer
     * is truncated, each server in turn until one answers within {@code timeout} (nginx's default is 30 s). What
     * {@link Peer.Builder#resolve} lines need: their names are looked up again when the records' time to live ends,
     * or after {@code valid} when it is not null (at least 1 s).
     */
    static Resolver dns(List<InetSocketAddress> servers, Duration timeout, Duration valid) {
        return new DnsResolver(servers, timeout, valid);
    }

    /** The system's resolver ({@link InetAddress#getAllByName}); it blocks, so build groups off the event loops. */
    static Resolver system() {
        return host -> List.of(InetAddress.getAllByName(host));
    }
}
