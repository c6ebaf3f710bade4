package dev.sluice.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.time.Duration;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class ConfigurationTest {

    private static String rejected(Runnable build) {
        return assertThrows(IllegalArgumentException.class, build::run).getMessage();
    }

    private static void oneServer(String address, Consumer<Peer.Builder> parameters) {
        UpstreamGroup.builder("g").server(address, parameters).build();
    }

    @Test
    void weightZeroIsRejectedNamingTheOptionAndValue() {
        String message = rejected(() -> oneServer("127.0.0.1:80", s -> s.weight(0)));
        assertTrue(message.contains("weight") && message.contains("0"), message);
    }

    @Test
    void negativeAndAbsurdDurationsAreRejected() {
        assertTrue(rejected(() -> oneServer("10.0.0.1:1", s -> s.failTimeout(Duration.ofSeconds(-1)))).contains("failTimeout"));
        assertTrue(rejected(() -> oneServer("10.0.0.1:1", s -> s.failTimeout(Duration.ofDays(4000)))).contains("failTimeout"));
        assertTrue(rejected(() -> oneServer("10.0.0.1:1", s -> s.failTimeout(Duration.ofMillis(1500)))).contains("whole seconds"));
        assertTrue(rejected(() -> oneServer("10.0.0.1:1", s -> s.slowStart(Duration.ofSeconds(-5)))).contains("slowStart"));
        assertTrue(rejected(() -> oneServer("10.0.0.1:1", s -> s.maxFails(-1))).contains("maxFails"));
        assertTrue(rejected(() -> oneServer("10.0.0.1:1", s -> s.maxConns(-2))).contains("maxConns"));
    }

    @Test
    void anOutOfRangeTimeIsNamedAsNginxWritesIt() {
        assertEquals("slowStart must be between 0s and 365d: 1000000d (server 10.0.0.1:1)",
                rejected(() -> oneServer("10.0.0.1:1", s -> s.slowStart(Duration.ofDays(1_000_000)))));
        assertEquals("failTimeout must be whole seconds between 0s and 365d: 1500ms (server 10.0.0.1:1)",
                rejected(() -> oneServer("10.0.0.1:1", s -> s.failTimeout(Duration.ofMillis(1500)))));
        assertEquals("failTimeout must be whole seconds between 0s and 365d: -90s (server 10.0.0.1:1)",
                rejected(() -> oneServer("10.0.0.1:1", s -> s.failTimeout(Duration.ofSeconds(-90)))));
        assertEquals("slowStart must be between 0s and 365d: 8761h (server 10.0.0.1:1)",
                rejected(() -> oneServer("10.0.0.1:1", s -> s.slowStart(Duration.ofHours(8761)))));
    }

    @Test
    void emptyGroupIsRejected() {
        assertTrue(rejected(() -> UpstreamGroup.builder("empty").build()).contains("no servers"));
    }

    @Test
    void groupOfOnlyBackupsIsRejected() {
        assertTrue(rejected(() -> oneServer("10.0.0.1:1", Peer.Builder::backup)).contains("only backup"));
    }

    @Test
    void backupUnderAHashMethodIsRejected() {
        for (Balancer balancer : new Balancer[] {Balancer.hash(), Balancer.hash().consistent(), Balancer.ipHash(), Balancer.random()}) {
            String message = rejected(() -> UpstreamGroup.builder("g").balancer(balancer)
                    .server("10.0.0.1:1").server("10.0.0.2:1", Peer.Builder::backup).build());
            assertTrue(message.contains("backup") && message.contains("10.0.0.2:1"), message);
        }
    }

    @Test
    void slowStartUnderAHashMethodIsRejected() {
        String message = rejected(() -> UpstreamGroup.builder("g").balancer(Balancer.ipHash())
                .server("10.0.0.1:1", s -> s.slowStart(Duration.ofSeconds(30))).build());
        assertTrue(message.contains("slowStart"), message);
    }

    @Test
    void malformedAddressesAreRejectedNamingTheAddress() {
        for (String bad : new String[] {"", "host:", "host:0", "host:65536", "host:8o", "a b:80", "::1:80", "[::1", "unix:", "unix:relative", "300.1.1.1:80"}) {
            String message = rejected(() -> oneServer(bad, s -> { }));
            assertTrue(message.contains("\"" + bad + "\""), message);
        }
    }

    @Test
    void anAddressWithASchemeIsRejectedNamingTheScheme() {
        String message = rejected(() -> oneServer("http://10.0.0.1:80", s -> { }));
        assertTrue(message.contains("\"http://10.0.0.1:80\"") && message.contains("scheme"), message);
        assertFalse(message.contains("IPv6"), message);
    }

    @Test
    void addressesOfEveryFormParse() {
        UpstreamGroup group = UpstreamGroup.builder("g").resolver(Resolver.none())
                .server("127.0.0.1:8080").server("[::1]:9090").server("unix:/tmp/app.sock").server("backend")
                .build();
        assertEquals(new InetSocketAddress("127.0.0.1", 8080), group.peers().get(0).address());
        assertEquals("[0:0:0:0:0:0:0:1]:9090", group.peers().get(1).name());
        assertEquals(UnixDomainSocketAddress.of("/tmp/app.sock"), group.peers().get(2).address());
        InetSocketAddress named = (InetSocketAddress) group.peers().get(3).address();
        assertTrue(named.isUnresolved());
        assertEquals(80, named.getPort());
    }

    @Test
    void defaultsAreNginxs() {
        Peer peer = UpstreamGroup.builder("g").server("10.0.0.1:1").build().peers().get(0).peer();
        assertEquals(1, peer.weight());
        assertEquals(1, peer.maxFails());
        assertEquals(Duration.ofSeconds(10), peer.failTimeout());
        assertEquals(0, peer.maxConns());
        assertEquals(Duration.ZERO, peer.slowStart());
    }

    @Test
    void selectingTwiceWithoutReportingIsAnError() {
        Selection selection = UpstreamGroup.builder("g").server("10.0.0.1:1").server("10.0.0.2:1").build().newSelection();
        selection.select();
        assertThrows(IllegalStateException.class, selection::select);
    }

    @Test
    void nameThatResolvesToSeveralAddressesBecomesSeveralPeersSharingOneServerLine() throws Exception {
        UpstreamGroup group = UpstreamGroup.builder("g")
                .resolver(host -> java.util.List.of(java.net.InetAddress.getByName("127.0.0.1"), java.net.InetAddress.getByName("127.0.0.2")))
                .server("backend:8080", s -> s.weight(2))
                .build();
        assertEquals(2, group.peers().size());
        assertEquals("127.0.0.1:8080", group.peers().get(0).name());
        assertEquals("127.0.0.2:8080", group.peers().get(1).name());
        assertEquals("backend:8080", group.peers().get(1).server());
        assertEquals(2, group.peers().get(1).peer().weight());
    }

    @Test
    void aNameIsResolvedWhenTheGroupIsBuiltAsNginxDoesWhenItReadsItsConfiguration() {
        InetSocketAddress address = (InetSocketAddress) UpstreamGroup.builder("g").server("localhost:8080").build()
                .peers().get(0).address();
        assertFalse(address.isUnresolved());
        assertTrue(address.getAddress().isLoopbackAddress());
    }

    @Test
    void unknownHostIsRejectedNamingIt() {
        String message = rejected(() -> UpstreamGroup.builder("g")
                .resolver(host -> { throw new java.net.UnknownHostException(host); })
                .server("nowhere:80").build());
        assertTrue(message.contains("nowhere:80"), message);
    }

    @Test
    void aKeepaliveSizeIsNginxsFixedCapAndAutoTheAdaptiveOne() {
        Keepalive fixed = UpstreamGroup.builder("g").server("10.0.0.1:1").keepalive(k -> k.idle(8)).build().keepalive();
        assertEquals(8, fixed.idle());
        assertFalse(fixed.adaptive());
        Keepalive auto = UpstreamGroup.builder("g").server("10.0.0.1:1").keepalive(k -> k.idle(8).auto()).build().keepalive();
        assertEquals(32, auto.idle());
        assertTrue(auto.adaptive());
        assertTrue(auto.toString().startsWith("keepalive auto (at least 32);"), auto.toString());
    }

    @Test
    void keepaliveDefaultsAreNginxsAndBadValuesAreRejected() {
        Keepalive keepalive = UpstreamGroup.builder("g").server("10.0.0.1:1").build().keepalive();
        assertEquals(32, keepalive.idle());
        assertTrue(keepalive.adaptive(), "at least 32, more when the load had more in use at once");
        assertEquals(1000, keepalive.maxRequests());
        assertEquals(Duration.ofHours(1), keepalive.maxLifetime());
        assertEquals(Duration.ofSeconds(60), keepalive.idleTimeout());
        assertTrue(rejected(() -> UpstreamGroup.builder("g").keepalive(k -> k.idleTimeout(Duration.ZERO))).contains("idleTimeout"));
        assertTrue(rejected(() -> UpstreamGroup.builder("g").keepalive(k -> k.maxRequests(0))).contains("maxRequests"));
    }
}
