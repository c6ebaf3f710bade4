package dev.sluice.kubernetes;

import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.sluice.kubernetes.ScriptedApiServer.json;
import static dev.sluice.kubernetes.SliceJson.bookmark;
import static dev.sluice.kubernetes.SliceJson.list;
import static dev.sluice.kubernetes.SliceJson.slice;
import static dev.sluice.kubernetes.SliceJson.status;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.sluice.testing.TestCertificates;
import dev.sluice.testing.Upstreams;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Supplier;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The list and watch requests, as the API server sees them, and what its answers become. */
class ApiClientTest {

    @RegisterExtension
    final Upstreams upstreams = new Upstreams();

    private static ApiClient client(URI server, Supplier<String> token) {
        return new ApiClient((SliceSource) EndpointSlices.service("default", "web").apiServer(server).token(token)
                .build());
    }

    @Test
    void aListAsksForTheServicesSlicesWithTheTokenAndGetsTheirVersion() throws Exception {
        ScriptedApiServer api = new ScriptedApiServer(upstreams.wireMock())
                .list(list("100", slice("web-a").ready("10.0.0.1")));

        ApiClient.SliceList list = client(api.uri(), () -> "t0ken").list();

        assertEquals("100", list.resourceVersion());
        assertEquals(1, list.items().size());
        api.wireMock().verify(getRequestedFor(urlEqualTo(ScriptedApiServer.PATH
                + "?labelSelector=kubernetes.io%2Fservice-name%3Dweb")).withHeader("Authorization",
                equalTo("Bearer t0ken")).withHeader("Accept", equalTo("application/json")));
    }

    @Test
    void anEmptyTokenSendsNoAuthorization() throws Exception {
        ScriptedApiServer api = new ScriptedApiServer(upstreams.wireMock()).list(list("100"));

        client(api.uri(), () -> "").list();

        api.wireMock().verify(getRequestedFor(urlEqualTo(ScriptedApiServer.PATH
                + "?labelSelector=kubernetes.io%2Fservice-name%3Dweb")).withHeader("Authorization", absent()));
    }

    @Test
    void anErrorStatusCarriesTheServersMessageAnd410IsGone() throws Exception {
        WireMockServer server = upstreams.wireMock();
        ScriptedApiServer api = new ScriptedApiServer(server);
        server.stubFor(ScriptedApiServer.slices().withQueryParam("watch", absent()).willReturn(json(403,
                status(403, "Forbidden", "endpointslices.discovery.k8s.io is forbidden"))));
        api.watchAnswers("100", json(410, status(410, "Gone", "too old resource version")));
        ApiClient client = client(api.uri(), () -> "");

        IOException forbidden = assertThrows(IOException.class, client::list);
        GoneException gone = assertThrows(GoneException.class, () -> client.watch("100", 300, Duration.ZERO));

        assertEquals("HTTP 403: endpointslices.discovery.k8s.io is forbidden", forbidden.getMessage());
        assertEquals("too old resource version", gone.getMessage());
    }

    @Test
    void aWatchStreamsItsEventsThenEnds() throws Exception {
        ScriptedApiServer api = new ScriptedApiServer(upstreams.wireMock())
                .watch("100", bookmark("101"), "", bookmark("102"));

        try (WatchStream events = client(api.uri(), () -> "").watch("100", 300, Duration.ZERO)) {
            assertEquals("101", events.next().resourceVersion());
            assertEquals("102", events.next().resourceVersion(), "past a blank line");
            assertNull(events.next());
        }
    }

    @Test
    void aWatchSilentPastItsTimeoutIsClosed() throws Exception {
        ScriptedApiServer api = new ScriptedApiServer(upstreams.wireMock())
                .watchAnswers("100", json(200, " ".repeat(400) + "\n").withChunkedDribbleDelay(20, 20_000));
        long start = System.nanoTime();

        try (WatchStream events = client(api.uri(), () -> "").watch("100", 1, Duration.ofMillis(200))) {
            assertThrows(IOException.class, events::next);
        }

        assertTrue(System.nanoTime() - start < Duration.ofSeconds(10).toNanos(), "closed long before its end");
    }

    @Test
    void anHttpsApiServerIsTrustedThroughTheCaFileOnly(@TempDir Path dir) throws Exception {
        TestCertificates cluster = TestCertificates.create(Files.createDirectory(dir.resolve("cluster")));
        TestCertificates other = TestCertificates.create(Files.createDirectory(dir.resolve("other")));
        TestCertificates.Issued apiServer = cluster.issue("kubernetes", "RSA", false, "ip:127.0.0.1");
        WireMockServer server = upstreams.wireMock(c -> c.httpDisabled(true).dynamicHttpsPort()
                .keystorePath(apiServer.keyStoreFile().toString()).keystoreType("PKCS12")
                .keystorePassword(TestCertificates.PASSWORD).keyManagerPassword(TestCertificates.PASSWORD));
        new ScriptedApiServer(server).list(list("100"));
        URI https = URI.create("https://127.0.0.1:" + server.httpsPort());

        ApiClient trusting = new ApiClient((SliceSource) EndpointSlices.service("default", "web").apiServer(https)
                .token(() -> "").trust(cluster.caFile()).build());
        ApiClient otherTrust = new ApiClient((SliceSource) EndpointSlices.service("default", "web").apiServer(https)
                .token(() -> "").trust(other.caFile()).build());

        assertEquals("100", trusting.list().resourceVersion());
        assertThrows(SSLHandshakeException.class, otherTrust::list);
    }

    @Test
    void aCaFileWithoutACertificateIsRefused(@TempDir Path dir) throws IOException {
        Path empty = Files.writeString(dir.resolve("no-certificate.pem"), "not a certificate\n");

        IOException e = assertThrows(IOException.class, () -> Tls.trusting(empty));

        assertTrue(e.getMessage().contains("no-certificate.pem holds no certificate"), e.getMessage());
    }
}
