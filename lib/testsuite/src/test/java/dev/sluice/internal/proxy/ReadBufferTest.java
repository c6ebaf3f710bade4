package dev.sluice.internal.proxy;

import static dev.sluice.internal.proxy.UpstreamHarness.group;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.ProxyServer;
import dev.sluice.internal.net.BufferPool;
import dev.sluice.testing.RawClient;
import dev.sluice.testing.ScriptedUpstream;
import dev.sluice.testing.ScriptedUpstream.Response;
import dev.sluice.testing.Upstreams;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The loop's 16 KiB read buffers are held only while they hold bytes: a client connection waiting for its next
 * request holds none, and neither does a response streaming to a slow reader besides its proxy_buffers, so that
 * memory per idle or slow client stays below nginx's.
 */
class ReadBufferTest {

    @RegisterExtension
    final Upstreams upstreams = new Upstreams();

    private final UpstreamHarness proxy = new UpstreamHarness(upstreams);

    @Test
    void idleKeepaliveConnectionsHoldNoReadBuffer() throws Exception {
        ScriptedUpstream up = upstreams.scripted().identity();
        ProxyServer server = proxy.start(group(up.address()), r -> { });
        List<RawClient> clients = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            RawClient client = upstreams.rawClient(server.port());
            assertEquals(200, client.send(RawClient.get("/" + i)).readResponse().status());
            clients.add(client);
        }

        assertEquals(0, readBuffersInUse(server), "ten idle keepalive connections");
        assertEquals(200, clients.get(3).send(RawClient.get("/again")).readResponse().status(),
                "a connection takes a buffer again when its next request comes");
    }

    @Test
    void aResponseStreamingToAClientThatDoesNotReadHoldsOnlyItsProxyBuffers() throws Exception {
        ScriptedUpstream up = upstreams.scripted()
                .defaultResponse(Response.builder().body(new byte[8 << 20]).build());
        ProxyServer server = proxy.start(group(up.address()), r -> { });
        RawClient stalled = upstreams.rawClient(server.port());
        stalled.send(RawClient.get("/big"));
        assertTrue(Exchanges.await(() -> up.requestCount() == 1, 2000));
        Thread.sleep(200); // let the relay fill the socket buffers and its proxy_buffers, then stop reading

        assertEquals(0, readBuffersInUse(server), "neither the client's read buffer nor the upstream head buffer");
    }

    private static long readBuffersInUse(ProxyServer server) {
        return ProxyInternals.onLoop(server, l -> {
            BufferPool buffers = l.eventLoop.buffers();
            return buffers.allocatedCount() - buffers.idleCount();
        });
    }
}
