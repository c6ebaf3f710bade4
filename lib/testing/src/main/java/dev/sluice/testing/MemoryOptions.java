package dev.sluice.testing;

import java.net.SocketOption;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The socket options of one in-memory channel: the ones it supports, as a real channel of its kind does, and the
 * values set so far. The caller holds the network's lock.
 */
final class MemoryOptions {

    private final Set<SocketOption<?>> supported;
    private final Map<SocketOption<?>, Object> values = new HashMap<>();

    MemoryOptions(SocketOption<?>... supported) {
        this.supported = Set.of(supported);
    }

    Set<SocketOption<?>> supported() {
        return supported;
    }

    <T> void set(SocketOption<T> name, T value) {
        values.put(check(name), value);
    }

    @SuppressWarnings("unchecked")
    <T> T get(SocketOption<T> name) {
        return (T) values.get(check(name));
    }

    private SocketOption<?> check(SocketOption<?> name) {
        if (!supported.contains(Objects.requireNonNull(name, "name"))) {
            throw new UnsupportedOperationException("'" + name + "' not supported");
        }
        return name;
    }
}
