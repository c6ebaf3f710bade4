package dev.sluice.upstream;

import static dev.sluice.upstream.Picks.server;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** NGINX Plus's {@code state FILE}: the server list kept on disk across restarts, written after every change. */
class StateFileTest {

    @TempDir
    Path dir;

    private static String awaitFile(Path file, Predicate<String> condition) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        String text = "";
        while (System.nanoTime() < deadline) {
            text = Files.exists(file) ? Files.readString(file) : "";
            if (condition.test(text)) {
                return text;
            }
            Thread.sleep(5);
        }
        throw new AssertionError("the state file never matched: " + text);
    }

    @Test
    void aGroupWhoseFileDoesNotExistYetWritesItFromItsServers() throws Exception {
        Path file = dir.resolve("backend.state");
        UpstreamGroup.builder("backend").stateFile(file)
                .server(server(0), s -> s.weight(3).maxFails(2).failTimeout(Duration.ofSeconds(30)))
                .server(server(1), s -> s.backup().route("b").slowStart(Duration.ofSeconds(5))).build();

        String text = awaitFile(file, t -> t.contains("19002"));

        assertEquals("# the servers of upstream backend, written by sluice\n"
                + "server 127.0.0.1:19001 weight=3 max_fails=2 fail_timeout=30s max_conns=0;\n"
                + "server 127.0.0.1:19002 weight=1 max_fails=1 fail_timeout=10s max_conns=0 slow_start=5000ms route=b"
                + " backup;\n", text);
        assertFalse(Files.exists(dir.resolve("backend.state.tmp")), "renamed, not left beside it");
    }

    @Test
    void changesAtRunTimeAreWrittenAndTheNextStartReadsThemInsteadOfItsServers() throws Exception {
        Path file = dir.resolve("backend.state");
        UpstreamGroup first = UpstreamGroup.builder("backend").stateFile(file).server(server(0)).server(server(1))
                .build();
        first.addServer(server(2), s -> s.weight(4));
        first.changeServer(0, s -> s.maxConns(10));
        first.peers().get(1).setDown(true);
        first.removeServer(2);
        awaitFile(file, t -> !t.contains("19003") && t.contains("19002 weight=1 max_fails=1 fail_timeout=10s max_conns=0"
                + " down"));

        UpstreamGroup next = UpstreamGroup.builder("backend").stateFile(file).server(server(7)).build();

        assertEquals(List.of("127.0.0.1:19001", "127.0.0.1:19002"), next.peers().stream().map(PeerState::name).toList());
        assertEquals(10, next.peers().get(0).peer().maxConns());
        assertTrue(next.peers().get(1).isDown());
    }

    @Test
    void aDrainedServerIsWrittenDrainingAndStartsSoAgain() throws Exception {
        Path file = dir.resolve("backend.state");
        UpstreamGroup first = UpstreamGroup.builder("backend").stateFile(file).server(server(0)).server(server(1))
                .build();
        first.drainServer(1);
        awaitFile(file, t -> t.contains("19002 weight=1 max_fails=1 fail_timeout=10s max_conns=0 drain;"));

        UpstreamGroup next = UpstreamGroup.builder("backend").stateFile(file).server(server(7)).build();

        assertFalse(next.peers().get(0).isDraining());
        assertTrue(next.peers().get(1).isDraining(), "a drain lasts across restarts, as the server list does");
        Selection selection = next.newSelection();
        assertEquals("127.0.0.1:19001", selection.reset().select().name());
        selection.report(Outcome.SUCCESS);
        assertEquals("127.0.0.1:19001", selection.reset().select().name(), "no unbound request for it");
    }

    @Test
    void aStateFileInAFolderThatDoesNotExistIsRefusedAtTheStart() {
        Path file = dir.resolve("missing").resolve("backend.state");

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> UpstreamGroup.builder("backend").stateFile(file).server(server(0)).build());

        assertTrue(e.getMessage().startsWith(file + ": cannot write the state file"), e.getMessage());
    }

    @Test
    void anEmptyStateFileStartsAnEmptyGroup() throws Exception {
        Path file = dir.resolve("empty.state");
        Files.writeString(file, "# nothing here\n\n");

        UpstreamGroup group = UpstreamGroup.builder("backend").stateFile(file).server(server(0)).build();

        assertTrue(group.peers().isEmpty());
        assertEquals(null, group.newSelection().select());
    }

    @Test
    void aLineItCannotReadIsAnErrorNamingTheFileAndTheLine() throws IOException {
        Path file = dir.resolve("bad.state");
        Files.writeString(file, "server 127.0.0.1:1 weight=2;\n\nserver 127.0.0.1:2 weight=2 colour=red;\n");

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> UpstreamGroup.builder("backend").stateFile(file).server(server(0)).build());

        assertEquals(file + ":3: unknown parameter \"colour=red\"", e.getMessage());
        for (String bad : List.of("server 127.0.0.1:1 weight=x;", "server 127.0.0.1:1", "upstream x;",
                "server 127.0.0.1:1 fail_timeout=soon;")) {
            Files.writeString(file, bad + "\n");
            String message = assertThrows(IllegalArgumentException.class,
                    () -> UpstreamGroup.builder("backend").stateFile(file).server(server(0)).build()).getMessage();
            assertTrue(message.startsWith(file + ":1: "), message);
        }
    }
}
