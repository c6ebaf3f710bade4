package dev.sluice.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.sluice.testing.ScriptedDns;
import dev.sluice.testing.TestCertificates;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged proxy from outside: {@code java -jar target/sluice.jar} with NGINX Plus's features as flags, driven
 * over loopback with the JDK's HTTP client and read back through {@code --status-listen}. Runs after the jar is built
 * ({@code mvn verify}); every process and server a test starts, the test stops.
 */
class JarIT {

    private static final Path JAR = Path.of("target", "sluice.jar");
    private static final Duration PATIENCE = Duration.ofSeconds(15);
    private static final Pattern LISTENING = Pattern.compile("listening on (\\S+?)(/api\\S*)?$");

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<HttpServer> upstreams = new ArrayList<>();
    private final ExecutorService upstreamThreads = Executors.newCachedThreadPool();
    private Process proxy;
    private volatile String proxyAddress;
    private volatile String statusAddress;
    /** Whether the process prints a status API's address too, as every flag-started one here does. */
    private volatile boolean expectStatus = true;
    /** The proxy's {@code --listen}. */
    private String listen = "127.0.0.1:0";

    @AfterEach
    void stop() throws InterruptedException {
        if (proxy != null) {
            proxy.destroy();
            if (!proxy.waitFor(15, TimeUnit.SECONDS)) {
                proxy.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
        upstreams.forEach(server -> server.stop(0));
        upstreamThreads.shutdownNow();
    }

    @Test
    void aRequestThatFindsThePeerBusyWaitsInTheQueueAndTheStatusDocumentShowsIt() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger seen = new AtomicInteger();
        String upstream = upstream(exchange -> {
            if (seen.incrementAndGet() == 1) {
                await(release);
            }
            respond(exchange, 200, "served " + exchange.getRequestURI().getPath());
        });
        start("--server", upstream + " max_conns=1", "--queue", "5 timeout=20s");

        CompletableFuture<HttpResponse<String>> first = getAsync("/first");
        awaitStatus(json -> json.contains("\"active\":1"));
        CompletableFuture<HttpResponse<String>> second = getAsync("/second");
        awaitStatus(json -> json.contains("\"queue\":{\"size\":1,\"max_size\":5,\"overflows\":0}"));
        release.countDown();

        assertEquals("served /first", first.get(PATIENCE.toSeconds(), TimeUnit.SECONDS).body());
        HttpResponse<String> waited = second.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        assertEquals(200, waited.statusCode());
        assertEquals("served /second", waited.body());
    }

    @Test
    void aPeerFailingItsHealthChecksGetsNoRequestsAndTheStatusDocumentSaysUnhealthy() throws Exception {
        String healthy = upstream(exchange -> respond(exchange, 200, "healthy"));
        String sick = upstream(exchange -> respond(exchange, exchange.getRequestURI().getPath().equals("/health")
                ? 503 : 200, "sick"));
        start("--server", healthy, "--server", sick, "--health-check", "interval=100ms uri=/health status=200");

        awaitStatus(json -> json.contains("\"state\":\"unhealthy\""));
        for (int i = 0; i < 10; i++) {
            assertEquals("healthy", get("/" + i).body());
        }
    }

    @Test
    void leastTimeSendsAlmostNothingToAPeerThatTakes200MillisecondsLonger() throws Exception {
        AtomicInteger slowCount = new AtomicInteger();
        String fast = upstream(exchange -> respond(exchange, 200, "fast"));
        String slow = upstream(exchange -> {
            slowCount.incrementAndGet();
            sleep(200);
            respond(exchange, 200, "slow");
        });
        start("--server", fast, "--server", slow, "--balance", "least_time header");

        for (int i = 0; i < 20; i++) {
            assertEquals(200, get("/" + i).statusCode());
        }

        assertTrue(slowCount.get() <= 2, slowCount.get() + " of 20 requests went to the slow peer");
        awaitStatus(json -> json.contains("\"header_time\""));
    }

    @Test
    void aStickyCookieKeepsAClientWithThePeerThatFirstAnsweredIt() throws Exception {
        String a = upstream(exchange -> respond(exchange, 200, "a"));
        String b = upstream(exchange -> respond(exchange, 200, "b"));
        start("--server", a, "--server", b, "--sticky", "cookie srv_id path=/ httponly");

        HttpResponse<String> first = get("/");
        String cookie = first.headers().firstValue("Set-Cookie").orElseThrow();
        assertTrue(cookie.matches("srv_id=[0-9a-f]{32}; path=/; httponly"), cookie);
        String id = cookie.substring(0, cookie.indexOf(';'));
        for (int i = 0; i < 10; i++) {
            HttpResponse<String> again = client.send(HttpRequest.newBuilder(URI.create("http://" + proxyAddress + "/"))
                    .header("Cookie", id).timeout(PATIENCE).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(first.body(), again.body(), "request " + i);
            assertTrue(again.headers().firstValue("Set-Cookie").isEmpty());
        }
        assertEquals(first.body().equals("a") ? "b" : "a", get("/").body(), "a client without the cookie is balanced");
    }

    @Test
    void serversAddedAndRemovedThroughTheApiChangeWhereRequestsGo() throws Exception {
        String a = upstream(exchange -> respond(exchange, 200, "a"));
        String b = upstream(exchange -> respond(exchange, 200, "b"));
        startWith("--api-listen", "--server", a);
        String servers = "http://" + statusAddress + "/api/9/http/upstreams/backend/servers";

        HttpResponse<String> added = client.send(HttpRequest.newBuilder(URI.create(servers)).timeout(PATIENCE)
                .POST(HttpRequest.BodyPublishers.ofString("{\"server\": \"" + b + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(201, added.statusCode(), added.body());
        assertEquals("ab", get("/").body() + get("/").body(), "round robin starts again from the new membership");

        HttpResponse<String> removed = client.send(HttpRequest.newBuilder(URI.create(servers + "/0"))
                .timeout(PATIENCE).DELETE().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, removed.statusCode(), removed.body());
        for (int i = 0; i < 5; i++) {
            assertEquals("b", get("/" + i).body());
        }
        HttpResponse<String> bad = client.send(HttpRequest.newBuilder(URI.create(servers + "/1")).timeout(PATIENCE)
                .method("PATCH", HttpRequest.BodyPublishers.ofString("{\"weight\": 0}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(400, bad.statusCode());
        assertTrue(bad.body().contains("\"code\":\"UpstreamBadWeight\""), bad.body());
    }

    @Test
    void theStateFileSurvivesAKillAmidItsWritesAndTheNextStartServesItsServers(@TempDir Path dir) throws Exception {
        String a = upstream(exchange -> respond(exchange, 200, "a"));
        String b = upstream(exchange -> respond(exchange, 200, "b"));
        Path state = dir.resolve("backend.state");
        startWith("--api-listen", "--server", a, "--upstream-state", state.toString());
        String servers = "http://" + statusAddress + "/api/9/http/upstreams/backend/servers";
        AtomicInteger changes = new AtomicInteger();
        CompletableFuture<Void> churn = CompletableFuture.runAsync(() -> {
            for (int i = 0; i < 2_000; i++) {
                try {
                    HttpResponse<String> added = client.send(HttpRequest.newBuilder(URI.create(servers))
                            .timeout(PATIENCE).POST(HttpRequest.BodyPublishers.ofString("{\"server\": \"" + b
                                    + "\", \"weight\": " + (1 + i % 9) + "}")).build(),
                            HttpResponse.BodyHandlers.ofString());
                    String id = added.body().substring("{\"id\":".length(), added.body().indexOf(','));
                    client.send(HttpRequest.newBuilder(URI.create(servers + "/" + id)).timeout(PATIENCE).DELETE()
                            .build(), HttpResponse.BodyHandlers.ofString());
                    changes.addAndGet(2);
                } catch (IOException | InterruptedException | RuntimeException e) {
                    return; // the proxy was killed under the loop
                }
            }
        });
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (changes.get() < 100 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertTrue(changes.get() >= 100, changes.get() + " changes before the kill");
        proxy.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        churn.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);

        String text = Files.readString(state);
        assertTrue(text.contains("server " + a + " weight=1"), text);
        proxyAddress = null;
        statusAddress = null;
        startWith("--status-listen", "--server", "127.0.0.1:9", "--upstream-state", state.toString());

        for (int i = 0; i < 4; i++) {
            HttpResponse<String> reply = get("/" + i);
            assertEquals(200, reply.statusCode(), "the servers came from the state file, not --server");
            assertTrue(reply.body().equals("a") || reply.body().equals("b"), reply.body());
        }
    }

    @Test
    void aServerNameThatMovesToAnotherAddressTakesTheTrafficWithIt() throws Exception {
        String first = upstream(exchange -> respond(exchange, 200, "first"));
        int port = Integer.parseInt(first.substring(first.indexOf(':') + 1));
        upstreamAt("127.0.0.2", port, exchange -> respond(exchange, 200, "second"));
        try (ScriptedDns dns = ScriptedDns.start()) {
            dns.address("app.test", 60, "127.0.0.1");
            start("--server", "app.test:" + port + " resolve", "--resolver",
                    "127.0.0.1:" + dns.address().getPort() + " valid=1s");
            assertEquals("first", get("/").body());

            dns.address("app.test", 60, "127.0.0.2");

            awaitStatus(json -> json.contains("\"name\":\"127.0.0.2:" + port + "\"")
                    && !json.contains("\"name\":\"127.0.0.1:" + port + "\""));
            assertEquals("second", get("/").body());
        }
    }

    @Test
    void aServiceNameTakesItsServersFromSrvRecordsTheLowerPriorityAsBackups() throws Exception {
        String primary = upstream(exchange -> respond(exchange, 200, "primary"));
        String backup = upstream(exchange -> respond(exchange, 200, "backup"));
        int primaryPort = Integer.parseInt(primary.substring(primary.indexOf(':') + 1));
        int backupPort = Integer.parseInt(backup.substring(backup.indexOf(':') + 1));
        try (ScriptedDns dns = ScriptedDns.start()) {
            dns.srv("_http._tcp.app.test", 60, 1, 1, primaryPort, "a.app.test")
                    .srv("_http._tcp.app.test", 60, 2, 1, backupPort, "b.app.test");
            dns.address("a.app.test", 60, "127.0.0.1").address("b.app.test", 60, "127.0.0.1");
            start("--server", "app.test service=http resolve", "--resolver", "127.0.0.1:" + dns.address().getPort());

            awaitStatus(json -> json.contains("\"name\":\"127.0.0.1:" + primaryPort + "\"")
                    && json.contains("\"name\":\"127.0.0.1:" + backupPort + "\""));
            for (int i = 0; i < 3; i++) {
                assertEquals("primary", get("/" + i).body(), "the backup serves only when the primary cannot");
            }
        }
    }

    @Test
    void aKubernetesServiceLineTakesItsServersFromTheServicesEndpointSlices(@TempDir Path dir) throws Exception {
        String pod = upstream(exchange -> respond(exchange, 200, "pod"));
        int podPort = Integer.parseInt(pod.substring(pod.indexOf(':') + 1));
        String slice = "{\"kind\":\"EndpointSlice\",\"apiVersion\":\"discovery.k8s.io/v1\",\"metadata\":{\"name\":"
                + "\"web-a\",\"namespace\":\"shop\",\"resourceVersion\":\"7\",\"labels\":{\"kubernetes.io/service-name\":"
                + "\"web\"}},\"addressType\":\"IPv4\",\"endpoints\":[{\"addresses\":[\"127.0.0.1\"],\"conditions\":"
                + "{\"ready\":true}}],\"ports\":[{\"name\":\"http\",\"protocol\":\"TCP\",\"port\":" + podPort + "}]}";
        List<String> asked = new CopyOnWriteArrayList<>();
        String api = upstream(exchange -> {
            asked.add(exchange.getRequestURI() + " " + exchange.getRequestHeaders().getFirst("Authorization"));
            boolean watch = exchange.getRequestURI().getQuery().contains("watch=true");
            respond(exchange, 200, watch ? "" : "{\"kind\":\"EndpointSliceList\",\"metadata\":"
                    + "{\"resourceVersion\":\"7\"},\"items\":[" + slice + "]}");
        });
        Path token = Files.writeString(dir.resolve("token"), "secret\n");

        start("--server", "k8s:shop/web:http max_fails=2", "--kubernetes-api", "http://" + api,
                "--kubernetes-token", token.toString());

        awaitStatus(json -> json.contains("\"name\":\"127.0.0.1:" + podPort + "\""));
        assertEquals("pod", get("/").body());
        assertTrue(asked.get(0).startsWith("/apis/discovery.k8s.io/v1/namespaces/shop/endpointslices?labelSelector="
                + "kubernetes.io%2Fservice-name%3Dweb") && asked.get(0).endsWith(" Bearer secret"), asked.get(0));
    }

    @Test
    void aProxyStartedWithSighupIgnoredSaysItCannotReadItsCertificatesAgain() throws Exception {
        String up = upstream(exchange -> respond(exchange, 200, "up"));
        proxy = new ProcessBuilder("env", "--ignore-signal=HUP", ProcessHandle.current().info().command()
                .orElse("java"), "-jar", JAR.toString(), "--listen", "127.0.0.1:0", "--server", up)
                .redirectErrorStream(true).start();
        List<String> lines = assertTimeoutPreemptively(PATIENCE, () -> {
            List<String> read = new ArrayList<>();
            BufferedReader out = new BufferedReader(new InputStreamReader(proxy.getInputStream(),
                    StandardCharsets.UTF_8));
            for (String line = out.readLine(); line != null && read.size() < 50; line = out.readLine()) {
                read.add(line);
                if (line.contains("listening on")) {
                    break;
                }
            }
            return read;
        });
        assertTrue(lines.stream().anyMatch(line -> line.startsWith("sluice: SIGHUP cannot be handled in this process")),
                lines.toString());
    }

    @Test
    void anSslAddressTerminatesTlsAndSighupReadsItsCertificateAgain(@TempDir Path dir) throws Exception {
        TestCertificates ca = TestCertificates.create(dir.resolve("ca"));
        TestCertificates.Issued first = ca.issue("first", "EC", false, "dns:localhost", "ip:127.0.0.1");
        TestCertificates.Issued second = ca.issue("second", "RSA", false, "dns:localhost", "ip:127.0.0.1");
        Path chain = dir.resolve("proxy.pem");
        Path key = dir.resolve("proxy.key");
        Files.copy(first.certificateFile(), chain);
        Files.copy(first.keyFile(), key);
        String up = upstream(exchange -> respond(exchange, 200, exchange.getRequestHeaders().getFirst("X-Scheme")));
        listen = "127.0.0.1:0 ssl";

        start("--server", up, "--ssl-certificate", chain.toString(), "--ssl-certificate-key", key.toString(),
                "--proxy-set-header", "X-Scheme $scheme");

        HttpClient https = HttpClient.newBuilder().sslContext(ca.trustingContext()).connectTimeout(PATIENCE).build();
        assertEquals("https", https.send(request("https://" + proxyAddress + "/"),
                HttpResponse.BodyHandlers.ofString()).body());
        assertEquals("CN=first", subjectAt(proxyAddress, ca));

        Files.copy(second.certificateFile(), chain, StandardCopyOption.REPLACE_EXISTING);
        Files.copy(second.keyFile(), key, StandardCopyOption.REPLACE_EXISTING);
        assertEquals(0, new ProcessBuilder("kill", "-HUP", Long.toString(proxy.pid())).start().waitFor());
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        String subject = subjectAt(proxyAddress, ca);
        while (!subject.equals("CN=second") && System.nanoTime() < deadline) {
            sleep(50);
            subject = subjectAt(proxyAddress, ca);
        }
        assertEquals("CN=second", subject, "SIGHUP read the certificate files again");
    }

    @Test
    void anNginxConfigurationRunsWithDashCAfterDashTHasPassedIt(@TempDir Path dir) throws Exception {
        String up = upstream(exchange -> respond(exchange, 200, "upstream saw " + exchange.getRequestURI()
                + " from " + exchange.getRequestHeaders().getFirst("X-Real-IP")));
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        Path file = dir.resolve("nginx.conf");
        Files.writeString(file, "worker_processes 1;\nevents { worker_connections 64; }\nhttp {\n"
                + "  upstream app { server " + up + "; keepalive 4; }\n"
                + "  server {\n    listen 127.0.0.1:" + port + ";\n"
                + "    location /api/ { proxy_pass http://app/v1/; proxy_set_header X-Real-IP $remote_addr; }\n"
                + "    location = /ping { return 200 \"pong\\n\"; }\n  }\n}\n");
        Process test = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-jar",
                JAR.toString(), "-c", file.toString(), "-t").redirectErrorStream(true).start();
        assertTrue(test.waitFor(PATIENCE.toSeconds(), TimeUnit.SECONDS));
        assertEquals(0, test.exitValue(), new String(test.getInputStream().readAllBytes(), StandardCharsets.UTF_8));

        expectStatus = false;
        proxy = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-jar", JAR.toString(),
                "-c", file.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        awaitListening();

        assertEquals("127.0.0.1:" + port, proxyAddress);
        assertEquals("upstream saw /v1/items from 127.0.0.1", get("/api/items").body());
        assertEquals("pong\n", get("/ping").body());
        assertEquals(404, get("/elsewhere").statusCode());
    }

    // ---------------------------------------------------------------- the proxy process and its upstreams

    /** The subject of the certificate the TLS address {@code hostPort} presents, checked against {@code ca}. */
    private static String subjectAt(String hostPort, TestCertificates ca) throws Exception {
        int colon = hostPort.lastIndexOf(':');
        try (SSLSocket socket = (SSLSocket) ca.trustingContext().getSocketFactory().createSocket(
                hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)))) {
            socket.setSoTimeout((int) PATIENCE.toMillis());
            socket.startHandshake();
            return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSubjectX500Principal()
                    .getName();
        }
    }

    /** Starts the jar with {@code flags} and a read-only status API. */
    private void start(String... flags) throws Exception {
        startWith("--status-listen", flags);
    }

    /** Starts the jar with {@code flags} and the upstream API {@code api} flag asks for. */
    private void startWith(String api, String... flags) throws Exception {
        assertTrue(Files.isRegularFile(JAR), JAR.toAbsolutePath() + " is built by mvn package");
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-jar", JAR.toString(), "--listen", listen, api, "127.0.0.1:0"));
        command.addAll(List.of(flags));
        if (hangupIgnored()) { // a build started under nohup: the proxy would inherit it and never see SIGHUP
            command.addAll(0, List.of("env", "--default-signal=HUP"));
        }
        proxy = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        awaitListening();
    }

    /** Whether this JVM started with SIGHUP ignored, as under nohup: its children inherit that. */
    private static boolean hangupIgnored() throws IOException {
        Path status = Path.of("/proc/self/status");
        if (!Files.isReadable(status)) {
            return false;
        }
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("SigIgn:")) {
                return (Long.parseUnsignedLong(line.substring("SigIgn:".length()).trim(), 16) & 1) != 0;
            }
        }
        return false;
    }

    /** Waits until the proxy process has printed where it listens (and its status API, when expected). */
    private void awaitListening() throws InterruptedException {
        CountDownLatch listening = new CountDownLatch(1);
        Thread reader = new Thread(() -> readOutput(proxy, listening), "sluice-jar-output");
        reader.setDaemon(true);
        reader.start();
        assertTrue(listening.await(PATIENCE.toSeconds(), TimeUnit.SECONDS), "the proxy printed where it listens");
    }

    /** Reads the proxy's output to its end, noting the addresses of its two "listening on" lines. */
    private void readOutput(Process process, CountDownLatch listening) {
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                Matcher m = LISTENING.matcher(line);
                if (m.find()) {
                    if (m.group(2) != null) {
                        statusAddress = m.group(1);
                    } else {
                        proxyAddress = m.group(1);
                    }
                }
                if (proxyAddress != null && (statusAddress != null || !expectStatus)) {
                    listening.countDown();
                }
            }
        } catch (IOException e) {
            // the process ended; a test still waiting fails on its latch
        }
    }

    private String upstream(Handler handler) throws IOException {
        return upstreamAt("127.0.0.1", 0, handler);
    }

    /** An upstream on {@code host}:{@code port} (0: any free port); its "host:port". */
    private String upstreamAt(String host, int port, Handler handler) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 16);
        server.createContext("/", exchange -> {
            try {
                handler.handle(exchange);
            } finally {
                exchange.close();
            }
        });
        server.setExecutor(upstreamThreads);
        server.start();
        upstreams.add(server);
        return host + ":" + server.getAddress().getPort();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return client.send(request("http://" + proxyAddress + path), HttpResponse.BodyHandlers.ofString());
    }

    private CompletableFuture<HttpResponse<String>> getAsync(String path) {
        return client.sendAsync(request("http://" + proxyAddress + path), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpRequest request(String url) {
        return HttpRequest.newBuilder(URI.create(url)).timeout(PATIENCE).build();
    }

    /** Reads the status document until {@code condition} holds of it, within {@link #PATIENCE}. */
    private void awaitStatus(Predicate<String> condition) throws Exception {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        String json = "";
        while (System.nanoTime() < deadline) {
            json = client.send(request("http://" + statusAddress + "/api/9/http/upstreams"),
                    HttpResponse.BodyHandlers.ofString()).body();
            if (condition.test(json)) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the status document never matched: " + json);
    }

    private static void respond(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @FunctionalInterface
    private interface Handler {
        void handle(HttpExchange exchange) throws IOException;
    }
}
