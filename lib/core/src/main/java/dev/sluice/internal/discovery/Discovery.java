package dev.sluice.internal.discovery;

import dev.sluice.upstream.EndpointSource;
import dev.sluice.upstream.Peer;
import dev.sluice.upstream.UpstreamGroup;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the endpoint sources of a proxy's groups and stops them with it: each line's own {@link EndpointSource},
 * and a {@link DnsSource} for each {@code resolve} line. A group is followed by one proxy at a time, whichever
 * started first with it, so that two proxies sharing a group do not both announce its endpoints.
 */
public final class Discovery implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Discovery.class);
    /** Groups some proxy follows now. */
    private static final Map<UpstreamGroup, Discovery> FOLLOWED = new IdentityHashMap<>();

    private final List<UpstreamGroup> groups = new ArrayList<>();
    private final List<AutoCloseable> follows = new ArrayList<>();

    private Discovery() {
    }

    /**
     * Starts following the discovered and resolved lines of {@code groups} that no other proxy follows; close it to
     * stop. A source that fails to start stops the ones started before it, and its exception propagates.
     */
    public static Discovery start(Collection<UpstreamGroup> groups) {
        Discovery discovery = new Discovery();
        synchronized (FOLLOWED) {
            for (UpstreamGroup group : groups) {
                if (!FOLLOWED.containsKey(group) && group.servers().stream().anyMatch(Discovery::followed)) {
                    FOLLOWED.put(group, discovery);
                    discovery.groups.add(group);
                }
            }
        }
        try {
            for (UpstreamGroup group : discovery.groups) {
                for (Peer line : group.servers()) {
                    if (followed(line)) {
                        EndpointSource source = line.source()
                                .orElseGet(() -> new DnsSource((DnsResolver) group.resolver()));
                        discovery.follows.add(source.follow(group, line));
                    }
                }
            }
        } catch (RuntimeException e) {
            discovery.close();
            throw e;
        }
        return discovery;
    }

    private static boolean followed(Peer line) {
        return line.resolve() || line.source().isPresent();
    }

    @Override
    public void close() {
        synchronized (FOLLOWED) {
            groups.forEach(FOLLOWED::remove);
        }
        for (AutoCloseable follow : follows) {
            try {
                follow.close();
            } catch (Exception e) {
                log.warn("an endpoint source did not stop cleanly: {}", follow, e);
            }
        }
        follows.clear();
    }
}
