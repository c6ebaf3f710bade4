package dev.sluice.internal.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sluice.ProxyServer;
import dev.sluice.ServerTls;
import dev.sluice.UpstreamTls;
import dev.sluice.testing.RawClient;
import dev.sluice.testing.ScriptedUpstream;
import dev.sluice.testing.TestCertificates;
import dev.sluice.testing.Upstreams;
import dev.sluice.upstream.UpstreamGroup;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS with peers Sluice did not write: {@code curl} and {@code openssl s_client} as clients of a TLS address, and
 * nginx from the system as an HTTPS upstream that demands a client certificate. Each test needs its tool on the
 * PATH ({@code .ci/run} installs them from the system's packages when they are missing) and says so when it is not.
 */
class TlsInteropTest {

    private static final Duration PATIENCE = Duration.ofSeconds(20);

    @TempDir
    static Path dir;
    private static TestCertificates ca;
    private static TestCertificates.Issued localhost;
    private static TestCertificates.Issued siteA;
    private static TestCertificates.Issued client;

    @RegisterExtension
    final Upstreams upstreams = new Upstreams();

    @BeforeAll
    static void issue() throws IOException {
        ca = TestCertificates.create(dir.resolve("ca"));
        localhost = ca.issue("localhost", "EC", false, "dns:localhost", "ip:127.0.0.1");
        siteA = ca.issue("a.test", "RSA", false, "dns:a.test");
        client = ca.issue("alice", "EC", false, "dns:alice");
    }

    /** What a process printed and how it ended. */
    private record Run(int exit, String out) {
    }

    private static Run run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        assertTrue(process.waitFor(PATIENCE.toSeconds(), TimeUnit.SECONDS), "finished in time: " + command);
        return new Run(process.exitValue(), new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    private static String tool(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            for (String place : new String[] {dir, "/usr/sbin"}) {
                Path candidate = Path.of(place, name);
                if (Files.isExecutable(candidate)) {
                    return candidate.toString();
                }
            }
        }
        assumeTrue(false, name + " is not installed: .ci/run installs it (apt-get install " + name + ")");
        return name;
    }

    private ProxyServer proxy(ServerTls tls, Consumer<ProxyServer.Builder> routes) throws IOException {
        ProxyServer.Builder builder = ProxyServer.builder().listen("127.0.0.1:0", tls).workers(1);
        routes.accept(builder);
        return upstreams.manage(builder.start());
    }

    private static UpstreamGroup group(String address) {
        return UpstreamGroup.builder("backend").server(address).build();
    }

    @Test
    void curlVerifiesTheCertificateItsSniNameChoseAndGetsTheAnswer() throws Exception {
        String curl = tool("curl");
        ScriptedUpstream up = upstreams.scripted().identity();
        ProxyServer proxy = proxy(ServerTls.of(localhost.certificateFile(), localhost.keyFile()), b -> b
                .route("/", r -> r.upstream(group(up.address())))
                .server("a.test", s -> s.tls(ServerTls.of(siteA.certificateFile(), siteA.keyFile()))
                        .route("/", r -> r.upstream(group(up.address())).setHeader("X-Site", "a"))));

        Run a = run(List.of(curl, "-sS", "--cacert", ca.caFile().toString(), "--resolve",
                "a.test:" + proxy.port() + ":127.0.0.1", "-w", " %{http_code} %{ssl_verify_result}",
                "https://a.test:" + proxy.port() + "/x"));
        Run plain = run(List.of(curl, "-sS", "--cacert", ca.caFile().toString(), "--resolve",
                "b.test:" + proxy.port() + ":127.0.0.1", "https://b.test:" + proxy.port() + "/x"));

        assertEquals(new Run(0, up.port() + " 200 0"), a, "curl verified a.test's certificate, chosen by SNI");
        assertEquals(60, plain.exit(), "any other name gets the address's certificate, which curl refuses: " + plain);
        assertEquals("a", up.requests().get(0).header("X-Site"));
    }

    @Test
    void opensslSettlesOnTls13AndHttp11AndIsRefusedAProtocolTheAddressDoesNotTake() throws Exception {
        String openssl = tool("openssl");
        ScriptedUpstream up = upstreams.scripted().identity();
        ProxyServer proxy = proxy(ServerTls.builder().certificate(localhost.certificateFile(), localhost.keyFile())
                .protocols("TLSv1.3").build(), b -> b.route("/", r -> r.upstream(group(up.address()))));
        String address = "127.0.0.1:" + proxy.port();

        Run ok = run(List.of(openssl, "s_client", "-connect", address, "-servername", "localhost", "-alpn",
                "h2,http/1.1", "-CAfile", ca.caFile().toString(), "-verify_return_error"));
        Run old = run(List.of(openssl, "s_client", "-connect", address, "-tls1_2"));

        assertEquals(0, ok.exit(), ok.out());
        assertTrue(ok.out().contains("New, TLSv1.3"), ok.out());
        assertTrue(ok.out().contains("ALPN protocol: http/1.1"), "h2 offered, http/1.1 chosen: " + ok.out());
        assertTrue(ok.out().contains("Verify return code: 0 (ok)"), ok.out());
        assertNotEquals(0, old.exit(), old.out());
        assertTrue(old.out().contains("alert protocol version"), "the proxy's alert: " + old.out());
    }

    @Test
    void nginxAsAnHttpsUpstreamIsVerifiedAndGetsTheClientCertificateItDemands() throws Exception {
        String nginx = tool("nginx");
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        Path prefix = Files.createDirectories(dir.resolve("nginx"));
        Files.createDirectories(prefix.resolve("logs"));
        Files.writeString(prefix.resolve("nginx.conf"), "daemon off;\nmaster_process off;\npid " + prefix.resolve("nginx.pid")
                + ";\nerror_log " + prefix.resolve("logs/error.log") + ";\nevents {}\nhttp {\n  access_log off;\n"
                + "  server {\n    listen 127.0.0.1:" + port + " ssl;\n"
                + "    ssl_certificate " + localhost.certificateFile() + ";\n"
                + "    ssl_certificate_key " + localhost.keyFile() + ";\n"
                + "    ssl_protocols TLSv1.2 TLSv1.3;\n"
                + "    ssl_client_certificate " + ca.caFile() + ";\n    ssl_verify_client on;\n"
                + "    location / { return 200 \"nginx saw $ssl_client_s_dn over $ssl_protocol\"; }\n  }\n}\n");
        Process process = new ProcessBuilder(nginx, "-p", prefix + "/", "-c", prefix.resolve("nginx.conf").toString())
                .redirectErrorStream(true).redirectOutput(prefix.resolve("logs/out.log").toFile()).start();
        List<AutoCloseable> stop = new ArrayList<>();
        stop.add(() -> {
            process.destroy();
            process.waitFor(5, TimeUnit.SECONDS);
        });
        try {
            awaitListening(port, process, prefix);
            UpstreamTls verified = UpstreamTls.builder().verify(true).trustedCertificate(ca.caFile()).build();
            UpstreamTls withCertificate = UpstreamTls.builder().verify(true).trustedCertificate(ca.caFile())
                    .certificate(client.certificateFile(), client.keyFile()).build();
            UpstreamGroup group = group("127.0.0.1:" + port);
            ProxyServer proxy = upstreams.manage(ProxyServer.builder().listen("127.0.0.1:0").workers(1)
                    .route("/mtls/", r -> r.upstream(group).upstreamTls(withCertificate))
                    .route("/", r -> r.upstream(group).upstreamTls(verified)).start());

            RawClient.Reply mtls = get(proxy, "/mtls/x");
            RawClient.Reply without = get(proxy, "/x");

            assertEquals(200, mtls.status());
            assertEquals("nginx saw CN=alice over TLSv1.3", mtls.bodyString());
            assertEquals(400, without.status(), "nginx's answer to a client without the certificate it demands");
            assertTrue(without.bodyString().contains("No required SSL certificate was sent"), without.bodyString());
        } finally {
            for (AutoCloseable closeable : stop) {
                closeable.close();
            }
        }
    }

    private static void awaitListening(int port, Process process, Path prefix) throws Exception {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (System.nanoTime() < deadline) {
            try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
                return;
            } catch (IOException notYet) {
                assertTrue(process.isAlive(), () -> "nginx ended: " + read(prefix.resolve("logs/out.log"))
                        + read(prefix.resolve("logs/error.log")));
                Thread.sleep(20);
            }
        }
        throw new AssertionError("nginx never listened: " + read(prefix.resolve("logs/error.log")));
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static RawClient.Reply get(ProxyServer proxy, String target) throws IOException {
        try (RawClient c = RawClient.connect(proxy.port())) {
            c.timeout(PATIENCE);
            return c.send(RawClient.get(target)).readResponse();
        }
    }
}
