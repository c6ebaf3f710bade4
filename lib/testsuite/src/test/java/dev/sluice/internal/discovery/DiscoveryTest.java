package dev.sluice.internal.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.ProxyServer;
import dev.sluice.testing.RawClient;
import dev.sluice.testing.ScriptedDns;
import dev.sluice.testing.ScriptedUpstream;
import dev.sluice.upstream.Endpoint;
import dev.sluice.upstream.EndpointSource;
import dev.sluice.upstream.PeerState;
import dev.sluice.upstream.Resolver;
import dev.sluice.upstream.UpstreamGroup;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Lines whose peers follow a source while a proxy runs: {@code server NAME resolve} follows the name's addresses as a
 * DNS server on loopback changes them (a name not found yet is no error, a resolver in trouble changes nothing),
 * {@code service=} follows SRV records, and a line's own source is started and stopped with the proxy.
 */
class DiscoveryTest {

    private static final String LINE = "api.test:8080";

    private final ScriptedDns dns;
    private Discovery watcher;

    DiscoveryTest() throws Exception {
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

        watcher = Discovery.start(List.of(group));
        dns.address("api.test", 300, "10.0.0.2", "10.0.0.3");

        assertTrue(await(() -> lineOf(group).equals(List.of("10.0.0.2:8080", "10.0.0.3:8080"))), lineOf(group)
                .toString());
    }

    @Test
    void aNameIsLookedUpAgainWhenItsRecordsTimeToLiveEnds() throws Exception {
        dns.address("api.test", 1, "10.0.0.1");
        UpstreamGroup group = UpstreamGroup.builder("g")
                .resolver(Resolver.dns(List.of(dns.address()), Duration.ofSeconds(2), null))
                .server(LINE, s -> s.resolve()).server("10.9.9.9:80").build();
        watcher = Discovery.start(List.of(group));
        assertTrue(await(() -> dns.udpQueries() >= 4), "the first look-up and its first renewal");

        dns.address("api.test", 300, "10.0.0.7");

        assertTrue(await(() -> lineOf(group).equals(List.of("10.0.0.7:8080"))), lineOf(group).toString());
        int settled = dns.udpQueries();
        Thread.sleep(1_500);
        assertEquals(settled, dns.udpQueries(), "a 300 s answer is not asked for again within 1.5 s");
    }

    @Test
    void aNameNotFoundWhenTheGroupIsBuiltLeavesItsLineWithoutPeersUntilItIs() throws Exception {
        UpstreamGroup group = group(LINE);
        assertEquals(List.of(), lineOf(group));

        watcher = Discovery.start(List.of(group));
        dns.address("api.test", 300, "10.0.0.4");

        assertTrue(await(() -> lineOf(group).equals(List.of("10.0.0.4:8080"))), lineOf(group).toString());
    }

    @Test
    void aResolverInTroubleChangesNothing() throws Exception {
        dns.address("api.test", 300, "10.0.0.1");
        UpstreamGroup group = group(LINE);
        watcher = Discovery.start(List.of(group));
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
    void aServiceLineFollowsSrvRecordsTheLowestPriorityPrimaryTheOthersBackups() throws Exception {
        dns.srv("_http._tcp.api.test", 300, 10, 5, 8081, "a.api.test")
                .srv("_http._tcp.api.test", 300, 10, 0, 8082, "b.api.test")
                .srv("_http._tcp.api.test", 300, 20, 1, 8083, "c.api.test");
        dns.address("a.api.test", 300, "10.0.1.1").address("b.api.test", 300, "10.0.1.2")
                .address("c.api.test", 300, "10.0.1.3");
        UpstreamGroup group = UpstreamGroup.builder("g")
                .resolver(Resolver.dns(List.of(dns.address()), Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .server("api.test", s -> s.service("http").resolve().maxFails(3)).server("10.9.9.9:80").build();
        assertEquals(List.of(), lineOf(group), "a service line starts without peers");

        watcher = Discovery.start(List.of(group));

        assertTrue(await(() -> lineOf(group).size() == 3), lineOf(group).toString());
        List<PeerState> line = group.peers().stream().filter(p -> p.server().equals("api.test")).toList();
        assertEquals(List.of("10.0.1.1:8081", "10.0.1.2:8082", "10.0.1.3:8083"),
                line.stream().map(PeerState::name).toList());
        assertEquals(List.of(5, 1, 1), line.stream().map(p -> p.peer().weight()).toList(), "weight 0 counts as 1");
        assertEquals(List.of(false, false, true), line.stream().map(p -> p.peer().backup()).toList());
        assertEquals(3, line.get(2).peer().maxFails(), "the line's parameters");
    }

    @Test
    void aBackupServiceLineTakesOnlyTheLowestPriority() throws Exception {
        dns.srv("_imap._tcp.mail.test", 300, 1, 1, 143, "m1.mail.test")
                .srv("_imap._tcp.mail.test", 300, 2, 1, 143, "m2.mail.test");
        dns.address("m1.mail.test", 300, "10.0.2.1").address("m2.mail.test", 300, "10.0.2.2");
        UpstreamGroup group = UpstreamGroup.builder("g")
                .resolver(Resolver.dns(List.of(dns.address()), Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .server("10.9.9.9:80").server("mail.test", s -> s.service("_imap._tcp").resolve().backup()).build();

        watcher = Discovery.start(List.of(group));

        assertTrue(await(() -> lineOf(group).equals(List.of("10.0.2.1:143"))), lineOf(group).toString());
        assertTrue(group.peers().get(1).peer().backup());
    }

    @Test
    void aLinesOwnSourceStartsAndStopsWithTheProxy() throws Exception {
        List<String> events = new CopyOnWriteArrayList<>();
        EndpointSource source = (group, line) -> {
            events.add("follow " + line.server());
            group.setEndpoints(line.server(), List.of(Endpoint.ready(new InetSocketAddress("127.0.0.1", 9))));
            return () -> events.add("stop");
        };
        UpstreamGroup group = UpstreamGroup.builder("g").discover("registry/web", source).build();

        ProxyServer proxy = ProxyServer.builder().listen("127.0.0.1:0").workers(1)
                .route("/", r -> r.upstream(group)).start();
        ProxyServer second = ProxyServer.builder().listen("127.0.0.1:0").workers(1)
                .route("/", r -> r.upstream(group)).start();
        second.close();
        assertEquals(List.of("127.0.0.1:9"), group.peers().stream().map(PeerState::name).toList());
        proxy.close();

        assertEquals(List.of("follow registry/web", "stop"), events, "followed once, by the proxy that started first");
    }

    @Test
    void serviceNeedsResolveAndANameWithoutAPort() {
        IllegalArgumentException port = assertThrows(IllegalArgumentException.class,
                () -> UpstreamGroup.builder("g").server("api.test:80", s -> s.service("http")));
        IllegalArgumentException resolve = assertThrows(IllegalArgumentException.class,
                () -> UpstreamGroup.builder("g").server("api.test", s -> s.service("http")));

        assertTrue(port.getMessage().contains("without a port"), port.getMessage());
        assertTrue(resolve.getMessage().contains("service needs resolve"), resolve.getMessage());
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
