package dev.sluice.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** nginx's configuration syntax as {@link ConfigFile} reads it, and its errors with file and line. */
class ConfigFileTest {

    @TempDir
    Path dir;

    private List<Directive> read(String text) throws IOException {
        Path file = dir.resolve("nginx.conf");
        Files.writeString(file, text);
        return ConfigFile.read(file);
    }

    private String error(String text) throws IOException {
        Path file = dir.resolve("nginx.conf");
        Files.writeString(file, text);
        return assertThrows(UsageException.class, () -> ConfigFile.read(file)).getMessage()
                .replace(dir.toString() + "/", "");
    }

    @Test
    void aConfigurationGivenWholeIsReadAsAFileButRefusesIncludes() {
        List<Directive> top = ConfigFile.parse("given.conf", "events {}\nhttp { gzip off; }\n");
        assertEquals(List.of("events", "http"), top.stream().map(Directive::name).toList());
        assertEquals("given.conf:2", top.get(1).origin());

        UsageException e = assertThrows(UsageException.class,
                () -> ConfigFile.parse("given.conf", "http {\n  include /etc/nginx/mime.types;\n}\n"));
        assertEquals("given.conf:2: \"include\" is not read here: the configuration is given whole", e.getMessage());
    }

    @Test
    void directivesBlocksAndLinesAreRead() throws IOException {
        List<Directive> top = read("events {}\n\nhttp {\n  upstream b {\n    server 127.0.0.1:9001 weight=2;\n  }\n}\n");
        assertEquals(List.of("events", "http"), top.stream().map(Directive::name).toList());
        assertEquals(List.of(), top.get(0).block());
        Directive upstream = top.get(1).block().get(0);
        assertEquals(List.of("b"), upstream.args());
        Directive server = upstream.block().get(0);
        assertEquals(List.of("127.0.0.1:9001", "weight=2"), server.args());
        assertNull(server.block());
        assertEquals(dir.resolve("nginx.conf") + ":5", server.origin());
    }

    @Test
    void quotesEscapesCommentsAndBracedVariablesAreNginxs() throws IOException {
        List<Directive> top = read("a \"x y\" 'it s' # comment ; {\n"
                + "  \"q\\\"uote\" 'back\\\\slash' \"tab\\t\";\n"
                + "b ${host}x $1;\n"
                + "c un\\\\quoted \\d\\. semi\\;colon;\n");
        assertEquals(List.of("x y", "it s", "q\"uote", "back\\slash", "tab\t"), top.get(0).args());
        assertEquals(List.of("${host}x", "$1"), top.get(1).args());
        assertEquals(List.of("un\\quoted", "\\d\\.", "semi\\;colon"), top.get(2).args(),
                "an unquoted word reads \\\\ as one backslash, as nginx reads it; a regex's \\d stays");
    }

    @Test
    void anEmptyQuotedWordIsAnArgument() throws IOException {
        Directive header = read("proxy_set_header Connection \"\";").get(0);
        assertEquals(List.of("Connection", ""), header.args());
    }

    @Test
    void includeReadsTheFilesAGlobMatchesInNameOrderFromTheMainFilesDirectory() throws IOException {
        Files.createDirectories(dir.resolve("conf.d"));
        Files.writeString(dir.resolve("conf.d/b.conf"), "second;");
        Files.writeString(dir.resolve("conf.d/a.conf"), "first;\nthird {\n}");
        Files.writeString(dir.resolve("conf.d/c.txt"), "not matched;");
        List<Directive> top = read("before;\ninclude conf.d/*.conf;\nafter;\n");
        assertEquals(List.of("before", "first", "third", "second", "after"), top.stream().map(Directive::name).toList());
        assertEquals(dir.resolve("conf.d/a.conf") + ":2", top.get(2).origin());
    }

    @Test
    void aGlobThatMatchesNothingIncludesNothingButAMissingFileIsAnError() throws IOException {
        assertEquals(List.of("a"), read("include none/*.conf;\na;").stream().map(Directive::name).toList());
        assertEquals("nginx.conf:2: cannot open missing.conf (no such file)",
                error("a;\ninclude missing.conf;"));
    }

    @Test
    void aFileThatIncludesItselfIsStopped() throws IOException {
        String message = error("include nginx.conf;");
        assertEquals(true, message.contains("includes nest deeper than 16"), message);
    }

    @Test
    void syntaxErrorsNameTheFileAndLine() throws IOException {
        assertEquals("nginx.conf:3: unexpected \"}\"", error("a;\nb;\n}\n"));
        assertEquals("nginx.conf:2: unexpected end of file, expecting \"}\"", error("http {\n  a;"));
        assertEquals("nginx.conf:1: unexpected end of file, expecting \";\" or \"}\"", error("a b"));
        assertEquals("nginx.conf:2: a quoted word is not closed", error("a;\nb \"open;\n"));
        assertEquals("nginx.conf:1: unexpected \"x\" after a quoted word", error("a \"b\"x;"));
        assertEquals("nginx.conf:1: unexpected \";\"", error(";"));
    }
}
