package dev.sluice.internal.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.ProxyServer;
import dev.sluice.UpstreamTls;
import dev.sluice.internal.tls.Credentials;
import dev.sluice.internal.tls.TlsContexts;
import dev.sluice.internal.tls.TlsFileException;
import dev.sluice.testing.RawClient;
import dev.sluice.testing.TestCertificates;
import dev.sluice.testing.Upstreams;
import dev.sluice.upstream.Keepalive;
import dev.sluice.upstream.PeerState;
import dev.sluice.upstream.HealthCheck;
import dev.sluice.upstream.UpstreamGroup;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * TLS to the upstream ({@code proxy_pass https://} and {@code proxy_ssl_*}) through a running proxy, against real
 * TLS upstreams on the JDK's sockets with certificates made for the test: pooling, verification of chain, name and
 * expiry, SNI, client certificates, session reuse, the peer's close_notify on a pooled connection, and failures
 * that must be a 502 or 504 rather than a hang.
 */
class UpstreamTlsTest {

    @TempDir
    static Path dir;
    private static TestCertificates ca;
    private static TestCertificates.Issued localhost;
    private static TestCertificates.Issued otherHost;
    private static TestCertificates.Issued expired;
    private static TestCertificates.Issued proxyClient;

    @RegisterExtension
    final Upstreams upstreams = new Upstreams();

    private final Exchanges exchanges = new Exchanges();

    @BeforeAll
    static void issue() throws IOException {
        ca = TestCertificates.create(dir);
        localhost = ca.issue("localhost", "EC", false, "dns:localhost", "ip:127.0.0.1");
        otherHost = ca.issue("other.example", "RSA", false, "dns:other.example");
        expired = ca.issue("localhost", "EC", true, "dns:localhost", "ip:127.0.0.1");
        proxyClient = ca.issue("sluice-proxy", "EC", false, "dns:sluice-proxy");
    }

    @Test
    void aTlsRouteProxiesToAnHttpsPeerOverOnePooledConnection() throws Exception {
        HttpsUpstream up = upstream(localhost, false, null, 5_000);
        ProxyServer proxy = proxy(group(up.address()), UpstreamTls.defaults());
        try (RawClient client = RawClient.connect(proxy.port())) {
            for (int i = 0; i < 3; i++) {
                RawClient.Reply reply = client.send(RawClient.get("/r" + i)).readResponse();
                assertEquals(200, reply.status());
                assertEquals("hello /r" + i + " body=0", reply.bodyString());
            }
        }
        assertEquals(1, up.connections(), "the three requests share one pooled TLS connection");
        assertTrue(Exchanges.await(() -> exchanges.attempts.size() == 3, 2000));
        assertTrue(exchanges.attempts.get(2).reusedConnection());
    }

    @Test
    void bodiesLargerThanATlsRecordGoBothWays() throws Exception {
        HttpsUpstream up = upstream(localhost, false, null, 5_000);
        ProxyServer proxy = proxy(group(up.address()), UpstreamTls.defaults());
        byte[] body = "p".repeat(200_000).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        try (RawClient client = RawClient.connect(proxy.port())) {
            client.send("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: " + body.length + "\r\n\r\n").send(body);
            assertEquals("hello /upload body=200000", client.readResponse().bodyString());
            RawClient.Reply big = client.send(RawClient.get("/big/300000")).readResponse();
            assertEquals(300_000, big.body().length);
        }
    }

    @Test
    void anUpgradedConnectionTunnelsThroughTlsToThePeerBothWays() throws Exception {
        HttpsUpstream up = upstream(localhost, false, null, 5_000);
        ProxyServer proxy = proxy(group(up.address()), UpstreamTls.defaults());
        byte[] message = "w".repeat(100_000).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        try (RawClient client = RawClient.connect(proxy.port())) {
            client.timeout(Duration.ofSeconds(10));
            RawClient.Reply switched = client.send("GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\n\r\n").readHeadResponse();
            assertEquals(101, switched.status());
            client.send(message).shutdownOutput();
            RawClient.Received echoed = client.readUntilClose(Duration.ofSeconds(10));
            assertEquals(message.length, echoed.bytes().length, "every byte came back through both TLS legs");
        }
    }

    @Test
    void verifyOnAcceptsACertificateForTheServerLinesHostFromATrustedCa() throws Exception {
        HttpsUpstream up = upstream(localhost, false, null, 5_000);
        ProxyServer proxy = proxy(group("localhost:" + up.port()), verifying().build());
        assertEquals(200, get(proxy, "/").status());
    }

    @Test
    void verifyOnRefusesACertificateForAnotherHostAndCountsAFailure() throws Exception {
        HttpsUpstream up = upstream(otherHost, false, null, 5_000);
        UpstreamGroup group = group(up.address());
        ProxyServer proxy = proxy(group, verifying().build());
        assertEquals(502, get(proxy, "/").status());
        PeerState peer = group.peers().get(0);
        assertTrue(Exchanges.await(() -> peer.failures() == 1, 2000), "a refused certificate counts toward max_fails");
        assertTrue(Exchanges.await(() -> exchanges.exchanges.size() == 1, 2000));
        String error = exchanges.exchanges.get(0).attempts().get(0).error();
        assertTrue(error.startsWith("SSL handshake failed (") && error.contains("127.0.0.1")
                && error.endsWith(") while SSL handshaking to upstream"), "the name that did not match: " + error);
    }

    @Test
    void proxySslNameIsTheNameVerified() throws Exception {
        HttpsUpstream up = upstream(otherHost, false, null, 5_000);
        ProxyServer proxy = proxy(group(up.address()), verifying().name("other.example").build());
        assertEquals(200, get(proxy, "/").status());
    }

    @Test
    void verifyOnRefusesAnExpiredCertificate() throws Exception {
        HttpsUpstream up = upstream(expired, false, null, 5_000);
        ProxyServer proxy = proxy(group("localhost:" + up.port()), verifying().build());
        assertEquals(502, get(proxy, "/").status());
    }

    @Test
    void verifyOffByDefaultAcceptsAnyCertificate() throws Exception {
        HttpsUpstream up = upstream(expired, false, null, 5_000);
        ProxyServer proxy = proxy(group(up.address()), UpstreamTls.defaults());
        assertEquals(200, get(proxy, "/").status());
    }

    @Test
    void theJdksTrustStoreByDefaultRefusesATestCa() throws Exception {
        HttpsUpstream up = upstream(localhost, false, null, 5_000);
        ProxyServer proxy = proxy(group("localhost:" + up.port()), UpstreamTls.builder().verify(true).build());
        assertEquals(502, get(proxy, "/").status());
    }

    @Test
    void sniIsSentOnlyWithServerNameOn() throws Exception {
        HttpsUpstream up = upstream(localhost, false, null, 5_000);
        ProxyServer off = proxy(group("localhost:" + up.port()), UpstreamTls.defaults());
        assertEquals("-", get(off, "/").header("X-Sni"));
        ProxyServer on = proxy(group("localhost:" + up.port()), UpstreamTls.builder().serverName(true).build());
        assertEquals("localhost", get(on, "/").header("X-Sni"));
        ProxyServer named = proxy(group(up.address()), UpstreamTls.builder().serverName(true).name("api.internal")
                .build());
        assertEquals("api.internal", get(named, "/").header("X-Sni"));
    }

    @Test
    void aPeerThatDemandsAClientCertificateGetsTheConfiguredOne() throws Exception {
        HttpsUpstream up = upstream(localhost, true, null, 5_000);
        ProxyServer without = proxy(group(up.address()), UpstreamTls.defaults());
        assertEquals(502, get(without, "/").status());
        ProxyServer with = proxy(group(up.address()), UpstreamTls.builder()
                .certificate(proxyClient.certificateFile(), proxyClient.keyFile()).build());
        RawClient.Reply reply = get(with, "/");
        assertEquals(200, reply.status());
        assertTrue(reply.header("X-Client").contains("CN=sluice-proxy"), reply.header("X-Client"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.2", "TLSv1.3"})
    void newConnectionsResumeTheSessionUnlessReuseIsOff(String protocol) throws Exception {
        HttpsUpstream up = upstream(localhost, false, new String[] {protocol}, 5_000);
        UpstreamGroup group = UpstreamGroup.builder("backend").server(up.address()).keepalive(k -> k.idle(0)).build();
        ProxyServer reusing = proxy(group, UpstreamTls.defaults());
        String first = get(reusing, "/").header("X-Session-Created");
        assertEquals(first, get(reusing, "/").header("X-Session-Created"), "a resumed session keeps its creation");

        UpstreamGroup other = UpstreamGroup.builder("backend").server(up.address()).keepalive(k -> k.idle(0))
                .build();
        ProxyServer fresh = proxy(other, UpstreamTls.builder().sessionReuse(false).build());
        String a = get(fresh, "/").header("X-Session-Created");
        Thread.sleep(20); // creation times are in milliseconds: two full handshakes must not share one
        assertNotEquals(a, get(fresh, "/").header("X-Session-Created"),
                "proxy_ssl_session_reuse off: a full handshake each, no session or ticket kept");
        assertEquals(4, up.connections());
    }

    @Test
    void aPooledConnectionThePeerClosedWithCloseNotifyIsNotUsedAgain() throws Exception {
        HttpsUpstream up = upstream(localhost, false, null, 200);
        UpstreamGroup group = group(up.address());
        ProxyServer proxy = proxy(group, UpstreamTls.defaults());
        assertEquals(200, get(proxy, "/first").status());
        assertTrue(Exchanges.await(() -> ProxyInternals.engine(proxy).idleConnections(group) == 1, 2000));
        assertTrue(Exchanges.await(() -> ProxyInternals.engine(proxy).idleConnections(group) == 0, 3000),
                "the idle watch drops the connection the peer closed");
        try (RawClient client = RawClient.connect(proxy.port())) {
            client.send("POST /second HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nok");
            assertEquals("hello /second body=2", client.readResponse().bodyString());
        }
        assertEquals(2, up.connections());
    }

    @Test
    void aPlainHttpPeerOnATlsRouteIsABadGateway() throws Exception {
        try (ServerSocket plain = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            Thread answering = new Thread(() -> answerPlainly(plain));
            answering.start();
            ProxyServer proxy = proxy(group("127.0.0.1:" + plain.getLocalPort()), UpstreamTls.defaults());
            assertEquals(502, get(proxy, "/").status());
            plain.close();
            answering.join(5_000);
        }
    }

    @Test
    void aHandshakeThePeerNeverAnswersTimesOutWithinTheConnectTimeout() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            UpstreamGroup group = group("127.0.0.1:" + silent.getLocalPort());
            ProxyServer proxy = upstreams.manage(ProxyServer.builder().listen("127.0.0.1:0").workers(1)
                    .listener(exchanges).route("/", r -> r.upstream(group).upstreamTls(UpstreamTls.defaults())
                            .connectTimeout(Duration.ofMillis(300)))
                    .start());
            long start = System.nanoTime();
            assertEquals(504, get(proxy, "/").status());
            assertTrue(System.nanoTime() - start < Duration.ofSeconds(5).toNanos());
        }
    }

    @Test
    void aTrustFileThatCannotBeReadStopsTheStartNamingIt() throws IOException {
        Path missing = dir.resolve("missing-ca.pem");
        Path garbage = Files.writeString(dir.resolve("garbage.pem"), "not a certificate\n");
        UpstreamGroup group = group("127.0.0.1:1");
        for (Path file : new Path[] {missing, garbage}) {
            TlsFileException e = assertThrows(TlsFileException.class, () -> ProxyServer.builder()
                    .listen("127.0.0.1:0").route("/", r -> r.upstream(group).upstreamTls(UpstreamTls.builder()
                            .verify(true).trustedCertificate(file).build()))
                    .start().close());
            assertEquals(file, e.file());
        }
    }

    @Test
    void aGroupAnHttpsRouteNamesIsHealthCheckedInTlsWithThatRoutesSettings() throws Exception {
        HttpsUpstream up = upstream(localhost, false, null, 5_000);
        UpstreamGroup group = UpstreamGroup.builder("backend").server(up.address())
                .healthCheck(HealthCheck.builder().interval(Duration.ofMillis(100)).uri("/health").mandatory(true)
                        .build()).build();
        ProxyServer proxy = proxy(group, verifying().build());

        assertTrue(Exchanges.await(() -> group.peers().get(0).isHealthy() && up.requests() > 0, 5000),
                "mandatory, so unhealthy until a check passed, and one did, in TLS");
        assertTrue(up.handshakeFailures().isEmpty(), "no check spoke plain HTTP to the TLS port: "
                + up.handshakeFailures());
        assertEquals(200, get(proxy, "/x").status());
    }

    @Test
    void aHealthCheckFailsWhenTheHandshakeDoes() throws Exception {
        HttpsUpstream up = upstream(otherHost, false, null, 5_000);
        UpstreamGroup group = UpstreamGroup.builder("backend").server(up.address())
                .healthCheck(HealthCheck.builder().interval(Duration.ofMillis(100)).uri("/health").build()).build();
        ProxyServer proxy = proxy(group, verifying().build());

        assertTrue(Exchanges.await(() -> !group.peers().get(0).isHealthy(), 5000),
                "the certificate names another host: the check fails, as a request's attempt would");
        assertEquals(502, get(proxy, "/x").status());
    }

    // ------------------------------------------------------------------------------------------------ fixtures

    private static UpstreamTls.Builder verifying() {
        return UpstreamTls.builder().verify(true).trustedCertificate(ca.caFile());
    }

    private static UpstreamGroup group(String server) {
        return UpstreamGroup.builder("backend").server(server).build();
    }

    private ProxyServer proxy(UpstreamGroup group, UpstreamTls tls) throws IOException {
        return proxy(group, tls, r -> { });
    }

    private ProxyServer proxy(UpstreamGroup group, UpstreamTls tls, Consumer<dev.sluice.Route.Builder> route)
            throws IOException {
        return upstreams.manage(ProxyServer.builder().listen("127.0.0.1:0").workers(1).listener(exchanges)
                .route("/", r -> route.accept(r.upstream(group).upstreamTls(tls))).start());
    }

    private static RawClient.Reply get(ProxyServer proxy, String target) throws IOException {
        try (RawClient client = RawClient.connect(proxy.port())) {
            client.timeout(Duration.ofSeconds(10));
            return client.send(RawClient.get(target)).readResponse();
        }
    }

    private HttpsUpstream upstream(TestCertificates.Issued certificate, boolean needClientAuth, String[] protocols,
            int idleCloseMillis) throws Exception {
        return upstreams.manage(new HttpsUpstream(serverContext(certificate, needClientAuth), needClientAuth,
                protocols, idleCloseMillis));
    }

    /** A server context presenting {@code certificate}; trusting the test CA's clients when it demands one. */
    private static SSLContext serverContext(TestCertificates.Issued certificate, boolean trustClients)
            throws IOException {
        return trustClients ? ca.context(certificate)
                : TlsContexts.server(Credentials.read(certificate.certificateFile(), certificate.keyFile()));
    }

    /** Answers each connection with a plain HTTP response, whatever it sent. */
    private static void answerPlainly(ServerSocket plain) {
        while (!plain.isClosed()) {
            try (Socket socket = plain.accept()) {
                socket.setSoTimeout(2_000);
                socket.getInputStream().read(new byte[1024]);
                socket.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n".getBytes());
            } catch (IOException closed) {
                if (plain.isClosed()) {
                    return;
                }
            }
        }
    }
}
