package dev.sluice.micrometer;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Meters by one name of the configuration (a server, a location, a group, a peer), made the first time the name is
 * seen and found again with no allocation. A null name is {@link #NONE}, the tag value of a missing one.
 */
final class ByName<V> {

    /** The tag value of a name the record does not have (no virtual server, no location, no group). */
    static final String NONE = "none";

    private final ConcurrentHashMap<String, V> values = new ConcurrentHashMap<>();
    private final Function<String, V> create;

    /** {@code create} makes the value of a name from its tag value. */
    ByName(Function<String, V> create) {
        this.create = create;
    }

    V get(String name) {
        String key = name == null ? NONE : name;
        V value = values.get(key);
        return value != null ? value : values.computeIfAbsent(key, create);
    }
}
