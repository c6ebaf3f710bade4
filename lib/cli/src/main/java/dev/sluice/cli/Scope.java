package dev.sluice.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The directives in effect at one level of a configuration file, as nginx inherits them: a level inherits every
 * directive of the level around it (http, then server, then location) that it does not give itself; one that it
 * gives replaces all the outer ones of the same name, so three {@code proxy_set_header} lines in a location
 * replace all of those of its server, not add to them.
 */
final class Scope {

    /** Directives nginx takes once per level, refusing a second as a duplicate. */
    private static final Set<String> ONCE_PER_LEVEL = Set.of("default_type");

    private final Map<String, List<Directive>> byName;
    private final Set<String> upgradeVariables;

    private Scope(Map<String, List<Directive>> byName, Set<String> upgradeVariables) {
        this.byName = byName;
        this.upgradeVariables = upgradeVariables;
    }

    /**
     * The http level, with nothing inherited yet.
     *
     * @param upgradeVariables the variables {@code map $http_upgrade $NAME { ... }} blocks define, {@code $}
     *                         included
     */
    static Scope top(Set<String> upgradeVariables) {
        return new Scope(new LinkedHashMap<>(), Set.copyOf(upgradeVariables));
    }

    /** The level inside this one, which writes {@code own} (only names in {@code inherited} count). */
    Scope inner(List<Directive> own, Set<String> inherited) {
        Map<String, List<Directive>> mine = new LinkedHashMap<>();
        for (Directive d : own) {
            if (inherited.contains(d.name())) {
                List<Directive> same = mine.computeIfAbsent(d.name(), n -> new ArrayList<>());
                if (!same.isEmpty() && ONCE_PER_LEVEL.contains(d.name())) {
                    throw d.error("\"" + d.name() + "\" directive is duplicate");
                }
                same.add(d);
            }
        }
        Map<String, List<Directive>> all = new LinkedHashMap<>(byName);
        all.putAll(mine);
        return new Scope(all, upgradeVariables);
    }

    /** Whether a directive of that name is in effect. */
    boolean has(String name) {
        return byName.containsKey(name);
    }

    /** The last directive of that name in effect (one must be). */
    Directive last(String name) {
        List<Directive> list = byName.get(name);
        return list.get(list.size() - 1);
    }

    /** Every directive in effect whose name is one of {@code names}, in the order their names first appear. */
    List<Directive> all(Set<String> names) {
        List<Directive> all = new ArrayList<>();
        byName.forEach((name, list) -> {
            if (names.contains(name)) {
                all.addAll(list);
            }
        });
        return all;
    }

    /** Whether {@code value} is a variable of nginx's Upgrade/Connection idiom ({@code $connection_upgrade}). */
    boolean isUpgradeVariable(String value) {
        return upgradeVariables.contains(value);
    }
}
