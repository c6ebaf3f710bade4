package dev.sluice.internal.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.ProxyServer;
import dev.sluice.testing.ScriptedUpstream;
import dev.sluice.testing.ScriptedUpstream.Response;
import dev.sluice.testing.Upstreams;
import dev.sluice.upstream.PeerState;
import dev.sluice.upstream.UpstreamGroup;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Servers added, drained and removed while clients keep sending, on loopback sockets: not one request fails, a
 * drained or removed server gets no new request, an added one gets its share.
 */
class RuntimeMembershipUnderLoadTest {

    private static final int CLIENTS = 4;

    @RegisterExtension
    final Upstreams upstreams = new Upstreams();

    @Test
    void addingDrainingAndRemovingServersUnderLoadFailsNoRequest() throws Exception {
        ScriptedUpstream a = upstreams.scripted().defaultResponse(Response.ok("a"));
        ScriptedUpstream b = upstreams.scripted().defaultResponse(Response.ok("b"));
        ScriptedUpstream c = upstreams.scripted().defaultResponse(Response.ok("c"));
        ScriptedUpstream d = upstreams.scripted().defaultResponse(Response.ok("d"));
        UpstreamGroup group = UpstreamGroup.builder("backend").server(a.address()).server(b.address())
                .server(c.address()).build();
        ProxyServer proxy = upstreams.proxy(p -> p.route("/", r -> r.upstream(group)));
        try (SteadyLoad load = new SteadyLoad(proxy.port(), CLIENTS)) {
            load.awaitMore(200);
            PeerState added = group.addServer(d.address(), s -> s.weight(2)).get(0);
            load.awaitMore(400);
            PeerState drained = group.peers().get(0);
            group.drainServer(drained.id());
            load.awaitEachClientDone(); // every request picked before the drain has reached its server
            int beforeA = a.requestCount();
            load.awaitMore(400);
            assertTrue(drained.isDraining() && !drained.isRemoved(), "a drained server stays until it is removed");
            group.removeServer(drained.id());
            group.removeServer(group.peers().get(0).id()); // b
            load.awaitEachClientDone(); // every request picked before the removal has reached its server
            int beforeB = b.requestCount();
            load.awaitMore(400);

            assertEquals(List.of(), load.stopAndFailures());
            assertEquals(beforeA, a.requestCount(), "nothing unbound went to the drained server");
            assertEquals(beforeB, b.requestCount(), "nothing went to the removed server after it left");
            assertTrue(d.requestCount() > 100, "the added server got its share: " + d.requestCount());
            assertEquals(List.of(c.address(), d.address()), group.peers().stream().map(PeerState::server).toList());
            assertEquals(added, group.peers().get(1));
        }
    }
}
