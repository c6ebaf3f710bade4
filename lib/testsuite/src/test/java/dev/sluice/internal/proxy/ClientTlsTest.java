package dev.sluice.internal.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.sluice.Answer;
import dev.sluice.ClientTls;
import dev.sluice.ProxyHandler;
import dev.sluice.ProxyRequest;
import dev.sluice.ProxyServer;
import dev.sluice.ServerTls;
import dev.sluice.internal.tls.TlsFileException;
import dev.sluice.testing.RawClient;
import dev.sluice.testing.RecordedRequest;
import dev.sluice.testing.ScriptedUpstream;
import dev.sluice.testing.TestCertificates;
import dev.sluice.testing.Upstreams;
import dev.sluice.upstream.UpstreamGroup;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS for clients ({@code listen ... ssl} and the {@code ssl_*} directives) through a running proxy, with the JDK's
 * own TLS clients (its HttpClient and SSLSocket) and certificates made for the test: SNI choosing the certificate,
 * ALPN, protocols, plain HTTP on the TLS port, client certificates, the variables and the handler's view, reload,
 * the handshake timeout, pipelining and large bodies over TLS.
 */
class ClientTlsTest {

    private static final Duration PATIENCE = Duration.ofSeconds(10);

    @TempDir
    static Path dir;
    private static TestCertificates ca;
    private static TestCertificates otherCa;
    private static TestCertificates.Issued localhost;
    private static TestCertificates.Issued siteA;
    private static TestCertificates.Issued siteB;
    private static TestCertificates.Issued client;
    private static TestCertificates.Issued stranger;

    @RegisterExtension
    final Upstreams upstreams = new Upstreams();

    @BeforeAll
    static void issue() throws IOException {
        ca = TestCertificates.create(dir.resolve("ca"));
        otherCa = TestCertificates.create(dir.resolve("other-ca"));
        localhost = ca.issue("localhost", "EC", false, "dns:localhost", "ip:127.0.0.1");
        siteA = ca.issue("a.test", "RSA", false, "dns:a.test");
        siteB = ca.issue("b.test", "EC", false, "dns:b.test");
        client = ca.issue("alice", "EC", false, "dns:alice");
        stranger = otherCa.issue("mallory", "EC", false, "dns:mallory");
    }

