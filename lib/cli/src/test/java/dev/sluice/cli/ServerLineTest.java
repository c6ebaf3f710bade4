package dev.sluice.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.upstream.Peer;
import dev.sluice.upstream.UpstreamGroup;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ServerLineTest {

    private static Peer peer(String line) {
        ServerLine server = ServerLine.parse(line);
        return UpstreamGroup.builder("t").server(server.address(), server::applyTo).build().peers().get(0).peer();
    }

    @Test
    void aBareAddressKeepsNginxDefaults() {
        Peer peer = peer("10.0.0.1:8080");
        assertEquals("10.0.0.1:8080", peer.server());
        assertEquals(1, peer.weight());
        assertEquals(1, peer.maxFails());
        assertEquals(Duration.ofSeconds(10), peer.failTimeout());
        assertEquals(0, peer.maxConns());
        assertEquals(Duration.ZERO, peer.slowStart());
        assertEquals("", peer.route());
        assertFalse(peer.backup());
        assertFalse(peer.down());
    }

    @Test
    void everyParameterReachesThePeer() {
        Peer peer = peer("10.0.0.1:8080 weight=3 max_fails=5 fail_timeout=1m30s max_conns=100 slow_start=30s route=a1 down");
        assertEquals(3, peer.weight());
        assertEquals(5, peer.maxFails());
        assertEquals(Duration.ofSeconds(90), peer.failTimeout());
        assertEquals(100, peer.maxConns());
        assertEquals(Duration.ofSeconds(30), peer.slowStart());
        assertEquals("a1", peer.route());
        assertTrue(peer.down());
    }

    @Test
    void backupIsAFlag() {
        ServerLine backup = ServerLine.parse("10.0.0.2:80 backup");
        UpstreamGroup group = UpstreamGroup.builder("t").server("10.0.0.1:80").server(backup.address(), backup::applyTo).build();
        assertTrue(group.peers().get(1).peer().backup());
    }

    @Test
    void drainIsAFlagAndItsPeerTakesNoUnboundRequest() {
        ServerLine drain = ServerLine.parse("10.0.0.2:80 drain");
        UpstreamGroup group = UpstreamGroup.builder("t").server("10.0.0.1:80").server(drain.address(), drain::applyTo).build();
        assertTrue(group.peers().get(1).peer().drain());
        assertTrue(group.peers().get(1).isDraining());
    }

    @Test
    void spacesAroundAndBetweenParametersDoNotMatter() {
        ServerLine line = ServerLine.parse("  unix:/tmp/app.sock   weight=2 ");
        assertEquals("unix:/tmp/app.sock", line.address());
        assertEquals("  unix:/tmp/app.sock   weight=2 ", line.text());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "a:1 weight=x          | invalid weight \"x\"",
            "a:1 weight=-2         | invalid weight \"-2\"",
            "a:1 max_fails=1.5     | invalid max_fails \"1.5\"",
            "a:1 fail_timeout=5x   | invalid fail_timeout \"5x\"",
            "a:1 fail_timeout=500ms| invalid fail_timeout \"500ms\"",
            "a:1 max_conns=lots    | invalid max_conns \"lots\"",
            "a:1 slow_start=soon   | invalid slow_start \"soon\"",
            "a:1 weight=           | weight needs a value",
            "a:1 route             | route needs a value",
            "a:1 backup=yes        | backup takes no value",
            "a:1 down=1            | down takes no value",
            "a:1 resolve=yes       | resolve takes no value",
            "a:1 resolve service=  | service needs a value",
            "a:1 wieght=2          | unknown parameter \"wieght=2\"",
            "weight=2              | missing ADDRESS before \"weight=2\""})
    void aBadParameterIsNamedWithTheLine(String line, String expected) {
        String message = assertThrows(IllegalArgumentException.class, () -> ServerLine.parse(line)).getMessage();
        assertTrue(message.startsWith(expected), message);
        assertTrue(message.endsWith(" in \"" + line + "\""), message);
    }

    @Test
    void anEmptyLineHasNoAddress() {
        assertEquals("missing ADDRESS in \"  \"", assertThrows(IllegalArgumentException.class, () -> ServerLine.parse("  ")).getMessage());
    }

    @Test
    void rangesAreLeftToTheLibraryWhichNamesTheParameter() {
        String message = assertThrows(IllegalArgumentException.class, () -> peer("a:1 weight=0")).getMessage();
        assertTrue(message.contains("weight"), message);
    }
}
