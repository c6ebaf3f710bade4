package dev.sluice.testing;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Servers started for a test are gone after it; servers started in {@code @BeforeAll} live for the class. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class UpstreamsTest {

    @RegisterExtension
    static final Upstreams UPSTREAMS = new Upstreams();

    private static ScriptedUpstream shared;
    private static ScriptedUpstream perTest;
    private static WireMockServer wireMock;
    private static int wireMockPort;
    private static RawClient client;
    private static ScriptedUpstream fieldServerOfFirstTest;

    private final ScriptedUpstream fromFieldInitializer = UPSTREAMS.scripted();

    @BeforeAll
    static void startShared() {
        shared = UPSTREAMS.scripted();
    }

    @Test
    @Order(1)
    void startsServersOnLoopback() throws Exception {
        perTest = UPSTREAMS.scripted();
        fieldServerOfFirstTest = fromFieldInitializer;
        wireMock = UPSTREAMS.wireMock();
        wireMockPort = wireMock.port();
        client = UPSTREAMS.rawClient(perTest.port());
        wireMock.stubFor(get(urlEqualTo("/hello")).willReturn(aResponse().withBody("hello")));
        HttpURLConnection connection =
                (HttpURLConnection) new URL("http://127.0.0.1:" + wireMock.port() + "/hello").openConnection();
        connection.setReadTimeout(5000);
        try (InputStream in = connection.getInputStream()) {
            assertEquals("hello", new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
        assertTrue(wireMock.isRunning());
        assertFalse(shared.isClosed());
    }

    @Test
    @Order(2)
    void stopsThemAfterTheTestButKeepsClassScopedOnes() {
        assertTrue(perTest.isClosed());
        assertThrows(ConnectException.class, () -> RawClient.connect(perTest.port()));
        assertFalse(wireMock.isRunning());
        assertThrows(ConnectException.class, () -> RawClient.connect(wireMockPort));
        assertThrows(Exception.class, () -> client.send("x").send("y"));
        assertTrue(fieldServerOfFirstTest.isClosed(), "a test instance's field servers belong to its test");
        assertFalse(fromFieldInitializer.isClosed());
        assertFalse(shared.isClosed());
    }
}
