package dev.sluice.cli;

import dev.sluice.MediaTypes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * nginx's {@code types} blocks ({@code include mime.types} makes one) and {@code default_type} in effect at a
 * location, as the route's {@code MediaTypes}. As nginx merges them, a level without a {@code types} block takes
 * its parent's, and with none anywhere the table is nginx's own three ({@code text/html html}, {@code image/gif gif},
 * {@code image/jpeg jpg}); {@code default_type} is inherited the same way, {@code text/plain} where none is given.
 * The stock {@code nginx.conf}'s pair ({@code include mime.types; default_type application/octet-stream;}) is the
 * library's default and needs no call; another table is one local of the generated code, shared by every route
 * it applies to.
 */
final class MediaTypeLines {

    /** nginx's table where no level has a {@code types} block ({@code ngx_http_core_default_types}). */
    private static final MediaTypes BUILT_IN = MediaTypes.builder().type("text/html", "html").type("image/gif", "gif")
            .type("image/jpeg", "jpg").build();

    private final LimitZones.Locals locals;
    private final Consumer<String> warnings;
    private final Map<List<Directive>, Expr> made = new HashMap<>();
    private final Set<String> warned = new HashSet<>();

    MediaTypeLines(LimitZones.Locals locals, Consumer<String> warnings) {
        this.locals = locals;
        this.warnings = warnings;
    }

    /** Checks a {@code types} block as nginx reads it: {@code TYPE EXTENSION...;} lines, no block inside. */
    static void check(Directive types) {
        if (!types.isBlock()) {
            throw types.error("directive \"types\" has no opening \"{\"");
        }
        Args.args(types, 0, 0);
        for (Directive line : types.block()) {
            if (line.isBlock()) {
                throw line.error("unexpected \"{\"");
            }
        }
    }

    /**
     * The route's {@code mediaTypes} for the {@code types} blocks (those of one level, in order) and the {@code
     * default_type} in effect in {@code scope}, for {@code location}: null when they are the library's default.
     */
    Expr of(Scope scope, Directive location) {
        List<Directive> types = scope.all(Set.of("types"));
        Directive defaultType = scope.has("default_type") ? scope.last("default_type") : null;
        List<Directive> key = new ArrayList<>(types);
        key.add(defaultType);
        if (made.containsKey(key)) {
            return made.get(key);
        }
        MediaTypes.Builder builder = types.isEmpty() ? BUILT_IN.toBuilder() : MediaTypes.builder();
        Map<String, String> table = table(types, builder);
        Expr.Static code = Expr.Static.of(MediaTypes.class, "builder");
        Map<String, List<String>> byType = new LinkedHashMap<>();
        (types.isEmpty() ? BUILT_IN.byExtension() : table)
                .forEach((extension, type) -> byType.computeIfAbsent(type, t -> new ArrayList<>()).add(extension));
        for (Map.Entry<String, List<String>> entry : byType.entrySet()) {
            code = code.then("type", entry.getKey(), (Object) entry.getValue().toArray(new String[0]));
        }
        Directive at = !types.isEmpty() ? types.get(0) : defaultType != null ? defaultType : location;
        if (defaultType != null) {
            String value = Args.one(defaultType);
            Args.parsed(defaultType, a -> builder.defaultType(value));
            code = code.then("defaultType", value);
        }
        MediaTypes result = builder.build();
        Expr expr;
        if (result.equals(MediaTypes.nginx())) {
            expr = null;
        } else if (result.byExtension().equals(MediaTypes.nginx().byExtension())) {
            expr = Expr.Static.of(MediaTypes.class, "nginx").then("toBuilder")
                    .then("defaultType", result.defaultType()).then("build");
        } else {
            expr = locals.make("types", MediaTypes.class, code.then("build"), at);
        }
        made.put(key, expr);
        return expr;
    }

    /**
     * The extensions of {@code types} and their types, as nginx reads the lines, each also given to {@code builder}:
     * an extension in lower case, a later line's type replacing an earlier one's (with nginx's warning); one that no
     * request's extension can be (empty, or with a '.', '/', space or control character) is left out.
     */
    private Map<String, String> table(List<Directive> types, MediaTypes.Builder builder) {
        Map<String, String> table = new LinkedHashMap<>();
        for (Directive block : types) {
            for (Directive line : block.block()) {
                String type = line.name();
                for (String word : line.args()) {
                    String extension = lowerAscii(word);
                    if (!canMatch(extension)) {
                        continue;
                    }
                    Args.parsed(line, a -> builder.type(type, extension));
                    String previous = table.put(extension, type);
                    if (previous != null && warned.add(line.origin() + " " + extension)) {
                        warnings.accept(line.origin() + ": warning: duplicate extension \"" + extension
                                + "\", content type: \"" + type + "\", previous content type: \"" + previous + "\"");
                    }
                }
            }
        }
        return table;
    }

    /** Whether a request's path could have {@code extension}: what follows its last '.', a plain name. */
    private static boolean canMatch(String extension) {
        if (extension.isEmpty()) {
            return false;
        }
        for (int i = 0; i < extension.length(); i++) {
            char c = extension.charAt(i);
            if (c <= ' ' || c == 0x7f || c == '.' || c == '/') {
                return false;
            }
        }
        return true;
    }

    /** Lower case of the ASCII letters only, as nginx folds an extension. */
    private static String lowerAscii(String word) {
        StringBuilder lower = new StringBuilder(word.length());
        for (int i = 0; i < word.length(); i++) {
            char c = word.charAt(i);
            lower.append(c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c);
        }
        return lower.toString();
    }
}
