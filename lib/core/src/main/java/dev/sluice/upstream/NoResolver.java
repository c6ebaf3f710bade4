package dev.sluice.upstream;

import java.net.InetAddress;
import java.util.List;

/** {@link Resolver#none()}: a group built with it keeps its names unresolved and never calls it. */
final class NoResolver implements Resolver {

    static final NoResolver INSTANCE = new NoResolver();

    private NoResolver() {
    }

    @Override
    public List<InetAddress> resolve(String host) {
        throw new IllegalStateException("Resolver.none() resolves nothing: " + host);
    }
}
