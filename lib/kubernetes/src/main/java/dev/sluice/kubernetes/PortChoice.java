package dev.sluice.kubernetes;

import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which of a Service's ports a line uses: one named, one numbered (the endpoints' port, as EndpointSlices carry it:
 * the Service's {@code targetPort}, not its {@code port}), or the Service's only port.
 *
 * @param name the port's name, or null
 * @param number the port's number, or 0
 */
record PortChoice(String name, int number) {

    /** The Service's only port. */
    static PortChoice only() {
        return new PortChoice(null, 0);
    }

    static PortChoice named(String name) {
        return new PortChoice(name, 0);
    }

    static PortChoice numbered(int number) {
        return new PortChoice(null, number);
    }

    /**
     * The name of the port to use among {@code slices}' ports, or null to match by number.
     *
     * @throws IllegalStateException when the choice is the only port and the slices have several
     */
    String nameAmong(Collection<Slice> slices) {
        if (name != null || number != 0) {
            return name;
        }
        Set<String> names = new TreeSet<>();
        for (Slice slice : slices) {
            if (!slice.members().isEmpty()) {
                slice.ports().forEach(port -> names.add(port.name()));
            }
        }
        if (names.size() > 1) {
            throw new IllegalStateException("the Service has ports " + names + ": choose one with port(...)");
        }
        return names.isEmpty() ? "" : names.iterator().next();
    }

    /** The number {@code slice} gives the port named {@code chosen} (or this choice's number), or 0 if none. */
    int in(Slice slice, String chosen) {
        for (Slice.Port port : slice.ports()) {
            if (chosen != null ? port.name().equals(chosen) : port.number() == number) {
                return port.number();
            }
        }
        return 0;
    }

    @Override
    public String toString() {
        return name != null ? "port " + name : number != 0 ? "port " + number : "its only port";
    }
}
