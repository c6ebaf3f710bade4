package dev.sluice.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.sluice.ProxyServer;
import dev.sluice.testing.RawClient;
import dev.sluice.testing.RecordedRequest;
import dev.sluice.testing.ScriptedUpstream;
import dev.sluice.testing.Upstreams;
import dev.sluice.upstream.UpstreamGroup;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The gateway's handler, unit-tested in memory: no socket, no sleep. */
class GatewayHandlerTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    @RegisterExtension
    final Upstreams upstreams = Upstreams.inMemory();

    private final ScriptedUpstream stable = upstreams.scripted();
    private final ScriptedUpstream canary = upstreams.scripted();
    private RawClient client;

    @BeforeEach
    void startTheGateway() throws Exception {
        UpstreamGroup stableGroup = UpstreamGroup.builder("stable").server(stable.address()).build();
        UpstreamGroup canaryGroup = UpstreamGroup.builder("canary").server(canary.address()).build();
        ProxyServer proxy = upstreams.proxy(p -> p.route("/",
                r -> r.upstream(stableGroup).handler(new GatewayHandler(canaryGroup))));
        client = upstreams.rawClient(proxy.port());
    }

    @Test
    void healthIsAnsweredByTheProxyItself() throws Exception {
        client.send(RawClient.get("/health"));

        assertEquals("ok", client.readResponse().bodyString());
        assertEquals(0, stable.requestCount() + canary.requestCount());
    }

    @Test
    void aRequestWithoutATokenIsRefusedWith401() throws Exception {
        client.send(RawClient.get("/api/items"));

        RawClient.Reply reply = client.readResponse();
        assertEquals(401, reply.status());
        assertEquals("Bearer", reply.header("WWW-Authenticate"));
    }

    @Test
    void anAuthenticatedRequestReachesTheStableServiceRewrittenAndWithoutItsToken() throws Exception {
        client.send("GET /api/items?page=2 HTTP/1.1\r\nHost: gw\r\nAuthorization: Bearer t\r\n\r\n");

        assertEquals(200, client.readResponse().status());
        RecordedRequest got = stable.takeRequest(WAIT);
        assertEquals("/items?page=2", got.target());
        assertNull(got.header("Authorization"));
        assertEquals("bearer", got.header("X-Authenticated"));
    }

    @Test
    void aCanaryRequestGoesToTheCanary() throws Exception {
        client.send("GET /api/items HTTP/1.1\r\nHost: gw\r\nAuthorization: Bearer t\r\nX-Canary: 1\r\n\r\n");

        assertEquals(200, client.readResponse().status());
        assertEquals("/items", canary.takeRequest(WAIT).target());
        assertEquals(0, stable.requestCount());
    }
}
