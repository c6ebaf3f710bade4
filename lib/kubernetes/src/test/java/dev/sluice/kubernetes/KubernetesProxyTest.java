package dev.sluice.kubernetes;

import static dev.sluice.kubernetes.SliceJson.list;
import static dev.sluice.kubernetes.SliceJson.slice;
import static dev.sluice.kubernetes.SliceWatcherTest.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.ProxyServer;
import dev.sluice.testing.RawClient;
import dev.sluice.testing.ScriptedUpstream;
import dev.sluice.testing.ScriptedUpstream.Response;
import dev.sluice.testing.Upstreams;
import dev.sluice.upstream.UpstreamGroup;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A proxy whose group follows a Service: requests reach the pod the API server names, once it names it. */
class KubernetesProxyTest {

    @RegisterExtension
    final Upstreams upstreams = new Upstreams();

    @Test
    void aProxyRoutesToTheEndpointsOfTheServiceItFollows() throws Exception {
        ScriptedUpstream pod = upstreams.scripted().defaultResponse(Response.ok("from the pod"));
        ScriptedApiServer api = new ScriptedApiServer(upstreams.wireMock())
                .list(list("100", slice("web-a").port("http", pod.port()).ready("127.0.0.1")));
        UpstreamGroup web = UpstreamGroup.builder("web")
                .discover("k8s:default/web", EndpointSlices.service("default", "web").port("http")
                        .apiServer(api.uri()).token(() -> "").build(), s -> s.maxFails(2))
                .build();

        ProxyServer proxy = upstreams.proxy(p -> p.route("/", r -> r.upstream(web)));
        assertTrue(await(() -> !web.peers().isEmpty()), "the proxy started following the Service");
        RawClient.Reply reply = upstreams.rawClient(proxy.port()).send(RawClient.get("/orders")).readResponse();

        assertEquals(200, reply.status());
        assertEquals("from the pod", reply.bodyString());
        assertEquals("/orders", pod.takeRequest(Duration.ofSeconds(5)).target());
        assertEquals(2, web.peers().get(0).peer().maxFails(), "with the line's parameters");
    }
}
