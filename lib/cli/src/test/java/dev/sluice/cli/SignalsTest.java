package dev.sluice.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.observe.AccessLog;
import dev.sluice.observe.LogFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

class SignalsTest {

    @Test
    @EnabledOnOs(OS.LINUX)
    void sigusr1ReopensTheAccessLogAfterRotation(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("access.log");
        try (AccessLog log = AccessLog.toFile(file, LogFormat.combined())) {
            assertTrue(Signals.on("USR1", log::reopen));
            Files.move(file, dir.resolve("access.log.1"));

            Process kill = new ProcessBuilder("kill", "-USR1", Long.toString(ProcessHandle.current().pid())).start();
            assertEquals(0, kill.waitFor());

            long deadline = System.nanoTime() + 5_000_000_000L;
            while (!Files.exists(file) && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertTrue(Files.exists(file), "the log's path was opened again");
        }
    }
}
