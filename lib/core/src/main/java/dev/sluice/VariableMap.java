package dev.sluice;

import dev.sluice.internal.text.ByteText;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * nginx's {@code map SOURCE $NAME { KEY VALUE; ... }}: a variable {@code $NAME} whose value is chosen by the value
 * of {@code SOURCE}, a template such as {@code $http_host} or {@code $uri}: the value of the key equal to it
 * (ignoring the case of ASCII letters, as nginx), else (unless it is empty) of the first regex key ({@code ~REGEX},
 * or {@code ~*REGEX} ignoring case) that finds a match in it, whose groups the value may name ({@code $1}, or a named
 * group by its name), else the {@code default}, which is empty unless given. Values are templates too, evaluated per
 * request. Declared with {@link
 * ProxyServer.Builder#map}, before the routes and servers that name it; a map may name the maps declared before it.
 *
 * <p>After {@link Builder#hostnames()} (nginx's {@code hostnames}), keys may also be wildcard host names, as a
 * {@code server_name} is written: {@code *.example.com} (any name that ends with {@code .example.com}), {@code
 * .example.com} (that and {@code example.com} itself) and {@code www.example.*} (any name that starts with {@code
 * www.example.}); a value's one final '.' is dropped first. They are tried after the exact keys and before the
 * regexes: the longest {@code *.} match, then the longest {@code .*} one, as nginx's wildcard hashes find them.
 *
 * <p>Unlike nginx, which evaluates a map once per request and keeps the value ({@code volatile} turns that off),
 * Sluice evaluates it wherever it is named; nothing a map reads changes while a request is proxied.
 */
public final class VariableMap {

    private final String name;
    private final ValueTemplate source;
    private final Map<String, ValueTemplate> exact;
    private final boolean hostnames;
    /** {@code *.example.com} and {@code .example.com} keys by their suffix, {@code .example.com}. */
    private final Map<String, ValueTemplate> headWildcards;
    /** {@code www.example.*} keys by their prefix, {@code www.example.}. */
    private final Map<String, ValueTemplate> tailWildcards;
    private final Pattern[] regexes;
    private final ValueTemplate[] regexValues;
    private final ValueTemplate fallback;

    private VariableMap(Builder b) {
        this.name = b.name;
        this.source = b.source;
        this.exact = Map.copyOf(b.exact);
        this.hostnames = b.hostnames;
        this.headWildcards = Map.copyOf(b.headWildcards);
        this.tailWildcards = Map.copyOf(b.tailWildcards);
        this.regexes = b.regexes.toArray(new Pattern[0]);
        this.regexValues = b.regexValues.toArray(new ValueTemplate[0]);
        this.fallback = b.fallback;
    }

    /** The variable's name, without its {@code $}. */
    public String name() {
        return name;
    }

    /** The template whose value chooses the entry. */
    public ValueTemplate source() {
        return source;
    }

    /** Appends the variable's value for the request that {@code variables} describes. */
    public void appendTo(StringBuilder out, ValueTemplate.Variables variables) {
        StringBuilder key = new StringBuilder();
        source.appendTo(key, variables);
        if (hostnames && key.length() > 0 && key.charAt(key.length() - 1) == '.') {
            key.setLength(key.length() - 1); // a host name's final dot
        }
        String lower = ByteText.lowerAscii(key);
        ValueTemplate value = exact.get(lower);
        if (value == null && !lower.isEmpty()) {
            value = wildcard(lower);
        }
        if (value != null || key.length() == 0) { // as nginx, an empty value is looked for among the keys alone
            (value == null ? fallback : value).appendTo(out, variables);
            return;
        }
        for (int i = 0; i < regexes.length; i++) {
            Matcher matcher = regexes[i].matcher(key);
            if (matcher.find()) {
                regexValues[i].appendTo(out, ValueTemplate.withGroups(matcher, variables));
                return;
            }
        }
        fallback.appendTo(out, variables);
    }

    /** The value of the longest {@code *.} key whose suffix ends {@code host}, else of the longest {@code .*} one. */
    private ValueTemplate wildcard(String host) {
        if (!headWildcards.isEmpty()) {
            for (int dot = host.indexOf('.'); dot >= 0; dot = host.indexOf('.', dot + 1)) {
                ValueTemplate value = headWildcards.get(host.substring(dot));
                if (value != null) {
                    return value;
                }
            }
        }
        if (!tailWildcards.isEmpty()) {
            for (int dot = host.lastIndexOf('.'); dot >= 0; dot = host.lastIndexOf('.', dot - 1)) {
                ValueTemplate value = tailWildcards.get(host.substring(0, dot + 1));
                if (value != null) {
                    return value;
                }
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return "map " + source + " $" + name;
    }

    /** Builds a {@link VariableMap}; from {@link ProxyServer.Builder#map}. */
    public static final class Builder {

        private final String name;
        private final ValueTemplate source;
        private final VariableNames names;
        private final Map<String, ValueTemplate> exact = new HashMap<>();
        private final Map<String, ValueTemplate> headWildcards = new HashMap<>();
        private final Map<String, ValueTemplate> tailWildcards = new HashMap<>();
        private boolean hostnames;
        private final List<Pattern> regexes = new ArrayList<>();
        private final List<ValueTemplate> regexValues = new ArrayList<>();
        /** The {@code default} value, or null until one is given. */
        private ValueTemplate fallback;

        Builder(String name, String source, VariableNames names) {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(source, "source");
            if (!name.matches("[A-Za-z0-9_]+") || ValueTemplate.isVariable(name)) {
                throw new IllegalArgumentException("map $" + name + ": a map's name is letters, digits and '_',"
                        + " and not one of the proxy's variables");
            }
            if (names.maps().contains(name)) {
                throw new IllegalArgumentException("map $" + name + " is declared twice");
            }
            this.name = name;
            this.source = ValueTemplate.parse("map $" + name, source, false, names);
            this.names = names;
        }

        /**
         * nginx's {@code hostnames}: the keys given after it may be wildcard host names ({@code *.example.com},
         * {@code .example.com}, {@code www.example.*}), and a value's final '.' is dropped before it is looked for.
         * As in nginx, the keys given before it stay plain keys.
         */
        public Builder hostnames() {
            hostnames = true;
            return this;
        }

        /**
         * One line of the map, as nginx writes it: {@code default VALUE}, {@code ~REGEX VALUE} (case-sensitive),
         * {@code ~*REGEX VALUE} (ignoring case), or {@code KEY VALUE} for the key equal to the source's value,
         * ignoring the case of ASCII letters ({@code \~KEY} for a key that begins with '~', {@code \default} for the
         * key "default").
         *
         * @throws IllegalArgumentException for a key or a {@code default} given twice, as nginx refuses them, or
         *     after {@link #hostnames()} a '*' anywhere but at the start ({@code *.}) or end ({@code .*}) of a key
         */
        public Builder entry(String key, String value) {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
            String option = "map $" + name + " " + key;
            if (key.equals("default")) {
                if (fallback != null) {
                    throw new IllegalArgumentException("map $" + name + ": duplicate default");
                }
                fallback = ValueTemplate.parse(option, value, false, names);
            } else if (key.startsWith("~")) {
                RouteChecks.RegexValue line = RouteChecks.regexValue(option, key, "the value", value, names);
                regexes.add(line.regex());
                regexValues.add(line.value());
            } else {
                String literal = ByteText.lowerAscii(ByteText.of(key.startsWith("\\") ? key.substring(1) : key));
                ValueTemplate template = ValueTemplate.parse(option, value, false, names);
                if (hostnames && (literal.startsWith(".") || literal.indexOf('*') >= 0)) {
                    wildcard(key, literal, template);
                } else {
                    add(exact, literal, key, template);
                }
            }
            return this;
        }

        /** A wildcard key after {@link #hostnames()}, as nginx's {@code ngx_hash_add_key} takes one. */
        private void wildcard(String key, String literal, ValueTemplate template) {
            int star = literal.indexOf('*');
            if (star != literal.lastIndexOf('*') || literal.length() < 2
                    || star > 0 && !(star == literal.length() - 1 && literal.charAt(star - 1) == '.')
                    || star == 0 && literal.charAt(1) != '.') {
                throw new IllegalArgumentException("map $" + name + ": invalid hostname or wildcard \"" + key + "\"");
            }
            if (star > 0) {
                add(tailWildcards, literal.substring(0, star), key, template);
            } else if (star == 0) {
                add(headWildcards, literal.substring(1), key, template);
            } else {
                add(exact, literal.substring(1), key, template); // .example.com: example.com itself too
                add(headWildcards, literal, key, template);
            }
        }

        private void add(Map<String, ValueTemplate> keys, String literal, String key, ValueTemplate template) {
            if (keys.putIfAbsent(literal, template) != null) {
                throw new IllegalArgumentException("map $" + name + ": the key \"" + key + "\" is given twice");
            }
        }

        VariableMap build() {
            if (fallback == null) {
                fallback = ValueTemplate.parse("map", "");
            }
            return new VariableMap(this);
        }
    }
}
