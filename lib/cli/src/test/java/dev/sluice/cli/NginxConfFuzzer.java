package dev.sluice.cli;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The nginx.conf reader on any text: it either refuses it with a {@link UsageException} that names the file and a
 * line of the text ({@code fuzz.conf:N: ...}; nothing else escapes, and it ends), or returns directives that,
 * written again with every word quoted, read back the same: the same names, arguments and blocks.
 *
 * <p>The target of {@link NginxConfFuzzTest}. Includes are refused by the reader it drives ({@link
 * ConfigFile#parse}), so no input reaches the file system.
 */
final class NginxConfFuzzer {

    private static final String NAME = "fuzz.conf";

    private NginxConfFuzzer() {
    }

    /** One input; a broken invariant throws an {@link AssertionError}. */
    public static void fuzzerTestOneInput(byte[] data) {
        String text = new String(data, StandardCharsets.UTF_8);
        List<Directive> directives;
        try {
            directives = ConfigFile.parse(NAME, text);
        } catch (UsageException refused) {
            checkNamesALine(refused.getMessage(), text);
            return;
        }
        String written = write(directives, new StringBuilder()).toString();
        List<Directive> again;
        try {
            again = ConfigFile.parse(NAME, written);
        } catch (UsageException e) {
            throw new AssertionError("what it read, written again, is refused: " + written, e);
        }
        if (!same(directives, again)) {
            throw new AssertionError("read back differently: " + written);
        }
    }

    private static void checkNamesALine(String message, String text) {
        if (!message.startsWith(NAME + ":")) {
            throw new AssertionError("an error that does not name the file: " + message);
        }
        int colon = message.indexOf(':', NAME.length() + 1);
        int line;
        try {
            line = Integer.parseInt(message.substring(NAME.length() + 1, colon));
        } catch (RuntimeException e) {
            throw new AssertionError("an error that does not name a line: " + message, e);
        }
        long lines = text.chars().filter(c -> c == '\n').count() + 1;
        if (line < 1 || line > lines) {
            throw new AssertionError("an error at line " + line + " of a text of " + lines + " lines: " + message);
        }
    }

    private static StringBuilder write(List<Directive> directives, StringBuilder out) {
        for (Directive d : directives) {
            quote(d.name(), out);
            for (String arg : d.args()) {
                quote(arg, out.append(' '));
            }
            if (d.isBlock()) {
                write(d.block(), out.append(" {\n")).append("}\n");
            } else {
                out.append(";\n");
            }
        }
        return out;
    }

    private static void quote(String word, StringBuilder out) {
        out.append('"').append(word.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
    }

    private static boolean same(List<Directive> a, List<Directive> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            Directive x = a.get(i);
            Directive y = b.get(i);
            if (!x.name().equals(y.name()) || !x.args().equals(y.args()) || x.isBlock() != y.isBlock()
                    || x.isBlock() && !same(x.block(), y.block())) {
                return false;
            }
        }
        return true;
    }
}
