package dev.sluice.kubernetes;

import dev.sluice.upstream.Endpoint;
import java.net.SocketAddress;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A Service's EndpointSlices as last listed and watched, by name, and the endpoints of the chosen port over all of
 * them. An address several slices list (while the controller moves endpoints between slices) counts once, in the
 * best condition they give it: ready, else terminating, else not ready.
 */
final class SliceSet {

    private final PortChoice port;
    private final Map<String, Slice> slices = new TreeMap<>();

    SliceSet(PortChoice port) {
        this.port = port;
    }

    /** Forgets every slice for {@code listed}, as a list (or a list after a 410) says them. */
    void replaceAll(Collection<Slice> listed) {
        slices.clear();
        listed.forEach(this::put);
    }

    /** Adds slice {@code slice}, or replaces the one of its name. */
    void put(Slice slice) {
        slices.put(slice.name(), slice);
    }

    void remove(String name) {
        slices.remove(name);
    }

    /**
     * Every endpoint at the chosen port, in the order of the slices' names and then of their endpoints.
     *
     * @throws IllegalStateException when no port was chosen and the Service has several
     */
    List<Endpoint> endpoints() {
        String chosen = port.nameAmong(slices.values());
        Map<SocketAddress, Endpoint> endpoints = new LinkedHashMap<>();
        for (Slice slice : slices.values()) {
            int number = port.in(slice, chosen);
            if (number == 0) {
                continue;
            }
            for (Slice.Member member : slice.members()) {
                Endpoint endpoint = member.at(number);
                endpoints.merge(endpoint.address(), endpoint,
                        (was, now) -> now.condition().compareTo(was.condition()) < 0 ? now : was);
            }
        }
        return List.copyOf(endpoints.values());
    }
}
