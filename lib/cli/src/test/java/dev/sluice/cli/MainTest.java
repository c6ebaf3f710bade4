package dev.sluice.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

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
}
