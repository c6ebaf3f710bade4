package dev.sluice;

import java.util.Map;
import java.util.Set;

/**
 * The variables a value may name beyond the proxy's own, where it is written: the named groups of the regex it
 * belongs to ({@code captures}, by their numbers) and the {@link VariableMap maps} declared before it.
 */
record VariableNames(Map<String, Integer> captures, Set<String> maps) {

    /** Nothing beyond the proxy's own variables. */
    static final VariableNames NONE = new VariableNames(Map.of(), Set.of());

    VariableNames {
        captures = Map.copyOf(captures);
        maps = Set.copyOf(maps);
    }

    /** The same maps, with the named groups of another regex. */
    VariableNames withCaptures(Map<String, Integer> groups) {
        return new VariableNames(groups, maps);
    }
}
