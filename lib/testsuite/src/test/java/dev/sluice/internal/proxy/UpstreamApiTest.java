package dev.sluice.internal.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.ProxyServer;
import dev.sluice.observe.UpstreamApi;
import dev.sluice.observe.UpstreamStatus;
import dev.sluice.testing.RawClient;
import dev.sluice.testing.ScriptedUpstream;
import dev.sluice.testing.ScriptedUpstream.Response;
import dev.sluice.testing.Upstreams;
import dev.sluice.upstream.PeerState;
import dev.sluice.upstream.UpstreamGroup;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** NGINX Plus's upstream API with writes, served by a route of the proxy: servers added, changed and removed. */
class UpstreamApiTest {

    private static final String SERVERS = UpstreamStatus.PATH + "/backend/servers";

    @RegisterExtension
    final Upstreams upstreams = Upstreams.inMemory();
    private final ScriptedUpstream a = upstreams.scripted().defaultResponse(Response.ok("a"));
    private final ScriptedUpstream b = upstreams.scripted().defaultResponse(Response.ok("b"));
    private UpstreamGroup group;
    private RawClient traffic;
    private RawClient api;

    @BeforeEach
    void start() throws IOException {
        group = UpstreamGroup.builder("backend").server(a.address()).build();
        UpstreamApi upstreamApi = UpstreamApi.of(List.of(group));
        ProxyServer proxy = upstreams.proxy(p -> p
                .route("/", r -> r.upstream(group))
                .route("/api/", r -> r.upstream(group).handler(upstreamApi.handler())
                        .handlerReadsBody(UpstreamApi.BODY_LIMIT)));
        traffic = upstreams.rawClient(proxy.port());
        api = upstreams.rawClient(proxy.port());
    }

    private RawClient.Reply call(String method, String path, String json) throws IOException {
        byte[] body = json == null ? new byte[0] : json.getBytes(StandardCharsets.UTF_8);
        api.send(method + " " + path + " HTTP/1.1\r\nHost: api\r\n" + (json == null ? ""
                : "Content-Type: application/json\r\nContent-Length: " + body.length + "\r\n") + "\r\n");
        api.send(body);
        return api.readResponse();
    }

    private String served() throws IOException {
        return traffic.send(RawClient.get("/")).readResponse().bodyString();
    }

    @Test
    void aServerAddedTakesRequestsAndOneRemovedTakesNoMore() throws Exception {
        RawClient.Reply added = call("POST", SERVERS, "{\"server\": \"" + b.address() + "\", \"weight\": 3}");

        assertEquals(201, added.status());
        assertEquals("{\"id\":1,\"server\":\"" + b.address() + "\",\"weight\":3,\"max_conns\":0,\"max_fails\":1,"
                + "\"fail_timeout\":\"10s\",\"slow_start\":\"0s\",\"route\":\"\",\"backup\":false,\"down\":false}",
                added.bodyString());
        assertEquals("babb", served() + served() + served() + served(), "weights 1 and 3, smooth round robin from 0");

        RawClient.Reply left = call("DELETE", SERVERS + "/0", null);

        assertEquals(200, left.status());
        assertTrue(left.bodyString().startsWith("[{\"id\":1,"), left.bodyString());
        assertEquals("bbb", served() + served() + served());
        assertEquals(404, call("GET", SERVERS + "/0", null).status());
    }

    @Test
    void aPatchChangesWeightDownAndDrain() throws Exception {
        call("POST", SERVERS, "{\"server\": \"" + b.address() + "\"}");

        RawClient.Reply patched = call("PATCH", SERVERS + "/1", "{\"weight\": 2, \"max_fails\": 0, \"fail_timeout\": \"30s\"}");
        assertEquals(200, patched.status());
        assertTrue(patched.bodyString().contains("\"weight\":2,\"max_conns\":0,\"max_fails\":0,\"fail_timeout\":\"30s\""),
                patched.bodyString());

        assertEquals(200, call("PATCH", SERVERS + "/0", "{\"down\": true}").status());
        assertEquals("bbb", served() + served() + served());
        assertTrue(call("GET", SERVERS + "/0", null).bodyString().endsWith("\"down\":true}"));
        assertEquals(200, call("PATCH", SERVERS + "/0", "{\"down\": false}").status());

        assertEquals(200, call("PATCH", SERVERS + "/1", "{\"drain\": true}").status());
        assertEquals("aaa", served() + served() + served());
        assertEquals(List.of(0, 1), group.peers().stream().map(p -> p.id()).toList(), "drained stays until removed");
        assertTrue(call("GET", SERVERS + "/1", null).bodyString().endsWith("\"drain\":true}"));
        assertEquals(200, call("DELETE", SERVERS + "/1", null).status());
        assertEquals(List.of(0), group.peers().stream().map(p -> p.id()).toList());
    }

