package dev.sluice.cli;

import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/** Java variable names for the locals of generated code, each used once: {@code api-servers} becomes {@code apiServers}. */
final class Names {

    private static final Set<String> KEYWORDS = Set.of("abstract", "assert", "boolean", "break", "byte", "case",
            "catch", "char", "class", "const", "continue", "default", "do", "double", "else", "enum", "extends",
            "final", "finally", "float", "for", "goto", "if", "implements", "import", "instanceof", "int",
            "interface", "long", "native", "new", "package", "private", "protected", "public", "return", "short",
            "static", "strictfp", "super", "switch", "synchronized", "this", "throw", "throws", "transient", "try",
            "void", "volatile", "while", "true", "false", "null", "var", "record", "yield");

    private final Set<String> used = new HashSet<>();

    /** A new name made from {@code text}: its letters and digits in camel case, then a number if already taken. */
    String of(String text, String fallback) {
        StringBuilder name = new StringBuilder();
        boolean upper = false;
        for (char c : text.toCharArray()) {
            if (Character.isLetterOrDigit(c) && c < 128) {
                name.append(upper && name.length() > 0 ? Character.toUpperCase(c) : c);
                upper = false;
            } else {
                upper = true;
            }
        }
        String base = name.length() == 0 || !Character.isLetter(name.charAt(0)) ? fallback + name : name.toString();
        base = base.substring(0, 1).toLowerCase(Locale.ROOT) + base.substring(1);
        if (KEYWORDS.contains(base)) {
            base = base + "_";
        }
        String unique = base;
        for (int i = 2; !used.add(unique); i++) {
            unique = base + i;
        }
        return unique;
    }
}
