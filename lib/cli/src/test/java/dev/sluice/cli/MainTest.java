package dev.sluice.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The process's face: exit statuses and the lines it prints. Nothing here starts a proxy. */
class MainTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aBadValueIsOneLineOnStandardErrorAndStatusTwo() {
        assertEquals(2, run("--server", "127.0.0.1:9001", "--proxy-connect-timeout", "5x"));
        assertEquals("sluice: --proxy-connect-timeout: invalid time \"5x\"" + NginxSyntax.TIME_FORMS
                + System.lineSeparator(), err());
        assertEquals("", out());
    }

    @Test
    void aValueTheLibraryRefusesIsAlsoOneLineNamingTheFlag() {
        assertEquals(2, run("--server", "a:1 weight=0"));
        assertEquals("sluice: --server: \"a:1 weight=0\": weight must be between 1 and 1000000: 0 (server a:1)"
                + System.lineSeparator(), err());
    }

    @Test
    void anUnknownFlagIsStatusTwo() {
        assertEquals(2, run("--server", "127.0.0.1:9001", "--upstream", "x"));
        assertEquals("sluice: --upstream: unknown flag (see --help)" + System.lineSeparator(), err());
    }

    @Test
    void aFlagWithoutWhatItAppliesToIsStatusTwoWithOneLine() {
        assertEquals(2, run("--server", "127.0.0.1:9001", "--ssl-certificate", "/etc/sluice/cert.pem"));
        assertEquals("sluice: --ssl-certificate: applies to TLS for clients: add ssl to a --listen ('HOST:PORT ssl')"
                + System.lineSeparator(), err());
    }

    @Test
    void noArgumentsAsksForAServer() {
        assertEquals(2, run());
        assertEquals("sluice: --server: at least one is required (or try --demo; see --help)" + System.lineSeparator(), err());
    }

    @Test
    void helpListsEveryFlagOnALineOfItsOwnAndExitsZero() {
        assertEquals(0, run("--help"));
        assertEquals("", err());
        List<String> lines = out().lines().toList();
        for (Flags.Flag flag : Cli.flags()) {
            long count = lines.stream().filter(l -> l.startsWith("  " + flag.name() + " ") || l.equals("  " + flag.name())).count();
            assertEquals(1, count, flag.name());
        }
        assertTrue(out().contains("(r)"));
    }

    @Test
    void theListeningLineNamesEveryAddress() throws Exception {
        assertEquals("sluice: listening on 127.0.0.1:8080", Main.listeningLine(List.of(new InetSocketAddress("127.0.0.1", 8080))));
        assertEquals("sluice: listening on 127.0.0.1:8080, [0:0:0:0:0:0:0:1]:8081", Main.listeningLine(List.of(
                new InetSocketAddress("127.0.0.1", 8080), new InetSocketAddress(InetAddress.getByName("::1"), 8081))));
    }

    @TempDir
    Path dir;

    private Path config(String http) throws IOException {
        Path file = dir.resolve("nginx.conf");
        Files.writeString(file, "events {}\nhttp {\n" + http + "\n}\n");
        return file;
    }

    @Test
    void dashTChecksAFileAsNginxDashTDoes() throws IOException {
        Path file = config("server { listen 127.0.0.1:8080; location / { return 200; } }");
        assertEquals(0, run("-c", file.toString(), "-t"));
        assertEquals("sluice: the configuration file " + file + " syntax is ok" + System.lineSeparator()
                + "sluice: configuration file " + file + " test is successful" + System.lineSeparator(), err());
        assertEquals("", out());
    }

    @Test
    void aFileThatIsWrongIsOneLineNamingFileAndLineAndStatusOne() throws IOException {
        Path file = config("server { listen 127.0.0.1:8080;\n location / { proxy_pas http://b; } }");
        assertEquals(1, run("-c", file.toString(), "-t"));
        assertEquals("sluice: " + file + ":4: unknown directive \"proxy_pas\" in location" + System.lineSeparator()
                + "sluice: configuration file " + file + " test failed" + System.lineSeparator(), err());
    }

    @Test
    void warningsOfAFileGoToStandardErrorAndTheTestStillPasses() throws IOException {
        Path file = config("ssl_prefer_server_ciphers on;\nserver { listen 127.0.0.1:8080; location / { return 200; } }");
        assertEquals(0, run("-c", file.toString(), "-t"));
        assertTrue(err().startsWith("sluice: " + file + ":3: warning: \"ssl_prefer_server_ciphers\" is not applied: the"
                + " JDK's cipher order applies" + System.lineSeparator()), err());
    }

    @Test
    void toJavaPrintsAClassNamedAfterTheFile() throws IOException {
        Path file = config("server { listen 127.0.0.1:8080; location / { return 204; } }");
        assertEquals(0, run("--to-java", file.toString()));
        assertTrue(out().contains("public final class NginxConf {"), out());
        assertTrue(out().contains(".route(\"/\", route -> route.returns(204, \"\"))"), out());
        assertEquals("", err());
    }

    @Test
    void aConfigurationFileGoesWithNoFlagButDashT() throws IOException {
        Path file = config("server { listen 127.0.0.1:8080; location / { return 200; } }");
        assertEquals(2, run("-c", file.toString(), "--server", "127.0.0.1:9001"));
        assertEquals("sluice: --server: cannot be combined with a configuration file (-c, -t, --to-java), which says"
                + " everything" + System.lineSeparator(), err());
    }

    @Test
    void dashTWithoutAFileIsAMistake() {
        assertEquals(2, run("-t"));
        assertEquals("sluice: -t: tests the file of -c FILE, which is missing" + System.lineSeparator(), err());
    }
}
