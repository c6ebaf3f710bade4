package dev.sluice.internal.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.ProxyServer;
import dev.sluice.testing.RawClient;
import dev.sluice.testing.ScriptedDns;
import dev.sluice.testing.ScriptedUpstream;
import dev.sluice.upstream.PeerState;
import dev.sluice.upstream.Resolver;
import dev.sluice.upstream.UpstreamGroup;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code server NAME resolve}: the line's peers follow the name's addresses as a DNS server on loopback changes
 * them, a name not found yet is no error, and a resolver in trouble changes nothing.
 */
class NameWatcherTest {

    private static final String LINE = "api.test:8080";

    private final ScriptedDns dns;
    private NameWatcher watcher;

    NameWatcherTest() throws Exception {
        dns = ScriptedDns.start();
    }

    @AfterEach
    void stop() {
        if (watcher != null) {
            watcher.close();
        }
        dns.close();
    }

    private UpstreamGroup group(String line) {
        return UpstreamGroup.builder("g")
                .resolver(Resolver.dns(List.of(dns.address()), Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .server(line, s -> s.resolve()).server("10.9.9.9:80").build();
    }

    @Test
    void aResolvedLineFollowsItsNamesAddressesAsTheyChange() throws Exception {
        dns.address("api.test", 300, "10.0.0.1");
        UpstreamGroup group = group(LINE);
        assertEquals(List.of("10.0.0.1:8080"), lineOf(group));

        watcher = NameWatcher.start(List.of(group));
        dns.address("api.test", 300, "10.0.0.2", "10.0.0.3");

        assertTrue(await(() -> lineOf(group).equals(List.of("10.0.0.2:8080", "10.0.0.3:8080"))), lineOf(group)
                .toString());
    }

    @Test
    void aNameNotFoundWhenTheGroupIsBuiltLeavesItsLineWithoutPeersUntilItIs() throws Exception {
        UpstreamGroup group = group(LINE);
        assertEquals(List.of(), lineOf(group));

        watcher = NameWatcher.start(List.of(group));
        dns.address("api.test", 300, "10.0.0.4");

        assertTrue(await(() -> lineOf(group).equals(List.of("10.0.0.4:8080"))), lineOf(group).toString());
    }

    @Test
    void aResolverInTroubleChangesNothing() throws Exception {
        dns.address("api.test", 300, "10.0.0.1");
        UpstreamGroup group = group(LINE);
        watcher = NameWatcher.start(List.of(group));
        assertTrue(await(() -> dns.udpQueries() >= 2), "the first look-up");
        dns.answerCode("api.test", 2);
        int before = dns.udpQueries();

        assertTrue(await(() -> dns.udpQueries() >= before + 2), "looked up again after failing");
        assertEquals(List.of("10.0.0.1:8080"), lineOf(group));
    }

    @Test
    void aProxyFollowsTheNamesOfItsGroupsWhileItRuns() throws Exception {
        try (ScriptedUpstream upstream = ScriptedUpstream.start()) {
            String line = "app.test:" + upstream.port();
            UpstreamGroup group = UpstreamGroup.builder("app").server(line, s -> s.resolve())
                    .resolver(Resolver.dns(List.of(dns.address()), Duration.ofSeconds(2), Duration.ofSeconds(1)))
                    .build();
            ProxyServer proxy = ProxyServer.builder().listen("127.0.0.1:0").workers(1)
                    .route("/", r -> r.upstream(group)).start();
            try (RawClient client = RawClient.connect(proxy.port())) {
                dns.address("app.test", 300, "127.0.0.1");
                assertTrue(await(() -> group.peers().stream().anyMatch(p -> p.server().equals(line))));

                assertEquals(200, client.send(RawClient.get("/")).readResponse().status());
            } finally {
                proxy.close();
            }
        }
    }

    @Test
    void aResolveLineNeedsADnsResolverAndAName() {
        IllegalArgumentException noDns = assertThrows(IllegalArgumentException.class,
                () -> UpstreamGroup.builder("g").server(LINE, s -> s.resolve()).build());
        IllegalArgumentException address = assertThrows(IllegalArgumentException.class,
                () -> UpstreamGroup.builder("g").server("10.0.0.1:80", s -> s.resolve()));

        assertTrue(noDns.getMessage().contains("needs a resolver that asks DNS servers"), noDns.getMessage());
        assertTrue(address.getMessage().contains("resolve needs a host name"), address.getMessage());
    }

    private static List<String> lineOf(UpstreamGroup group) {
        return group.peers().stream().filter(p -> !p.server().equals("10.9.9.9:80")).map(PeerState::name).toList();
    }

    private static boolean await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }
}