    @Test
    void aJdkHttpClientGetsItsAnswerOverTlsAndTheUpstreamLearnsTheScheme() throws Exception {
        ScriptedUpstream up = upstreams.scripted().echo();
        ProxyServer proxy = proxy(ServerTls.of(localhost.certificateFile(), localhost.keyFile()), up,
                b -> b.route("/", r -> r.upstream(group(up)).setHeader("X-Forwarded-Proto", "$scheme")
                        .setHeader("X-Https", "$https")));
        HttpClient http = HttpClient.newBuilder().sslContext(ca.trustingContext()).connectTimeout(PATIENCE).build();
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("https://localhost:"
                + proxy.port() + "/hello")).timeout(PATIENCE).build(), HttpResponse.BodyHandlers.ofString());

        assertEquals(200, response.statusCode());
        RecordedRequest forwarded = up.requests().get(0);
        assertEquals("https", forwarded.header("X-Forwarded-Proto"));
        assertEquals("on", forwarded.header("X-Https"));
        assertEquals("/hello", forwarded.target());
    }

    @Test
    void theSniNameChoosesTheVirtualServersCertificateAndAnyOtherGetsTheAddresss() throws Exception {
        ScriptedUpstream up = upstreams.scripted().identity();
        ProxyServer proxy = proxy(ServerTls.of(localhost.certificateFile(), localhost.keyFile()), up, b -> b
                .route("/", r -> r.upstream(group(up)))
                .server("a.test", s -> s.tls(ServerTls.of(siteA.certificateFile(), siteA.keyFile()))
                        .route("/", r -> r.upstream(group(up))))
                .server("*.b.test b.test", s -> s.tls(ServerTls.of(siteB.certificateFile(), siteB.keyFile()))
                        .route("/", r -> r.upstream(group(up)))));

        assertEquals("CN=a.test", subjectFor(proxy, "a.test"));
        assertEquals("CN=b.test", subjectFor(proxy, "www.b.test"), "a wildcard server name selects by SNI too");
        assertEquals("CN=localhost", subjectFor(proxy, "unknown.test"));
        assertEquals("CN=localhost", subjectFor(proxy, null));
    }

    @Test
    void alpnSettlesOnHttp11() throws Exception {
        ScriptedUpstream up = upstreams.scripted().identity();
        ProxyServer proxy = proxy(ServerTls.of(localhost.certificateFile(), localhost.keyFile()), up, null);
        try (SSLSocket socket = connect(proxy, "localhost", p -> p.setApplicationProtocols(
                new String[] {"h2", "http/1.1"}))) {
            socket.startHandshake();
            assertEquals("http/1.1", socket.getApplicationProtocol());
        }
    }

    @Test
    void aClientOfferingOnlyH2IsToldNoApplicationProtocol() throws Exception {
        ScriptedUpstream up = upstreams.scripted().identity();
        ProxyServer proxy = proxy(ServerTls.of(localhost.certificateFile(), localhost.keyFile()), up, null);
        try (SSLSocket socket = connect(proxy, "localhost", p -> p.setApplicationProtocols(new String[] {"h2"}))) {
            SSLException refused = assertThrows(SSLException.class, socket::startHandshake);
            assertTrue(refused.getMessage().contains("no_application_protocol"), refused.getMessage());
        }
    }

    @Test
    void aProtocolTheAddressDoesNotAcceptFailsTheHandshake() throws Exception {
        ScriptedUpstream up = upstreams.scripted().identity();
        ProxyServer proxy = proxy(ServerTls.builder().certificate(localhost.certificateFile(), localhost.keyFile())
                .protocols("TLSv1.3").build(), up, null);
        try (SSLSocket socket = connect(proxy, "localhost", p -> p.setProtocols(new String[] {"TLSv1.2"}))) {
            assertThrows(SSLException.class, socket::startHandshake);
        }
        try (SSLSocket socket = connect(proxy, "localhost", p -> { })) {
            socket.startHandshake();
            assertEquals("TLSv1.3", socket.getSession().getProtocol());
        }
    }

    @Test
    void plainHttpSentToTheTlsPortGetsNginxs400AndTheConnectionCloses() throws Exception {
        ScriptedUpstream up = upstreams.scripted().identity();
        ProxyServer proxy = proxy(ServerTls.of(localhost.certificateFile(), localhost.keyFile()), up, null);
        try (RawClient raw = RawClient.connect(proxy.port())) {
            raw.timeout(PATIENCE);
            RawClient.Reply reply = raw.send(RawClient.get("/")).readResponse();
            assertEquals(400, reply.status());
            assertTrue(reply.bodyString().contains("The plain HTTP request was sent to HTTPS port"),
                    reply.bodyString());
            assertEquals(RawClient.End.EOF, raw.readUntilClose(PATIENCE).end());
        }
        assertEquals(0, up.requestCount());
    }

    @Test
    void aTls12ClientsCloseNotifyRightAfterARequestTheProxyAnswersItselfClosesTheConnection() throws Exception {
        ScriptedUpstream up = upstreams.scripted().identity();
        ProxyServer proxy = proxy(ServerTls.of(localhost.certificateFile(), localhost.keyFile()), up, null);

        sendWithCloseNotify(proxy, "GARBAGE\r\n\r\n"); // the JDK's TLS 1.2 engine then closes for writing too

        long before = ProxyInternals.loopCpuNanos();
        Thread.sleep(300);
        long spent = ProxyInternals.loopCpuNanos() - before;
        assertTrue(spent < Duration.ofMillis(100).toNanos(), "the loops used " + spent / 1_000_000 + " ms in 300 ms");
        assertEquals(0, up.requestCount());
    }

    /**
     * Over TLS 1.2, sends {@code request} and close_notify in one write and shuts the socket's output, then reads
     * until the proxy ends the connection; fails if it keeps it open.
     */
    private static void sendWithCloseNotify(ProxyServer proxy, String request) throws Exception {
        SSLEngine engine = ca.context(null).createSSLEngine("localhost", proxy.port());
        engine.setUseClientMode(true);
        engine.setEnabledProtocols(new String[] {"TLSv1.2"});
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
            socket.setSoTimeout((int) PATIENCE.toMillis());
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            ByteBuffer netOut = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
            ByteBuffer netIn = ByteBuffer.allocate(2 * engine.getSession().getPacketBufferSize()).flip();
            ByteBuffer plain = ByteBuffer.allocate(engine.getSession().getApplicationBufferSize());
            engine.beginHandshake();
            for (HandshakeStatus status = engine.getHandshakeStatus(); status != HandshakeStatus.NOT_HANDSHAKING
                    && status != HandshakeStatus.FINISHED; status = engine.getHandshakeStatus()) {
                if (status == HandshakeStatus.NEED_WRAP) {
                    engine.wrap(ByteBuffer.allocate(0), netOut.clear());
                    out.write(netOut.array(), 0, netOut.position());
                } else if (status == HandshakeStatus.NEED_TASK) {
                    engine.getDelegatedTask().run();
                } else if (engine.unwrap(netIn, plain).getStatus() == SSLEngineResult.Status.BUFFER_UNDERFLOW) {
                    netIn.compact();
                    int n = in.read(netIn.array(), netIn.position(), netIn.remaining());
                    assertTrue(n > 0, "the handshake ended early");
                    netIn.position(netIn.position() + n).flip();
                }
            }
            netOut.clear();
            engine.wrap(ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII)), netOut);
            engine.closeOutbound();
            engine.wrap(ByteBuffer.allocate(0), netOut);
            out.write(netOut.array(), 0, netOut.position());
            socket.shutdownOutput(); // and the end of the connection, as a client whose input ended
            try {
                while (in.read() >= 0) {
                    // the 400, if it went out before the proxy read the close_notify; then the end
                }
            } catch (SocketTimeoutException e) {
                fail("the proxy kept the connection open");
            } catch (IOException reset) {
                // the proxy closed it without reading the rest: a reset ends it too
            }
        }
    }

    @Test
    void theSslVariablesReachTheUpstream() throws Exception {
        ScriptedUpstream up = upstreams.scripted().echo();
        ProxyServer proxy = proxy(ServerTls.of(localhost.certificateFile(), localhost.keyFile()), up,
                b -> b.route("/", r -> r.upstream(group(up)).setHeader("X-Protocol", "$ssl_protocol")
                        .setHeader("X-Cipher", "$ssl_cipher").setHeader("X-Sni", "$ssl_server_name")
                        .setHeader("X-Verify", "$ssl_client_verify")));
        try (SSLSocket socket = connect(proxy, "localhost", p -> { })) {
            exchange(socket, RawClient.get("/"));
            RecordedRequest forwarded = up.requests().get(0);
            assertEquals(socket.getSession().getProtocol(), forwarded.header("X-Protocol"));
            assertEquals(socket.getSession().getCipherSuite(), forwarded.header("X-Cipher"));
            assertEquals("localhost", forwarded.header("X-Sni"));
            assertEquals("NONE", forwarded.header("X-Verify"));
        }
    }

    @Test
    void theExchangeRecordCarriesTheClientsTls() throws Exception {
        ScriptedUpstream up = upstreams.scripted().identity();
        Exchanges records = new Exchanges();
        ProxyServer proxy = proxy(ServerTls.of(localhost.certificateFile(), localhost.keyFile()), up,
                b -> b.listener(records).route("/", r -> r.upstream(group(up))));
        try (SSLSocket socket = connect(proxy, "localhost", p -> { })) {
            exchange(socket, RawClient.get("/"));
            assertTrue(Exchanges.await(() -> records.exchanges.size() == 1, 5_000));
            ClientTls tls = records.exchanges.get(0).tls();
            assertEquals(socket.getSession().getProtocol(), tls.protocol());
            assertEquals("localhost", tls.serverName());
            assertEquals("https", dev.sluice.observe.LogFormat.parse("$scheme").format(records.exchanges.get(0)));
        }
    }

    @Test
    void aDemandedClientCertificateIsCheckedAndEachFailureGetsItsOwn400() throws Exception {
        ScriptedUpstream up = upstreams.scripted().echo();
        ServerTls demanding = ServerTls.builder().certificate(localhost.certificateFile(), localhost.keyFile())
                .clientCertificate(ca.caFile()).verifyClient(ServerTls.ClientVerify.ON).build();
        ProxyServer proxy = proxy(demanding, up, b -> b.route("/", r -> r.upstream(group(up))
                .setHeader("X-Verify", "$ssl_client_verify").setHeader("X-Subject", "$ssl_client_s_dn")));

        assertTrue(exchangeAs(proxy, null).contains("No required SSL certificate was sent"));
        assertTrue(exchangeAs(proxy, stranger).contains("The SSL certificate error"));
        assertTrue(exchangeAs(proxy, client).startsWith("HTTP/1.1 200"));
        assertEquals(1, up.requestCount(), "only the verified client's request went upstream");
        assertEquals("SUCCESS", up.requests().get(0).header("X-Verify"));
        assertEquals("CN=alice", up.requests().get(0).header("X-Subject"));
    }

    @Test
    void anOptionalClientCertificateLetsAClientWithoutOneIn() throws Exception {
        ScriptedUpstream up = upstreams.scripted().echo();
        ServerTls optional = ServerTls.builder().certificate(localhost.certificateFile(), localhost.keyFile())
                .clientCertificate(ca.caFile()).verifyClient(ServerTls.ClientVerify.OPTIONAL).build();
        ProxyServer proxy = proxy(optional, up, b -> b.route("/", r -> r.upstream(group(up))
                .setHeader("X-Verify", "$ssl_client_verify")));
        assertTrue(exchangeAs(proxy, null).startsWith("HTTP/1.1 200"));
        assertEquals("NONE", up.requests().get(0).header("X-Verify"));
    }

    @Test
    void theHandlerSeesWhatTheHandshakeSettled() throws Exception {
        ScriptedUpstream up = upstreams.scripted().identity();
        ProxyHandler tellTls = new ProxyHandler() {
            @Override
            public Answer onRequest(ProxyRequest request) {
                Optional<ClientTls> tls = request.tls();
                return Answer.of(200, tls.map(t -> t.protocol() + " " + t.serverName()).orElse("plain"));
            }
        };
        ProxyServer proxy = proxy(ServerTls.of(localhost.certificateFile(), localhost.keyFile()), up,
                b -> b.route("/", r -> r.upstream(group(up)).handler(tellTls)));
        try (SSLSocket socket = connect(proxy, "localhost", p -> { })) {
            String reply = exchange(socket, RawClient.get("/"));
            assertTrue(reply.endsWith(socket.getSession().getProtocol() + " localhost"), reply);
        }
    }

    @Test
    void aReloadPresentsTheNewCertificateAndABadFileKeepsTheOne() throws Exception {
        Path chain = dir.resolve("live.pem");
        Path key = dir.resolve("live.key");
        Files.copy(siteA.certificateFile(), chain, StandardCopyOption.REPLACE_EXISTING);
        Files.copy(siteA.keyFile(), key, StandardCopyOption.REPLACE_EXISTING);
        ScriptedUpstream up = upstreams.scripted().identity();
        ProxyServer proxy = proxy(ServerTls.of(chain, key), up, null);
        assertEquals("CN=a.test", subjectFor(proxy, "a.test"));

        Files.copy(siteB.certificateFile(), chain, StandardCopyOption.REPLACE_EXISTING);
        Files.copy(siteB.keyFile(), key, StandardCopyOption.REPLACE_EXISTING);
        proxy.reloadCertificates();
        assertEquals("CN=b.test", subjectFor(proxy, "a.test"));

        Files.writeString(chain, "not a certificate\n");
        TlsFileException bad = assertThrows(TlsFileException.class, proxy::reloadCertificates);
        assertEquals(chain, bad.file());
        assertEquals("CN=b.test", subjectFor(proxy, "a.test"), "a failed reload keeps the certificate in use");
    }

    @Test
    void aCertificateFileThatCannotBeUsedStopsTheStartNamingIt() {
        TlsFileException e = assertThrows(TlsFileException.class, () -> ProxyServer.builder()
                .listen("127.0.0.1:0", ServerTls.of(siteA.certificateFile(), siteB.keyFile()))
                .route("/", r -> r.upstream(UpstreamGroup.builder("b").server("127.0.0.1:1").build())).start()
                .close());
        assertEquals(siteB.keyFile(), e.file());
        assertTrue(e.getMessage().contains("key values mismatch"), e.getMessage());
    }

    @Test
    void aPkcs12KeyStoreServesAsTheCertificateAndAWrongPasswordNamesTheFile() throws Exception {
        ScriptedUpstream up = upstreams.scripted().identity();
        ProxyServer proxy = proxy(ServerTls.builder().keyStore(siteB.keyStoreFile(), TestCertificates.PASSWORD)
                .build(), up, null);
        assertEquals("CN=b.test", subjectFor(proxy, null));

        TlsFileException wrong = assertThrows(TlsFileException.class, () -> ProxyServer.builder()
                .listen("127.0.0.1:0", ServerTls.builder().keyStore(siteB.keyStoreFile(), "wrong").build())
                .route("/", r -> r.upstream(group(up))).start().close());
        assertEquals(siteB.keyStoreFile(), wrong.file());
    }

    @Test
    void aClientThatNeverHandshakesIsClosedAfterTheHeaderTimeout() throws Exception {
        ScriptedUpstream up = upstreams.scripted().identity();
        ProxyServer proxy = upstreams.manage(ProxyServer.builder()
                .listen("127.0.0.1:0", ServerTls.of(localhost.certificateFile(), localhost.keyFile()))
                .clientHeaderTimeout(Duration.ofMillis(300)).route("/", r -> r.upstream(group(up))).start());
        try (RawClient raw = RawClient.connect(proxy.port())) {
            assertEquals(RawClient.End.EOF, raw.readUntilClose(PATIENCE).end());
        }
    }

    @Test
    void aClientSilentSinceItConnectedMakesRoomForAHandshakeAtTheLimit() throws Exception {
        ScriptedUpstream up = upstreams.scripted().identity();
        ProxyServer proxy = upstreams.manage(ProxyServer.builder()
                .listen("127.0.0.1:0", ServerTls.of(localhost.certificateFile(), localhost.keyFile())).workers(1)
                .maxConnections(1).route("/", r -> r.upstream(group(up))).start());
        try (RawClient silent = RawClient.connect(proxy.port())) {
            long deadline = System.nanoTime() + PATIENCE.toNanos();
            while (ProxyInternals.engine(proxy).loops.connections().open() < 1 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            try (SSLSocket next = connect(proxy, "localhost", p -> { })) {
                assertTrue(exchange(next, RawClient.get("/")).startsWith("HTTP/1.1 200 "));
            }
            assertEquals(RawClient.End.EOF, silent.readUntilClose(PATIENCE).end());
        }
    }

    @Test
    void pipelinedRequestsAndLargeBodiesGoThroughTls() throws Exception {
        ScriptedUpstream up = upstreams.scripted().echo();
        ProxyServer proxy = proxy(ServerTls.of(localhost.certificateFile(), localhost.keyFile()), up, null);
        byte[] body = "x".repeat(300_000).getBytes(StandardCharsets.US_ASCII);
        try (SSLSocket socket = connect(proxy, "localhost", p -> { })) {
            socket.getOutputStream().write((RawClient.get("/1") + RawClient.get("/2") + RawClient.get("/3"))
                    .getBytes(StandardCharsets.US_ASCII));
            RawClient reader = RawClient.over(socket);
            for (int i = 1; i <= 3; i++) {
                assertTrue(reader.readResponse().bodyString().startsWith("GET /" + i + " "));
            }
            socket.getOutputStream().write(("POST /up HTTP/1.1\r\nHost: localhost\r\nContent-Length: " + body.length
                    + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().write(body);
            RawClient.Reply echoed = reader.readResponse();
            assertTrue(echoed.body().length > body.length, "the echo holds the head and the whole body");
        }
    }

    @Test
    void pipelinedRequestsBeyondOneReadBufferAreReadFromWhatTlsDecryptedAhead() throws Exception {
        ScriptedUpstream up = upstreams.scripted().identity();
        ProxyServer proxy = proxy(ServerTls.of(localhost.certificateFile(), localhost.keyFile()), up, null);
        int count = 200;
        StringBuilder burst = new StringBuilder();
        for (int i = 0; i < count; i++) {
            burst.append("GET /").append(i).append(" HTTP/1.1\r\nHost: localhost\r\nX-Padding: ")
                    .append("p".repeat(100)).append("\r\n\r\n");
        }
        try (SSLSocket socket = connect(proxy, "localhost", p -> { })) {
            socket.getOutputStream().write(burst.toString().getBytes(StandardCharsets.US_ASCII));
            RawClient reader = RawClient.over(socket);
            for (int i = 0; i < count; i++) {
                assertEquals(200, reader.readResponse().status(), "response " + i);
            }
        }
        assertEquals(count, up.requestCount());
    }

    // ------------------------------------------------------------------------------------------------ fixtures

    private ProxyServer proxy(ServerTls tls, ScriptedUpstream up, Consumer<ProxyServer.Builder> routes)
            throws IOException {
        ProxyServer.Builder builder = ProxyServer.builder().listen("127.0.0.1:0", tls).workers(1);
        if (routes == null) {
            builder.route("/", r -> r.upstream(group(up)));
        } else {
            routes.accept(builder);
        }
        return upstreams.manage(builder.start());
    }

    private static UpstreamGroup group(ScriptedUpstream up) {
        return UpstreamGroup.builder("backend").server(up.address()).build();
    }

    /** The subject of the certificate the proxy presents for {@code sni} (null: none sent). */
    private static String subjectFor(ProxyServer proxy, String sni) throws Exception {
        try (SSLSocket socket = connect(proxy, sni, p -> { })) {
            socket.startHandshake();
            return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSubjectX500Principal()
                    .getName();
        }
    }

    private static SSLSocket connect(ProxyServer proxy, String sni, Consumer<SSLParameters> parameters)
            throws Exception {
        return connect(proxy, sni, parameters, null);
    }

    /** A TLS socket to the proxy trusting the test CA, sending {@code sni}, presenting {@code as} if not null. */
    private static SSLSocket connect(ProxyServer proxy, String sni, Consumer<SSLParameters> parameters,
            TestCertificates.Issued as) throws Exception {
        SSLSocket socket = (SSLSocket) ca.context(as).getSocketFactory().createSocket(InetAddress.getLoopbackAddress(),
                proxy.port());
        socket.setSoTimeout((int) PATIENCE.toMillis());
        SSLParameters p = socket.getSSLParameters();
        p.setServerNames(sni == null ? List.of() : List.of(new SNIHostName(sni)));
        parameters.accept(p);
        socket.setSSLParameters(p);
        return socket;
    }

    /** Sends {@code request} on {@code socket} and returns the response as text, head and body. */
    private static String exchange(SSLSocket socket, String request) throws IOException {
        socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
        return new String(RawClient.over(socket).readResponse().raw(), StandardCharsets.ISO_8859_1);
    }

    /** One GET over a TLS connection presenting {@code as} (null: no certificate); the response as text. */
    private static String exchangeAs(ProxyServer proxy, TestCertificates.Issued as) throws Exception {
        try (SSLSocket socket = connect(proxy, "localhost", p -> { }, as)) {
            return exchange(socket, RawClient.get("/"));
        }
    }
}
