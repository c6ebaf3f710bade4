package dev.sluice.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads an nginx configuration file into {@link Directive}s, as nginx's parser does: words separated by white
 * space, {@code #} comments to the end of the line, single- or double-quoted words with backslash escapes,
 * {@code ;} ending a directive and braces around a block, {@code ${name}} kept whole inside a word. {@code include
 * PATTERN;} is replaced by the directives of the files it names, in name order; a relative pattern is taken from
 * the directory of the main file (nginx's configuration prefix), and a {@code *} or {@code ?} in its last part
 * may match no file at all, as in nginx.
 *
 * <p>Every error names the file and line: {@code nginx.conf:7: unexpected "}"}.
 */
final class ConfigFile {

    /** How deep includes may nest before a loop is assumed. */
    private static final int MAX_INCLUDE_DEPTH = 16;

    /** Where relative include patterns start; null where includes are not read. */
    private final Path prefix;

    private ConfigFile(Path prefix) {
        this.prefix = prefix;
    }

    /**
     * The directives of the main file, includes expanded.
     *
     * @throws UsageException for a file that cannot be read or a syntax error, naming the file and line
     */
    static List<Directive> read(Path file) {
        Path absolute = file.toAbsolutePath().normalize();
        Path parent = absolute.getParent();
        return new ConfigFile(parent == null ? absolute : parent).file(absolute, 0, null);
    }

    /**
     * The directives of {@code text}, read as a file called {@code name} whose {@code include}s are refused: what
     * reads configuration handed over whole, without a file system behind it.
     *
     * @throws UsageException for a syntax error or an include, naming {@code name} and the line
     */
    static List<Directive> parse(String name, String text) {
        return new ConfigFile(null).block(new Lexer(name, text), 0, false);
    }

    private List<Directive> file(Path file, int depth, String includedAt) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new UsageException(includedAt, "cannot open " + file + " (no such file)");
        } catch (IOException e) {
            throw new UsageException(includedAt, "cannot read " + file + " (" + e.getMessage() + ")");
        }
        return block(new Lexer(file.toString(), text), depth, false);
    }

    private List<Directive> block(Lexer lexer, int depth, boolean inBraces) {
        List<Directive> directives = new ArrayList<>();
        while (true) {
            List<String> words = new ArrayList<>();
            int line = lexer.line();
            String end;
            while (true) {
                Lexer.Token token = lexer.next();
                if (token == null) {
                    if (!words.isEmpty()) {
                        throw new UsageException(lexer.origin(), "unexpected end of file, expecting \";\" or \"}\"");
                    }
                    if (inBraces) {
                        throw new UsageException(lexer.origin(), "unexpected end of file, expecting \"}\"");
                    }
                    return directives;
                }
                if (words.isEmpty()) {
                    line = token.line();
                }
                if (token.special()) {
                    end = token.text();
                    break;
                }
                words.add(token.text());
            }
            String origin = lexer.name() + ":" + line;
            if (end.equals("}")) {
                if (!words.isEmpty()) {
                    throw new UsageException(origin, "unexpected \"}\" after \"" + String.join(" ", words) + "\"");
                }
                if (!inBraces) {
                    throw new UsageException(lexer.origin(), "unexpected \"}\"");
                }
                return directives;
            }
            if (words.isEmpty()) {
                throw new UsageException(lexer.origin(), "unexpected \"" + end + "\"");
            }
            String name = words.get(0);
            List<String> args = words.subList(1, words.size());
            if (end.equals("{")) {
                directives.add(new Directive(name, args, block(lexer, depth, true), origin));
            } else if (name.equals("include")) {
                directives.addAll(include(args, origin, depth));
            } else {
                directives.add(new Directive(name, args, null, origin));
            }
        }
    }

    private List<Directive> include(List<String> args, String origin, int depth) {
        if (args.size() != 1) {
            throw new UsageException(origin, "invalid number of arguments in \"include\"");
        }
        if (prefix == null) {
            throw new UsageException(origin, "\"include\" is not read here: the configuration is given whole");
        }
        if (depth >= MAX_INCLUDE_DEPTH) {
            throw new UsageException(origin, "includes nest deeper than " + MAX_INCLUDE_DEPTH + " (a file includes itself?)");
        }
        Path pattern = prefix.resolve(args.get(0)).normalize();
        String last = pattern.getFileName() == null ? "" : pattern.getFileName().toString();
        if (last.indexOf('*') < 0 && last.indexOf('?') < 0 && last.indexOf('[') < 0) {
            return file(pattern, depth + 1, origin);
        }
        List<Directive> directives = new ArrayList<>();
        List<Path> matches = new ArrayList<>();
        Path dir = pattern.getParent();
        if (Files.isDirectory(dir)) {
            try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, last)) {
                stream.forEach(p -> {
                    if (!Files.isDirectory(p)) {
                        matches.add(p);
                    }
                });
            } catch (IOException e) {
                throw new UsageException(origin, "cannot list " + dir + " (" + e.getMessage() + ")");
            }
        }
        matches.sort(null);
        for (Path match : matches) {
            directives.addAll(file(match, depth + 1, origin));
        }
        return directives;
    }

    /** nginx's tokeniser over one file's text. */
    private static final class Lexer {

        /** A word, or one of {@code ; { }} ({@code special}). */
        record Token(String text, boolean special, int line) {
        }

        private final String name;
        private final String text;
        private int pos;
        private int line = 1;

        Lexer(String name, String text) {
            this.name = name;
            this.text = text;
        }

        String name() {
            return name;
        }

        int line() {
            return line;
        }

        String origin() {
            return name + ":" + line;
        }

        /** The next token, or null at the end of the text. */
        Token next() {
            skipSpaceAndComments();
            if (pos >= text.length()) {
                return null;
            }
            char c = text.charAt(pos);
            int at = line;
            if (c == ';' || c == '{' || c == '}') {
                pos++;
                return new Token(String.valueOf(c), true, at);
            }
            if (c == '"' || c == '\'') {
                return new Token(quoted(c), false, at);
            }
            StringBuilder word = new StringBuilder();
            while (pos < text.length()) {
                c = text.charAt(pos);
                if (Character.isWhitespace(c) || c == ';' || c == '}' || c == '{' && !variableBrace(word)) {
                    break;
                }
                if (c == '{') {
                    int close = text.indexOf('}', pos);
                    if (close < 0) {
                        throw new UsageException(origin(), "the variable name after \"$\" is not closed by \"}\"");
                    }
                    word.append(text, pos, close + 1);
                    pos = close + 1;
                    continue;
                }
                if (c == '\\' && pos + 1 < text.length()) {
                    escape(text.charAt(pos + 1), word);
                    pos += 2;
                    continue;
                }
                word.append(c);
                pos++;
            }
            return new Token(word.toString(), false, at);
        }

        /**
         * Appends what {@code \e} stands for, quoted or not, as nginx's {@code ngx_conf_read_token} reads it: a
         * quote or backslash itself, a tab, CR or LF for {@code t}, {@code r} and {@code n}, else the backslash and
         * the character (a regex's {@code \d} stays).
         */
        private static void escape(char e, StringBuilder word) {
            switch (e) {
                case '"', '\'', '\\' -> word.append(e);
                case 'n' -> word.append('\n');
                case 't' -> word.append('\t');
                case 'r' -> word.append('\r');
                default -> word.append('\\').append(e);
            }
        }

        private static boolean variableBrace(StringBuilder word) {
            return word.length() > 0 && word.charAt(word.length() - 1) == '$';
        }

        private String quoted(char quote) {
            int start = line;
            pos++;
            StringBuilder word = new StringBuilder();
            while (pos < text.length()) {
                char c = text.charAt(pos++);
                if (c == quote) {
                    if (pos < text.length() && !Character.isWhitespace(text.charAt(pos))
                            && ";{}".indexOf(text.charAt(pos)) < 0) {
                        throw new UsageException(origin(), "unexpected \"" + text.charAt(pos) + "\" after a quoted word");
                    }
                    return word.toString();
                }
                if (c == '\n') {
                    line++;
                }
                if (c == '\\' && pos < text.length()) {
                    escape(text.charAt(pos++), word);
                    continue;
                }
                word.append(c);
            }
            throw new UsageException(name + ":" + start, "a quoted word is not closed");
        }

        private void skipSpaceAndComments() {
            while (pos < text.length()) {
                char c = text.charAt(pos);
                if (c == '\n') {
                    line++;
                    pos++;
                } else if (Character.isWhitespace(c)) {
                    pos++;
                } else if (c == '#') {
                    while (pos < text.length() && text.charAt(pos) != '\n') {
                        pos++;
                    }
                } else {
                    return;
                }
            }
        }
    }
}