    @Test
    void aBadRequestIsAnsweredInNginxPlusErrorShapeAndChangesNothing() throws Exception {
        assertError(call("POST", SERVERS, "{\"server\": "), 415, "JsonError");
        assertError(call("PATCH", SERVERS + "/0", ""), 415, "JsonError");
        assertError(call("POST", SERVERS, "{\"weight\": 2}"), 400, "UpstreamConfFormatError");
        assertError(call("POST", SERVERS, "{\"server\": \"" + b.address() + "\", \"weight\": 0}"), 400,
                "UpstreamBadWeight");
        assertError(call("POST", SERVERS, "{\"server\": \"" + b.address() + "\", \"colour\": \"red\"}"), 400,
                "UpstreamConfFormatError");
        assertError(call("PATCH", SERVERS + "/0", "{\"max_fails\": 1.5}"), 400, "UpstreamBadMaxFails");
        assertError(call("PATCH", SERVERS + "/0", "{\"drain\": false}"), 400, "UpstreamConfFormatError");
        assertError(call("PATCH", SERVERS + "/7", "{\"weight\": 2}"), 404, "UpstreamServerNotFound");
        assertError(call("POST", UpstreamStatus.PATH + "/nope/servers", "{}"), 404, "UpstreamNotFound");
        assertError(call("PUT", SERVERS + "/0", "{}"), 405, "MethodDisabled");
        assertError(call("PATCH", SERVERS + "/abc", "{\"weight\": 2}"), 400, "UpstreamBadServerId");
        assertError(call("DELETE", SERVERS + "/-1", null), 400, "UpstreamBadServerId");
        assertError(call("PATCH", SERVERS + "/0", "{\"backup\": true}"), 400, "UpstreamConfFormatError");
        assertError(call("PATCH", SERVERS + "/0", "{\"fail_timeout\": -5}"), 400, "UpstreamBadFailTimeout");
        assertError(call("PATCH", SERVERS + "/0", "{\"slow_start\": \"abc\"}"), 400, "UpstreamBadSlowStart");
        assertError(call("PATCH", SERVERS + "/0", "{\"route\": \"" + "r".repeat(100) + "\"}"), 400,
                "UpstreamBadRoute");
        RawClient.Reply maxConns = call("PATCH", SERVERS + "/0", "{\"max_conns\": -5}");
        assertError(maxConns, 400, "UpstreamBadMaxConns");
        assertTrue(maxConns.bodyString().contains("\"text\":\"max_conns must not be negative"), maxConns.bodyString());
        assertError(call("GET", "/api/8/http/upstreams", null), 404, "UnknownVersion");
        assertError(call("GET", "/api/9/http/other", null), 404, "PathNotFound");

        assertEquals(1, group.peers().size());
        assertEquals(1, group.peers().get(0).peer().weight());
        assertFalse(group.peers().get(0).peer().backup());
        assertEquals("a", served());
    }

    @Test
    void aDeleteOfTheGroupSetsItsStatisticsBackToNone() throws Exception {
        assertEquals("aaa", served() + served() + served());
        assertTrue(Exchanges.await(() -> Arrays.stream(group.peers().get(0).responses()).sum() == 3, 3000),
                "the last attempt reported");

        RawClient.Reply reset = call("DELETE", UpstreamStatus.PATH + "/backend", null);

        assertEquals(204, reset.status());
        PeerState peer = group.peers().get(0);
        assertEquals(0, peer.requests());
        assertEquals(0, peer.bytesReceived());
        assertEquals(0, Arrays.stream(peer.responses()).sum());
        assertEquals("a", served(), "what the group does is as before");
        assertEquals(1, peer.requests());
    }

    @Test
    void anErrorCarriesARequestIdAndTheReference() throws Exception {
        String body = call("GET", UpstreamStatus.PATH + "/nope", null).bodyString();

        assertTrue(body.matches("\\{\"error\":\\{\"status\":404,\"text\":\"upstream not found\",\"code\":"
                + "\"UpstreamNotFound\"},\"request_id\":\"[0-9a-f]{32}\",\"href\":"
                + "\"https://nginx.org/en/docs/http/ngx_http_api_module.html\"}"), body);
    }

    @Test
    void everyPathMayEndInASlashAsNginxPlusDocumentsThem() throws Exception {
        assertEquals(200, call("GET", UpstreamStatus.PATH + "/backend/", null).status());
        assertEquals(200, call("GET", SERVERS + "/", null).status());
        assertTrue(call("GET", SERVERS + "/0/", null).bodyString().startsWith("{\"id\":0,"));
        assertEquals(200, call("PATCH", SERVERS + "/0/", "{\"weight\": 2}").status());
        assertEquals(2, group.peers().get(0).peer().weight());
    }

    @Test
    void theReadPathsStillServeTheStatus() throws Exception {
        RawClient.Reply status = call("GET", UpstreamStatus.PATH + "/backend", null);
        assertEquals(200, status.status());
        assertTrue(status.bodyString().startsWith("{\"peers\":[{\"id\":0,"), status.bodyString());
        RawClient.Reply servers = call("GET", SERVERS, null);
        assertTrue(servers.bodyString().startsWith("[{\"id\":0,\"server\":\"" + a.address() + "\""),
                servers.bodyString());
    }

    private static void assertError(RawClient.Reply reply, int status, String code) {
        assertEquals(status, reply.status(), reply.bodyString());
        assertTrue(reply.bodyString().startsWith("{\"error\":{\"status\":" + status + ",\"text\":"), reply.bodyString());
        assertTrue(reply.bodyString().contains("\"code\":\"" + code + "\""), reply.bodyString());
    }
}
