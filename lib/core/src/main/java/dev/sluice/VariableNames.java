package dev.sluice;

import java.util.Map;
import java.util.Set;

/**
 * The variables a value may name beyond the proxy's own, where it is written: the named groups of the regex it
 * belongs to ({@code captures}, by their numbers) and the {@link VariableMap maps} declared before it; with {@code
 * anyMap}, every other name is taken as a map's, for a value made before the maps are known.
 */
record VariableNames(Map<String, Integer> captures, Set<String> maps, boolean anyMap) {

    /** Nothing beyond the proxy's own variables. */
    static final VariableNames NONE = new VariableNames(Map.of(), Set.of());
    /** Any name that is not the proxy's own is a map's, checked once the maps are known. */
    static final VariableNames ANY_MAP = new VariableNames(Map.of(), Set.of(), true);

    VariableNames {
        captures = Map.copyOf(captures);
        maps = Set.copyOf(maps);
    }

    VariableNames(Map<String, Integer> captures, Set<String> maps) {
        this(captures, maps, false);
    }

    /** The same maps, with the named groups of another regex. */
    VariableNames withCaptures(Map<String, Integer> groups) {
        return new VariableNames(groups, maps, anyMap);
    }

    /** Whether {@code name}, none of the proxy's own variables, names a map. */
    boolean isMap(String name) {
        return anyMap ? name.matches("[A-Za-z0-9_]+") : maps.contains(name);
    }
}
