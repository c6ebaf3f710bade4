package dev.sluice.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.sluice.ProxyServer;
import dev.sluice.upstream.UpstreamGroup;
import java.net.ConnectException;
import java.time.Duration;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The proxy the extension starts forwards to the scripted upstreams, and is stopped with them after the test. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class UpstreamsProxyTest {

    @RegisterExtension
    final Upstreams upstreams = new Upstreams();

    private static int proxyPortOfFirstTest;

    @Test
    @Order(1)
    void startsAProxyOnLoopbackInFrontOfScriptedUpstreams() throws Exception {
        ScriptedUpstream upstream = upstreams.scripted().enqueue(ScriptedUpstream.Response.ok("hello"));
        UpstreamGroup group = UpstreamGroup.builder("backend").server(upstream.address()).build();
        ProxyServer proxy = upstreams.proxy(p -> p.route("/", r -> r.upstream(group)));
        proxyPortOfFirstTest = proxy.port();

        RawClient.Reply reply = upstreams.rawClient(proxy.port()).timeout(Duration.ofSeconds(5))
                .send(RawClient.get("/greeting")).readResponse();

        assertEquals(200, reply.status());
        assertEquals("hello", reply.bodyString());
        assertEquals("/greeting", upstream.takeRequest(Duration.ofSeconds(5)).target());
    }

    @Test
    @Order(2)
    void stopsTheProxyAfterTheTest() {
        assertThrows(ConnectException.class, () -> RawClient.connect(proxyPortOfFirstTest));
    }
}
