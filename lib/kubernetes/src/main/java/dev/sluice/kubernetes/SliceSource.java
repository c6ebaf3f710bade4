package dev.sluice.kubernetes;

import dev.sluice.upstream.EndpointSource;
import dev.sluice.upstream.Peer;
import dev.sluice.upstream.UpstreamGroup;
import java.net.URI;
import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * The {@link EndpointSource} {@link EndpointSlices.Builder#build()} makes: what to follow and how to reach it.
 * Each line it follows gets a {@link SliceWatcher} of its own.
 *
 * @param namespace the Service's namespace
 * @param service the Service's name
 * @param port which of its ports the line uses
 * @param apiServer the API server's base URI
 * @param token the bearer token, asked for every request
 * @param ca the PEM file of the certificates an {@code https://} API server is trusted by
 */
record SliceSource(String namespace, String service, PortChoice port, URI apiServer, Supplier<String> token, Path ca)
        implements EndpointSource {

    @Override
    public AutoCloseable follow(UpstreamGroup group, Peer line) {
        return SliceWatcher.start(this, group, line);
    }

    @Override
    public String toString() {
        return "EndpointSlices of service " + namespace + "/" + service + ", " + port + ", at " + apiServer;
    }
}
