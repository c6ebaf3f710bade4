package dev.sluice.internal.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.ProxyServer;
import dev.sluice.testing.MemoryNetwork;
import dev.sluice.testing.RawClient;
import dev.sluice.testing.ScriptedUpstream;
import dev.sluice.testing.ScriptedUpstream.Response;
import dev.sluice.testing.Upstreams;
import dev.sluice.upstream.PeerState;
import dev.sluice.upstream.Sticky;
import dev.sluice.upstream.UpstreamGroup;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** NGINX Plus's sticky cookie, route and learn through the proxy, on the in-memory network. */
class StickySessionTest {

    @RegisterExtension
    final Upstreams upstreams = Upstreams.inMemory();
    private final MemoryNetwork network = upstreams.network();
    private final List<ScriptedUpstream> peers = List.of(named("a"), named("b"), named("c"));

    private ScriptedUpstream named(String name) {
        return upstreams.scripted().defaultResponse(Response.ok(name));
    }

    private UpstreamGroup group(Sticky sticky) {
        return UpstreamGroup.builder("backend").ticker(network.ticker()).sticky(sticky)
                .server(peers.get(0).address(), s -> s.route("a"))
                .server(peers.get(1).address(), s -> s.route("b"))
                .server(peers.get(2).address(), s -> s.route("c")).build();
    }

    private RawClient client(UpstreamGroup group) throws IOException {
        ProxyServer proxy = upstreams.proxy(p -> p.route("/", r -> r.upstream(group)));
        return upstreams.rawClient(proxy.port());
    }

    private static RawClient.Reply get(RawClient client, String target, String cookie) throws IOException {
        String head = "GET " + target + " HTTP/1.1\r\nHost: test\r\n" + (cookie == null ? "" : "Cookie: " + cookie + "\r\n");
        return client.send(head + "\r\n").readResponse();
    }

    @Test
    void theFirstResponseSetsTheCookieAndEveryRequestCarryingItGoesToThatPeer() throws Exception {
        UpstreamGroup group = group(Sticky.cookie("srv_id").path("/").build());
        RawClient client = client(group);

        RawClient.Reply first = get(client, "/", null);
        String setCookie = first.header("Set-Cookie");
        PeerState bound = group.peers().stream().filter(p -> setCookie.equals("srv_id=" + p.stickyId() + "; path=/"))
                .findFirst().orElseThrow();
        String cookie = "other=1; srv_id=" + bound.stickyId();
        for (int i = 0; i < 10; i++) {
            RawClient.Reply reply = get(client, "/" + i, cookie);
            assertEquals(first.bodyString(), reply.bodyString(), "request " + i);
            assertNull(reply.header("Set-Cookie"), "a request bound to the peer that answered gets no new cookie");
        }
        assertEquals(11, bound.requests());
    }

    @Test
    void aClientBoundToAPeerThatIsDownGoesElsewhereAndIsBoundAgain() throws Exception {
        UpstreamGroup group = group(Sticky.cookie("srv_id").build());
        RawClient client = client(group);
        PeerState b = group.peers().get(1);
        b.setDown(true);

        RawClient.Reply reply = get(client, "/", "srv_id=" + b.stickyId());

        String body = reply.bodyString();
        PeerState answered = group.peers().get("abc".indexOf(body));
        assertTrue(answered != b);
        assertEquals("srv_id=" + answered.stickyId(), reply.header("Set-Cookie"));
    }

    @Test
    void manyClientsEachStayWithTheirOwnPeer() throws Exception {
        UpstreamGroup group = group(Sticky.cookie("srv_id").build());
        RawClient client = client(group);
        Map<String, String> cookieOfClient = new HashMap<>();
        Map<String, String> peerOfClient = new HashMap<>();
        for (int i = 0; i < 100; i++) {
            RawClient.Reply first = get(client, "/", null);
            cookieOfClient.put("client" + i, first.header("Set-Cookie"));
            peerOfClient.put("client" + i, first.bodyString());
        }
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < 100; i++) {
                assertEquals(peerOfClient.get("client" + i),
                        get(client, "/", cookieOfClient.get("client" + i)).bodyString(), "client " + i);
            }
        }
        assertEquals(3, peerOfClient.values().stream().distinct().count(), "the balancer spread the new clients");
    }

    @Test
    void aRouteInACookieOrTheQueryNamesThePeer() throws Exception {
        RawClient client = client(group(Sticky.route("$cookie_route", "$arg_route")));

        assertEquals("b", get(client, "/", "route=x9f3.b").bodyString());
        assertEquals("c", get(client, "/?route=c", null).bodyString());
        assertEquals("a", get(client, "/?route=c", "route=a").bodyString(), "the first variable with a value wins");
        assertNull(get(client, "/", "route=b").header("Set-Cookie"), "route sets nothing");
    }

    @Test
    void aSessionAPeerStartedIsLearnedFromItsCookieAndFollowsTheClient() throws Exception {
        UpstreamGroup group = group(Sticky.learn("$upstream_cookie_session", "$cookie_session").build());
        peers.get(2).enqueue(Response.builder().body("c").header("Set-Cookie", "session=s-42; path=/; HttpOnly"));
        RawClient client = client(group);
        group.peers().get(0).setDown(true);
        group.peers().get(1).setDown(true);
        assertEquals("c", get(client, "/login", null).bodyString());
        group.peers().get(0).setDown(false);
        group.peers().get(1).setDown(false);

        for (int i = 0; i < 6; i++) {
            assertEquals("c", get(client, "/", "session=s-42").bodyString());
        }
        String unknown = get(client, "/", "session=never-seen").bodyString();
        assertTrue(List.of("a", "b", "c").contains(unknown));
        assertEquals(Duration.ofMinutes(10), group.sticky().timeout());
    }
}
