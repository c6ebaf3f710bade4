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
 * <p>Unlike nginx, which evaluates a map once per request and keeps the value ({@code volatile} turns that off),
 * Sluice evaluates it wherever it is named; nothing a map reads changes while a request is proxied. nginx's {@code
 * hostnames} keys are not supported.
 */
public final class VariableMap {

    private final String name;
    private final ValueTemplate source;
    private final Map<String, ValueTemplate> exact;
    private final Pattern[] regexes;
    private final ValueTemplate[] regexValues;
    private final ValueTemplate fallback;

    private VariableMap(Builder b) {
        this.name = b.name;
        this.source = b.source;
        this.exact = Map.copyOf(b.exact);
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
        ValueTemplate value = exact.get(ByteText.lowerAscii(key));
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
         * One line of the map, as nginx writes it: {@code default VALUE}, {@code ~REGEX VALUE} (case-sensitive),
         * {@code ~*REGEX VALUE} (ignoring case), or {@code KEY VALUE} for the key equal to the source's value,
         * ignoring the case of ASCII letters ({@code \~KEY} for a key that begins with '~', {@code \default} for the
         * key "default").
         *
         * @throws IllegalArgumentException for a key or a {@code default} given twice, as nginx refuses them
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
                if (exact.putIfAbsent(literal, ValueTemplate.parse(option, value, false, names)) != null) {
                    throw new IllegalArgumentException("map $" + name + ": the key \"" + key + "\" is given twice");
                }
            }
            return this;
        }

        VariableMap build() {
            if (fallback == null) {
                fallback = ValueTemplate.parse("map", "");
            }
            return new VariableMap(this);
        }
    }
}
