package dev.sluice.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.NextUpstream;
import dev.sluice.NextUpstream.Condition;
import dev.sluice.ProxyServer;
import dev.sluice.Route;
import dev.sluice.UpstreamTls;
import dev.sluice.testing.ScriptedDns;
import dev.sluice.testing.TestCertificates;
import dev.sluice.upstream.Balancer;
import dev.sluice.upstream.HealthCheck;
import dev.sluice.upstream.Keepalive;
import dev.sluice.upstream.PeerState;
import dev.sluice.upstream.Sticky;
import dev.sluice.upstream.UpstreamGroup;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SettingsTest {

    private static final String SERVER = "--server=127.0.0.1:9001";

    private static Route route(String... args) {
        Settings settings = Cli.parse(args);
        return settings.configureRoute(Route.builder("/"), settings.upstream()).build();
    }

    /** What {@code Main} prints for a value the parser passed and the library refused. */
    private static UsageException refusedByTheLibrary(String... args) {
        Settings settings = Cli.parse(args);
        UsageException e = assertThrows(UsageException.class, settings::toBuilder);
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        return e;
    }

    @Test
    void nginxDefaultsHoldWhenNoFlagIsGiven() {
        Route route = route(SERVER);
        assertEquals(Duration.ofSeconds(60), route.connectTimeout());
        assertTrue(route.nextUpstream().has(Condition.ERROR) && route.nextUpstream().has(Condition.TIMEOUT));
        assertFalse(route.nextUpstream().has(Condition.HTTP_500));
        assertTrue(route.http11());
        assertTrue(route.buffering());
        assertTrue(route.requestBuffering());
        assertEquals(8, route.buffersCount());
        assertEquals(4096, route.buffersSize());
        assertEquals("$request_uri", route.hashKey().toString());
        UpstreamGroup group = Cli.parse(SERVER).upstream();
        assertEquals("backend", group.name());
        assertSame(Balancer.roundRobin(), group.balancer());
        assertEquals(32, group.keepalive().idle());
    }

    @Test
    void everyProxyFlagReachesTheRoute(@TempDir Path dir) throws IOException {
        Path page = Files.writeString(dir.resolve("50x.html"), "down for a moment\n");
        Route route = route(SERVER,
                "--proxy-connect-timeout", "1500ms",
                "--proxy-send-timeout", "2m",
                "--proxy-read-timeout", "1h",
                "--proxy-next-upstream", "error timeout http_500 non_idempotent",
                "--proxy-next-upstream-tries", "3",
                "--proxy-next-upstream-timeout", "10s",
                "--proxy-intercept-errors", "on",
                "--error-page", "500 502 " + page,
                "--proxy-buffering", "off",
                "--proxy-buffers", "16  8k",
                "--proxy-request-buffering", "off",
                "--proxy-buffer-size", "8k",
                "--proxy-set-header", "X-Real-IP $remote_addr",
                "--proxy-set-header", "Connection \"\"",
                "--proxy-http-version", "1.0",
                "--proxy-socket-keepalive", "on",
                "--proxy-bind", "127.0.0.2",
                "--proxy-ignore-client-abort", "on",
                "--proxy-upgrade", "websocket  echo");
        assertEquals(Duration.ofMillis(1500), route.connectTimeout());
        assertEquals(Duration.ofMinutes(2), route.sendTimeout());
        assertEquals(Duration.ofHours(1), route.readTimeout());
        NextUpstream next = route.nextUpstream();
        for (Condition c : List.of(Condition.ERROR, Condition.TIMEOUT, Condition.HTTP_500, Condition.NON_IDEMPOTENT)) {
            assertTrue(next.has(c), c.name());
        }
        assertFalse(next.has(Condition.HTTP_502));
        assertEquals(3, next.tries());
        assertEquals(Duration.ofSeconds(10), next.timeout());
        assertTrue(route.interceptErrors());
        assertEquals(List.of(500, 502), List.copyOf(route.errorPages().keySet()));
        assertArrayEquals("down for a moment\n".getBytes(StandardCharsets.UTF_8), route.errorPages().get(502).body());
        assertFalse(route.buffering());
        assertFalse(route.requestBuffering());
        assertEquals(8192, route.bufferSize());
        assertEquals(16, route.buffersCount());
        assertEquals(8192, route.buffersSize());
        List<Map.Entry<String, ?>> headers = List.copyOf(route.setHeaders());
        assertEquals("X-Real-IP", headers.get(0).getKey());
        assertEquals("$remote_addr", headers.get(0).getValue().toString());
        assertEquals("Connection", headers.get(1).getKey());
        assertTrue(route.setHeaders().get(1).getValue().isEmpty());
        assertFalse(route.http11());
        assertTrue(route.socketKeepalive());
        assertEquals(InetAddress.getByName("127.0.0.2"), route.bind());
        assertTrue(route.ignoreClientAbort());
        assertEquals(List.of("websocket", "echo"), route.upgradeProtocols());
    }

    @Test
    void upgradesAreWebSocketByDefaultAndOffTurnsThemOff() {
        assertEquals(List.of("websocket"), route(SERVER).upgradeProtocols());
        assertEquals(List.of(), route(SERVER, "--proxy-upgrade", "off").upgradeProtocols());
    }

    @Test
    void triesAndTimeoutSurviveConditionsGivenAfterThem() {
        NextUpstream next = route(SERVER, "--proxy-next-upstream-tries", "2", "--proxy-next-upstream-timeout", "5s",
                "--proxy-next-upstream", "http_502").nextUpstream();
        assertTrue(next.has(Condition.HTTP_502));
        assertFalse(next.has(Condition.ERROR));
        assertEquals(2, next.tries());
        assertEquals(Duration.ofSeconds(5), next.timeout());
    }

    @Test
    void nextUpstreamOffGivesOneTry() {
        NextUpstream next = route(SERVER, "--proxy-next-upstream", "off").nextUpstream();
        for (Condition c : Condition.values()) {
            assertFalse(next.has(c), c.name());
        }
    }

    @Test
    void theHashKeyGoesToTheRoute() {
        Settings settings = Cli.parse(SERVER, "--server", "127.0.0.1:9002", "--balance", "hash $arg_user consistent");
        assertSame(Balancer.hash().consistent(), settings.upstream().balancer());
        assertEquals("$arg_user", settings.configureRoute(Route.builder("/"), settings.upstream()).build().hashKey().toString());
    }

    @Test
    void aHealthCheckLineIsTheGroupsHealthCheckWithItsMatch() {
        HealthCheck check = Cli.parse(SERVER, "--health-check", "interval=2s jitter=500ms fails=3 passes=2"
                + " uri=/health port=9100 mandatory timeout=1s status=200,204 header=\"Content-Type ~ json\""
                + " body~\"status: (up|ok)\"").upstream().healthCheck();

        assertEquals(Duration.ofSeconds(2), check.interval());
        assertEquals(Duration.ofMillis(500), check.jitter());
        assertEquals(3, check.fails());
        assertEquals(2, check.passes());
        assertEquals("/health", check.uri());
        assertEquals(9100, check.port());
        assertTrue(check.mandatory());
        assertEquals(Duration.ofSeconds(1), check.timeout());
        Map<String, String> json = Map.of("Content-Type", "application/json");
        assertTrue(check.match().matches(204, json::get, "status: up"));
        assertFalse(check.match().matches(200, json::get, "status: down"));
        assertFalse(check.match().matches(302, json::get, "status: up"));
        assertNull(Cli.parse(SERVER).upstream().healthCheck(), "off by default");
    }

    @Test
    void aHealthCheckLineItCannotReadNamesTheParameter() {
        assertRefusal("interval=soon", "--health-check: invalid time \"soon\"");
        assertRefusal("interval=1s persistent", "--health-check: persistent keeps a peer's health across"
                + " configuration reloads");
        assertRefusal("interval=1s color=red", "--health-check: unknown parameter \"color=red\"");
        assertRefusal("status=2xx", "--health-check: status takes codes and ranges from 100 to 599, not \"2xx\"");
        assertRefusal("header=\"A == b", "--health-check: a quote is not closed");
    }

    @Test
    void aQueueLineIsTheGroupsQueue() {
        UpstreamGroup group = Cli.parse(SERVER, "--queue", "100 timeout=70s").upstream();
        assertEquals(100, group.queueStatus().orElseThrow().maxSize());
        assertEquals(Duration.ofSeconds(70), group.queueTimeout());
        assertEquals(Duration.ofSeconds(60), Cli.parse(SERVER, "--queue", "5").upstream().queueTimeout());
        assertTrue(Cli.parse(SERVER).upstream().queueStatus().isEmpty(), "off by default");
    }

    @Test
    void aQueueLineItCannotReadNamesTheFlag() {
        for (String[] bad : new String[][] {
                {"many", "--queue: invalid number \"many\""},
                {"0", "--queue: the queue needs room for at least one request"},
                {"5 timeout=0", "--queue: the queue timeout must be above zero"},
                {"5 wait=3s", "--queue: expected 'N [timeout=T]'"}}) {
            UsageException e = assertThrows(UsageException.class, () -> Cli.parse(SERVER, "--queue", bad[0]));
            assertTrue(e.getMessage().startsWith(bad[1]), e.getMessage());
        }
    }

    @Test
    void aStickyLineIsTheGroupsStickyMethod() {
        Sticky cookie = Cli.parse(SERVER, "--sticky", "cookie srv_id expires=1h domain=.example.com path=/ httponly"
                + " secure samesite=strict").upstream().sticky();
        assertEquals(Sticky.Method.COOKIE, cookie.method());
        assertEquals("srv_id", cookie.cookieName());
        Sticky route = Cli.parse(SERVER, "--sticky", "route $cookie_route $arg_route").upstream().sticky();
        assertEquals(2, route.lookup().size());
        Sticky learn = Cli.parse(SERVER, "--sticky", "learn create=$upstream_cookie_sid lookup=$cookie_sid"
                + " timeout=1h size=100").upstream().sticky();
        assertEquals(Duration.ofHours(1), learn.timeout());
        assertEquals(100, learn.size());
        assertNull(Cli.parse(SERVER).upstream().sticky(), "off by default");
    }

    @Test
    void ntlmIsTheGroupsAndNeedsKeepalive() {
        assertTrue(Cli.parse(SERVER, "--ntlm").upstream().ntlm());
        assertFalse(Cli.parse(SERVER).upstream().ntlm(), "off by default");
        UsageException e = assertThrows(UsageException.class,
                () -> Cli.parse(SERVER, "--ntlm", "--upstream-keepalive", "0").upstream());
        assertTrue(e.getMessage().contains("ntlm needs upstream keepalive"), e.getMessage());
    }

    @Test
    void aStateFileItCannotReadNamesTheFlagTheFileAndTheLine(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("backend.state");
        Files.writeString(file, "server 127.0.0.1:9001;\nserver 127.0.0.1:9002 weight=zero;\n");
        UsageException e = assertThrows(UsageException.class,
                () -> Cli.parse(SERVER, "--upstream-state", file.toString()).upstream());
        assertEquals("--upstream-state", e.flag());
        assertTrue(e.getMessage().contains(file + ":2: invalid number in \"weight=zero\""), e.getMessage());
        Files.writeString(file, "server 127.0.0.1:9005 weight=5;\n");
        UpstreamGroup group = Cli.parse(SERVER, "--upstream-state", file.toString()).upstream();
        assertEquals(List.of("127.0.0.1:9005"), group.peers().stream().map(PeerState::name).toList());
    }

    @Test
    void aStickyLineItCannotReadNamesTheFlag() {
        for (String[] bad : new String[][] {
                {"session", "--sticky: invalid method \"session\""},
                {"cookie", "--sticky: sticky cookie needs a NAME"},
                {"cookie srv_id expires=soon", "--sticky: invalid time \"soon\""},
                {"cookie srv_id colour=blue", "--sticky: unknown parameter \"colour=blue\""},
                {"route", "--sticky: sticky route needs at least one variable"},
                {"learn lookup=$cookie_sid", "--sticky: sticky learn needs create= and lookup="},
                {"learn create=$cookie_sid lookup=$cookie_sid", "--sticky: sticky learn creates sessions from a"}}) {
            UsageException e = assertThrows(UsageException.class, () -> Cli.parse(SERVER, "--sticky", bad[0]));
            assertTrue(e.getMessage().startsWith(bad[1]), e.getMessage());
        }
    }

    private static void assertRefusal(String line, String start) {
        UsageException e = assertThrows(UsageException.class, () -> Cli.parse(SERVER, "--health-check", line));
        assertTrue(e.getMessage().startsWith(start), e.getMessage());
    }

    @Test
    void serversKeepTheirOrderAndParameters() {
        UpstreamGroup group = Cli.parse("--server", "127.0.0.1:9001 weight=5 max_fails=3 fail_timeout=30s",
                "--server", "127.0.0.1:9002 max_conns=10 slow_start=1m", "--server", "127.0.0.1:9003 backup",
                "--balance", "least_conn").upstream();
        List<PeerState> peers = group.peers();
        assertEquals(3, peers.size());
        assertEquals(5, peers.get(0).peer().weight());
        assertEquals(3, peers.get(0).peer().maxFails());
        assertEquals(Duration.ofSeconds(30), peers.get(0).peer().failTimeout());
        assertEquals(10, peers.get(1).peer().maxConns());
        assertEquals(Duration.ofMinutes(1), peers.get(1).peer().slowStart());
        assertTrue(peers.get(2).isBackup());
        assertSame(Balancer.leastConn(), group.balancer());
    }

    @Test
    void aNameResolvesAtStartup() {
        PeerState peer = Cli.parse("--server", "localhost:9001").upstream().peers().get(0);
        assertEquals("localhost:9001", peer.server());
        assertFalse(((InetSocketAddress) peer.address()).isUnresolved());
    }

    @Test
    void upstreamKeepaliveFlagsReachTheGroup() {
        Keepalive keepalive = Cli.parse(SERVER, "--upstream-keepalive", "0", "--upstream-keepalive-requests", "50",
                "--upstream-keepalive-time", "10m", "--upstream-keepalive-timeout", "30s").upstream().keepalive();
        assertEquals(0, keepalive.idle());
        assertEquals(50, keepalive.maxRequests());
        assertEquals(Duration.ofMinutes(10), keepalive.maxLifetime());
        assertEquals(Duration.ofSeconds(30), keepalive.idleTimeout());
    }

    @Test
    void upstreamKeepaliveIsAdaptiveUnlessGivenAFixedSize() {
        assertTrue(Cli.parse(SERVER).upstream().keepalive().adaptive());
        assertTrue(Cli.parse(SERVER, "--upstream-keepalive", "auto").upstream().keepalive().adaptive());
        Keepalive fixed = Cli.parse(SERVER, "--upstream-keepalive", "32").upstream().keepalive();
        assertFalse(fixed.adaptive());
        assertEquals(32, fixed.idle());
    }

    @Test
    void aValidCommandLineBuildsAProxyBuilder(@TempDir Path dir) {
        assertTrue(Cli.parse(SERVER, "--listen", "127.0.0.1:0", "--listen", "127.0.0.1:0", "--worker-processes", "2",
                "--client-header-timeout", "10s", "--client-body-timeout", "10s", "--send-timeout", "10s",
                "--keepalive-timeout", "0", "--keepalive-requests", "100", "--client-max-body-size", "0",
                "--client-body-buffer-size", "64k", "--client-body-temp-path", dir.resolve("bodies").toString(),
                "--access-log", "off").toBuilder() != null);
    }

    @Test
    void aClientBodyTempPathThatCannotBeCreatedStopsTheStartNamingTheOption(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("a-file"), "");
        ProxyServer.Builder builder = Cli.parse(SERVER, "--listen", "127.0.0.1:0",
                "--client-body-temp-path", file.resolve("bodies").toString()).toBuilder();

        IOException e = assertThrows(IOException.class, builder::start);
        assertTrue(e.getMessage().startsWith("clientBodyTempPath cannot be created: "), e.getMessage());
    }

    @Test
    void aWeightOfZeroIsRefusedNamingServer() {
        UsageException e = refusedByTheLibrary("--server", "a:1 weight=0");
        assertEquals("--server", e.flag());
        assertEquals("--server: \"a:1 weight=0\": weight must be between 1 and 1000000: 0 (server a:1)", e.getMessage());
    }

    @Test
    void proxyPassWithAUriPartReplacesTheLocationPrefix() {
        assertEquals("/v2/", route(SERVER, "--proxy-pass", "http://backend/v2/").passUri());
        assertNull(route(SERVER, "--proxy-pass", "http://backend").passUri());
    }

    @Test
    void proxyPassNamingAnotherGroupIsRefusedNamingTheFlag() {
        UsageException e = assertThrows(UsageException.class, () -> Cli.parse(SERVER, "--proxy-pass", "http://other/"));
        assertEquals("--proxy-pass", e.flag());
        assertTrue(e.getMessage().contains("http[s]://backend[/URI]"), e.getMessage());
    }

    @Test
    void proxyPassHttpsSpeaksTlsToTheGroupWithNginxsDefaults() {
        assertTrue(route(SERVER).upstreamTls().isEmpty());
        Route route = route(SERVER, "--proxy-pass", "https://backend/v2/");
        assertEquals("/v2/", route.passUri());
        UpstreamTls tls = route.upstreamTls().orElseThrow();
        assertFalse(tls.verify());
        assertFalse(tls.serverName());
        assertTrue(tls.sessionReuse());
        assertEquals(List.of("TLSv1.2", "TLSv1.3"), tls.protocols());
    }

    @Test
    void theProxySslFlagsShapeTheUpstreamTls() {
        UpstreamTls tls = route(SERVER, "--proxy-pass", "https://backend", "--proxy-ssl-verify", "on",
                "--proxy-ssl-trusted-certificate", "/etc/ca.pem", "--proxy-ssl-name", "api.internal",
                "--proxy-ssl-server-name", "on", "--proxy-ssl-session-reuse", "off", "--proxy-ssl-certificate",
                "/etc/client.pem", "--proxy-ssl-certificate-key", "/etc/client.key", "--proxy-ssl-protocols", "TLSv1.3")
                .upstreamTls().orElseThrow();
        assertTrue(tls.verify());
        assertEquals(Path.of("/etc/ca.pem"), tls.trustedCertificate().orElseThrow());
        assertEquals("api.internal", tls.name().orElseThrow());
        assertTrue(tls.serverName());
        assertFalse(tls.sessionReuse());
        assertEquals(Path.of("/etc/client.pem"), tls.certificate().orElseThrow());
        assertEquals(Path.of("/etc/client.key"), tls.certificateKey().orElseThrow());
        assertEquals(List.of("TLSv1.3"), tls.protocols());
    }

    @Test
    void anSslAddressTakesItsTlsFromTheSslFlags(@TempDir Path dir) throws Exception {
        TestCertificates ca = TestCertificates.create(dir);
        TestCertificates.Issued localhost = ca.issue("localhost", "EC", false, "dns:localhost", "ip:127.0.0.1");
        Settings settings = Cli.parse(SERVER, "--listen", "127.0.0.1:0 ssl", "--ssl-certificate",
                localhost.certificateFile().toString(), "--ssl-certificate-key", localhost.keyFile().toString(),
                "--ssl-protocols", "TLSv1.3", "--ssl-client-certificate", ca.caFile().toString(), "--ssl-verify-client",
                "optional");
        try (ProxyServer proxy = settings.toBuilder().start();
                SSLSocket socket = (SSLSocket) ca.trustingContext().getSocketFactory().createSocket("127.0.0.1",
                        proxy.port())) {
            socket.setSoTimeout(10_000);
            socket.startHandshake();
            assertEquals("TLSv1.3", socket.getSession().getProtocol());
            assertEquals("CN=localhost", ((java.security.cert.X509Certificate) socket.getSession()
                    .getPeerCertificates()[0]).getSubjectX500Principal().getName());
        }
    }

    @Test
    void sslFlagsThatDoNotFitTogetherAreRefusedNamingTheFlag() {
        assertEquals("--listen: expected 'HOST:PORT [ssl]', got \"127.0.0.1:0 tls\"",
                assertThrows(UsageException.class, () -> Cli.parse(SERVER, "--listen", "127.0.0.1:0 tls")).getMessage());
        assertEquals("--ssl-protocols: applies to TLS for clients: add ssl to a --listen ('HOST:PORT ssl')",
                assertThrows(UsageException.class, () -> Cli.parse(SERVER, "--ssl-protocols", "TLSv1.3")).getMessage());
        UsageException noCertificate = assertThrows(UsageException.class,
                () -> Cli.parse(SERVER, "--listen", "127.0.0.1:0 ssl").toBuilder());
        assertEquals("--listen", noCertificate.flag());
        UsageException unpaired = assertThrows(UsageException.class, () -> Cli.parse(SERVER, "--listen",
                "127.0.0.1:0 ssl", "--ssl-certificate", "/a.pem", "--ssl-certificate-key", "/a.key",
                "--ssl-certificate", "/b.pem").toBuilder());
        assertEquals("--ssl-certificate-key", unpaired.flag());
        assertEquals("--ssl-verify-client: invalid value \"maybe\" (on, off or optional)", assertThrows(
                UsageException.class, () -> Cli.parse(SERVER, "--listen", "127.0.0.1:0 ssl", "--ssl-verify-client",
                        "maybe")).getMessage());
        UsageException noCas = assertThrows(UsageException.class, () -> Cli.parse(SERVER, "--listen",
                "127.0.0.1:0 ssl", "--ssl-certificate", "/a.pem", "--ssl-certificate-key", "/a.key",
                "--ssl-verify-client", "on").toBuilder());
        assertTrue(noCas.getMessage().contains("ssl_client_certificate"), noCas.getMessage());
    }

    @Test
    void proxySslFlagsWithoutHttpsOrHalfAClientCertificateAreRefusedNamingTheFlag() {
        UsageException plain = assertThrows(UsageException.class, () -> Cli.parse(SERVER, "--proxy-ssl-verify", "on"));
        assertEquals("--proxy-ssl-verify: applies to TLS to the upstream: add --proxy-pass https://backend",
                plain.getMessage());
        UsageException half = assertThrows(UsageException.class, () -> route(SERVER, "--proxy-pass",
                "https://backend", "--proxy-ssl-certificate", "/etc/client.pem"));
        assertEquals("--proxy-ssl-certificate: needs --proxy-ssl-certificate-key too", half.getMessage());
        UsageException old = assertThrows(UsageException.class, () -> route(SERVER, "--proxy-pass",
                "https://backend", "--proxy-ssl-protocols", "TLSv1.2 SSLv3"));
        assertEquals("--proxy-ssl-protocols", old.flag());
    }

    private static final String NO_RESPONSES =
            "\"responses\":{\"1xx\":0,\"2xx\":0,\"3xx\":0,\"4xx\":0,\"5xx\":0,\"total\":0},\"sent\":0,\"received\":0,";

    @Test
    void statusListenServesTheLiveStateOfTheFlagsGroup() throws Exception {
        Settings settings = Cli.parse("--server", "127.0.0.1:9001", "--server", "127.0.0.1:9002 weight=3",
                "--listen", "127.0.0.1:0", "--status-listen", "127.0.0.1:0");
        UpstreamGroup backend = settings.upstream();
        try (ProxyServer proxy = settings.toBuilder(backend).start();
                ProxyServer status = settings.apiBuilders(backend, proxy).get("status API").start();
                Socket socket = new Socket(InetAddress.getLoopbackAddress(), status.port())) {
            socket.getOutputStream().write("GET /api/9/http/upstreams/backend HTTP/1.0\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertTrue(response.startsWith("HTTP/1.1 200 OK\r\n"), response);
            assertTrue(response.endsWith("{\"peers\":[{\"id\":0,\"server\":\"127.0.0.1:9001\",\"name\":\"127.0.0.1:9001\","
                    + "\"backup\":false,\"weight\":1,\"state\":\"up\",\"active\":0,\"requests\":0," + NO_RESPONSES + "\"fails\":0,\"unavail\":0,"
                    + "\"max_fails\":1,\"fail_timeout\":10,\"max_conns\":0,\"downtime\":0,\"health_checks\":{\"checks\":0,"
                    + "\"fails\":0,\"unhealthy\":0}},{\"id\":1,\"server\":\"127.0.0.1:9002\","
                    + "\"name\":\"127.0.0.1:9002\",\"backup\":false,\"weight\":3,\"state\":\"up\",\"active\":0,"
                    + "\"requests\":0," + NO_RESPONSES + "\"fails\":0,\"unavail\":0,\"max_fails\":1,\"fail_timeout\":10,\"max_conns\":0,"
                    + "\"downtime\":0,\"health_checks\":{\"checks\":0,\"fails\":0,\"unhealthy\":0}}],"
                    + "\"keepalive\":0,\"zone\":\"backend\"}"), response);
        }
    }

    @Test
    void aServerMarkedResolveIsLookedUpWithTheResolversDnsServers() throws Exception {
        try (ScriptedDns dns = ScriptedDns.start()) {
            dns.address("api.test", 60, "10.0.0.7", "10.0.0.8");
            Settings settings = Cli.parse("--server", "api.test:8080 resolve", "--resolver",
                    "127.0.0.1:" + dns.address().getPort() + " valid=5s", "--resolver-timeout", "2s");

            UpstreamGroup group = settings.upstream();

            assertEquals(List.of("10.0.0.7:8080", "10.0.0.8:8080"),
                    group.peers().stream().map(PeerState::name).toList());
            assertTrue(group.servers().get(0).resolve());
        }
    }

    @Test
    void aStatusListenAddressThatIsNoneIsRefusedNamingTheFlag() {
        UsageException e = assertThrows(UsageException.class, () -> Cli.parse(SERVER, "--status-listen", "nowhere"));
        assertEquals("--status-listen", e.flag());
    }

    static Stream<Arguments> valuesTheLibraryRefuses() {
        return Stream.of(
                Arguments.of(List.of("--server", "a:x"), "--server", "port must be a number"),
                Arguments.of(List.of("--server", "a:1", "--server", "b:1 backup", "--balance", "ip_hash"), "--server", "backup is not supported"),
                Arguments.of(List.of(SERVER, "--proxy-connect-timeout", "0"), "--proxy-connect-timeout", "connectTimeout"),
                Arguments.of(List.of(SERVER, "--proxy-read-timeout", "400d"), "--proxy-read-timeout", "readTimeout"),
                Arguments.of(List.of(SERVER, "--proxy-buffer-size", "512"), "--proxy-buffer-size", "bufferSize"),
                Arguments.of(List.of(SERVER, "--proxy-buffers", "1 4k"), "--proxy-buffers", "buffers count must be between 2 and 1024: 1"),
                Arguments.of(List.of(SERVER, "--proxy-buffers", "8 512"), "--proxy-buffers", "buffers size must be between"),
                Arguments.of(List.of(SERVER, "--client-body-buffer-size", "512"), "--client-body-buffer-size",
                        "clientBodyBufferSize must be between 1024 and 67108864 bytes: 512"),
                Arguments.of(List.of(SERVER, "--proxy-http-version", "2.0"), "--proxy-http-version", "httpVersion"),
                Arguments.of(List.of(SERVER, "--proxy-set-header", "Bad:Name x"), "--proxy-set-header", "setHeader name"),
                Arguments.of(List.of(SERVER, "--proxy-set-header", "X-A $nosuch"), "--proxy-set-header", "unknown variable $nosuch"),
                Arguments.of(List.of(SERVER, "--upstream-keepalive", "70000"), "--upstream-keepalive", "keepalive idle"),
                Arguments.of(List.of(SERVER, "--upstream-keepalive-requests", "0"), "--upstream-keepalive-requests", "maxRequests"),
                Arguments.of(List.of(SERVER, "--upstream-keepalive-time", "0"), "--upstream-keepalive-time", "maxLifetime"),
                Arguments.of(List.of(SERVER, "--listen", "8080"), "--listen", "listen must be HOST:PORT"),
                Arguments.of(List.of(SERVER, "--listen", "127.0.0.1:70000"), "--listen", "between 0 and 65535"),
                Arguments.of(List.of(SERVER, "--worker-processes", "5000"), "--worker-processes", "workers"),
                Arguments.of(List.of(SERVER, "--keepalive-requests", "0"), "--keepalive-requests", "keepaliveRequests"),
                Arguments.of(List.of(SERVER, "--client-header-timeout", "0"), "--client-header-timeout", "clientHeaderTimeout"),
                Arguments.of(List.of(SERVER, "--send-timeout", "0ms"), "--send-timeout", "sendTimeout"),
                Arguments.of(List.of(SERVER, "--proxy-upgrade", "websocket h2c"), "--proxy-upgrade", "h2c is never forwarded"));
    }

    @ParameterizedTest
    @MethodSource("valuesTheLibraryRefuses")
    void aValueTheLibraryRefusesComesOutNamingItsFlag(List<String> args, String flag, String reason) {
        UsageException e = refusedByTheLibrary(args.toArray(new String[0]));
        assertEquals(flag, e.flag());
        assertTrue(e.getMessage().startsWith(flag + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(reason), e.getMessage());
    }

    @Test
    void anErrorPageForAStatusBelow300NamesTheFlag(@TempDir Path dir) throws IOException {
        Path page = Files.writeString(dir.resolve("ok.html"), "ok");
        UsageException e = refusedByTheLibrary(SERVER, "--error-page", "200 " + page);
        assertEquals("--error-page: \"200 " + page + "\": errorPage status must be between 300 and 599: 200", e.getMessage());
    }

    @Test
    void theListenValueIsNotRepeatedWhenTheLibraryQuotesIt() {
        assertEquals("--listen: listen must be HOST:PORT: \"8080\"", refusedByTheLibrary(SERVER, "--listen", "8080").getMessage());
    }

    @Test
    void balancingWithoutAHashLeavesTheDefaultKey() {
        assertNull(BalanceLine.parse("random two").hashKey());
        assertEquals("$request_uri", route(SERVER, "--balance", "random two").hashKey().toString());
    }
}
