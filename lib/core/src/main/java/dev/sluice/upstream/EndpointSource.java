package dev.sluice.upstream;

/**
 * Where a server line's endpoints come from while a proxy runs: DNS ({@link Peer.Builder#resolve}), a Kubernetes
 * Service, a service registry. The line starts without peers; once a proxy with a route to its group starts, the
 * source follows its system on threads of its own (never an event loop) and hands the group what it learns, as
 * complete snapshots ({@link UpstreamGroup#setEndpoints}) or as changes ({@link UpstreamGroup#updateEndpoints}).
 * A source that loses its system keeps quiet rather than emptying the line: the peers stay as last announced.
 *
 * <pre>{@code
 * UpstreamGroup.builder("web")
 *     .discover("web.prod", source, s -> s.maxFails(2).slowStart(Duration.ofSeconds(30)))
 *     .build();
 * }</pre>
 *
 * <p>A group is followed by one proxy at a time: the first to start with it, until it stops.
 */
@FunctionalInterface
public interface EndpointSource {

    /**
     * Starts following the endpoints of server line {@code line} of {@code group}; returns quickly, without waiting
     * for a first answer. Closing what it returns stops the following, and must not throw.
     */
    AutoCloseable follow(UpstreamGroup group, Peer line);
}
