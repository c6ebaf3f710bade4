package dev.sluice.internal.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.ProxyServer;
import dev.sluice.testing.MemoryNetwork;
import dev.sluice.testing.RawClient;
import dev.sluice.testing.RecordedRequest;
import dev.sluice.testing.ScriptedUpstream;
import dev.sluice.testing.ScriptedUpstream.Response;
import dev.sluice.testing.Upstreams;
import dev.sluice.upstream.UpstreamGroup;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * NGINX Plus's {@code ntlm}: the upstream connection that carried an NTLM or Negotiate handshake stays with its
 * client connection, out of every other client's reach, and closes with it.
 */
class NtlmTest {

    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final String NTLM = "Authorization: NTLM TlRMTVNTUAABAAAAB4IIogAAAAAAAAAAAAAAAAAAAAAGAbEdAAAADw==\r\n";

    @RegisterExtension
    final Upstreams upstreams = Upstreams.inMemory();
    private final MemoryNetwork network = upstreams.network();
    private final ScriptedUpstream a = upstreams.scripted().defaultResponse(Response.ok("a"));
    private final ScriptedUpstream b = upstreams.scripted().defaultResponse(Response.ok("b"));

    private int proxy(UnaryOperator<UpstreamGroup.Builder> options) throws IOException {
        UpstreamGroup group = options.apply(UpstreamGroup.builder("backend").ticker(network.ticker())
                .server(a.address()).server(b.address())).build();
        ProxyServer proxy = upstreams.proxy(p -> p.route("/", r -> r.upstream(group)));
        return proxy.port();
    }

    private static String get(RawClient client, String target, String fields) throws IOException {
        return client.send("GET " + target + " HTTP/1.1\r\nHost: test\r\n" + fields + "\r\n").readResponse()
                .bodyString();
    }

    /** The upstream connection of each request {@code peer} got, in the order they came. */
    private static List<Integer> connections(ScriptedUpstream peer) {
        return peer.requests().stream().map(RecordedRequest::connectionSequence).toList();
    }

    @Test
    void aClientThatAuthenticatedKeepsItsPeerAndItsConnectionAndNoOtherClientGetsIt() throws Exception {
        int port = proxy(g -> g.ntlm());
        RawClient client = upstreams.rawClient(port);
        RawClient other = upstreams.rawClient(port);

        String peer = get(client, "/negotiate", NTLM);
        ScriptedUpstream bound = peer.equals("a") ? a : b;
        for (int i = 0; i < 4; i++) {
            assertEquals(peer, get(client, "/" + i, ""), "request " + i + " of the authenticated client");
            get(other, "/other" + i, ""); // round robin would have sent the client to the other peer half the time
        }

        List<Integer> ofClient = bound.requests().stream().filter(r -> !r.target().startsWith("/other"))
                .map(RecordedRequest::connectionSequence).toList();
        assertEquals(5, ofClient.size());
        assertEquals(1, ofClient.stream().distinct().count(), "one upstream connection: " + ofClient);
        assertTrue(bound.requests().stream().filter(r -> r.target().startsWith("/other"))
                .noneMatch(r -> r.connectionSequence() == ofClient.get(0)), "never lent to another client");
    }

    @Test
    void theBoundConnectionClosesWithItsClientConnection() throws Exception {
        int port = proxy(g -> g.server(upstreams.scripted().defaultResponse(Response.ok("c")).address()).ntlm());
        RawClient client = upstreams.rawClient(port);
        String peer = get(client, "/negotiate", NTLM);
        ScriptedUpstream bound = peer.equals("a") ? a : b;
        assertEquals(1, bound.openConnections());

        client.close();
        network.settle(WAIT);

        assertEquals(0, bound.openConnections(), "closed with the client, not kept in the pool");
    }

    @Test
    void withoutNtlmTheSameConnectionGoesBackToThePoolForAnyClient() throws Exception {
        int port = proxy(g -> g);
        RawClient client = upstreams.rawClient(port);
        RawClient other = upstreams.rawClient(port);

        get(client, "/negotiate", NTLM); // a
        get(other, "/other", "");        // b
        get(other, "/other", "");        // a, on the connection the first client's handshake used

        assertEquals(List.of(0, 0), connections(a), "the pool lent the handshake's connection to another client");
    }

    @Test
    void ntlmNeedsUpstreamKeepalive() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> UpstreamGroup
                .builder("backend").server(a.address()).keepalive(k -> k.idle(0)).ntlm().build());
        assertTrue(e.getMessage().startsWith("ntlm needs upstream keepalive"), e.getMessage());
    }
}
