package dev.sluice.internal.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.ProxyServer;
import dev.sluice.testing.ScriptedUpstream;
import dev.sluice.testing.Upstreams;
import dev.sluice.upstream.UpstreamGroup;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ProxySmokeTest {

    @RegisterExtension
    final Upstreams upstreams = new Upstreams();

    @Test
    void aPortInUseIsReportedWithTheAddress() throws Exception {
        ScriptedUpstream up = upstreams.scripted().identity();
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String address = "127.0.0.1:" + taken.getLocalPort();
            IOException e = assertThrows(IOException.class, () -> upstreams.manage(ProxyServer.builder()
                    .listen(address).workers(1)
                    .route("/", r -> r.upstream(UpstreamGroup.builder("b").server(up.address()).build())).start()));
            assertTrue(e.getMessage().contains(address), e.getMessage());
        }
    }

    @Test
    void getIsRelayed() throws Exception {
        ScriptedUpstream up = upstreams.scripted().identity();
        UpstreamGroup group = UpstreamGroup.builder("backend").server(up.address()).build();
        ProxyServer proxy = upstreams.manage(ProxyServer.builder().listen("127.0.0.1:0").workers(1)
                .route("/", r -> r.upstream(group)).start());
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.port() + "/x")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode());
            assertEquals(String.valueOf(up.port()), response.body());
        }
        assertEquals(1, up.connectionsAccepted());
    }
}
