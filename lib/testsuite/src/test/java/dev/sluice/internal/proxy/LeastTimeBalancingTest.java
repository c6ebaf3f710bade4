package dev.sluice.internal.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.ProxyServer;
import dev.sluice.observe.UpstreamStatus;
import dev.sluice.testing.RawClient;
import dev.sluice.testing.ScriptedUpstream;
import dev.sluice.testing.ScriptedUpstream.Response;
import dev.sluice.testing.Upstreams;
import dev.sluice.upstream.Balancer;
import dev.sluice.upstream.PeerState;
import dev.sluice.upstream.UpstreamGroup;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** NGINX Plus's least_time through the proxy, on loopback sockets: the proxy times its attempts and the slow peer
 * loses its share. */
class LeastTimeBalancingTest {

    private static final int REQUESTS = 20;

    @RegisterExtension
    final Upstreams upstreams = new Upstreams();

    @Test
    void aPeerThatTakes200MillisecondsLongerGetsAtMostOneInTenOfTwentyRequests() throws Exception {
        ScriptedUpstream fast = upstreams.scripted().defaultResponse(Response.ok("fast"));
        ScriptedUpstream slow = upstreams.scripted()
                .defaultResponse(Response.builder().body("slow").delayHead(Duration.ofMillis(200)).build());
        UpstreamGroup group = UpstreamGroup.builder("backend").balancer(Balancer.leastTimeHeader())
                .server(fast.address()).server(slow.address()).build();
        ProxyServer proxy = upstreams.proxy(p -> p.route("/", r -> r.upstream(group)));
        RawClient client = upstreams.rawClient(proxy.port());

        for (int i = 0; i < REQUESTS; i++) {
            client.send(RawClient.get("/" + i));
            assertEquals(200, client.readResponse().status());
        }

        assertEquals(REQUESTS, fast.requestCount() + slow.requestCount());
        assertTrue(slow.requestCount() <= REQUESTS / 10, slow.requestCount() + " of " + REQUESTS + " went to the slow peer");
        PeerState slowPeer = group.peers().get(1);
        assertTrue(slowPeer.averageHeaderTime().orElseThrow().toMillis() >= 200 / 4,
                "one 200 ms answer weighs at least a quarter: " + slowPeer.averageHeaderTime());
        Matcher times = Pattern.compile("\"header_time\":(\\d+),\"response_time\":(\\d+)")
                .matcher(UpstreamStatus.of(List.of(group)).json());
        assertTrue(times.find() && times.find(), "both peers have times in the status document");
        assertEquals(slowPeer.averageHeaderTime().orElseThrow().toMillis(), Long.parseLong(times.group(1)));
    }
}
