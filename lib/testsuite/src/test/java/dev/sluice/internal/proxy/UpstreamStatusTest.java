package dev.sluice.internal.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.Answer;
import dev.sluice.ProxyHandler;
import dev.sluice.ProxyRequest;
import dev.sluice.ProxyServer;
import dev.sluice.observe.UpstreamStatus;
import dev.sluice.testing.MemoryNetwork;
import dev.sluice.testing.RawClient;
import dev.sluice.testing.ScriptedUpstream;
import dev.sluice.testing.ScriptedUpstream.Response;
import dev.sluice.testing.Upstreams;
import dev.sluice.upstream.UpstreamGroup;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The live status of upstream groups in NGINX Plus's API shape, served by a route of the proxy itself. */
class UpstreamStatusTest {

    /** The times of a peer that answered while the in-memory network's clock stood still. */
    private static final String NO_TIME_PASSED = ",\"header_time\":0,\"response_time\":0";

    @RegisterExtension
    final Upstreams upstreams = Upstreams.inMemory();
    private final MemoryNetwork network = upstreams.network();

    @Test
    void theDocumentShowsEachPeersStateAndCountsAsTheyChange() throws Exception {
        ScriptedUpstream first = upstreams.scripted();
        ScriptedUpstream second = upstreams.scripted();
        first.enqueue(Response.builder().resetOnRequest());
        UpstreamGroup group = UpstreamGroup.builder("backend").ticker(network.ticker())
                .server(first.address(), s -> s.weight(2)).server(second.address()).build();
        UpstreamStatus status = UpstreamStatus.of(List.of(group));
        ProxyServer proxy = upstreams.proxy(p -> p
                .route("/", r -> r.upstream(group))
                .route(UpstreamStatus.PATH, r -> r.handler(status.handler()).upstream(group)));
        RawClient client = upstreams.rawClient(proxy.port());

        client.send(RawClient.get("/a")); // the first peer resets: retried on the second
        assertEquals(200, client.readResponse().status());
        client.send(RawClient.get(UpstreamStatus.PATH));
        RawClient.Reply reply = client.readResponse();

        assertEquals(200, reply.status());
        assertEquals("application/json", reply.header("Content-Type"));
        long received = group.peers().get(1).bytesReceived();
        assertTrue(received > "ok".length(), "the second peer's head and body: " + received);
        String firstTraffic = traffic(first.requests().get(0).raw().length, 0); // reset before it answered
        String secondTraffic = traffic(second.requests().get(0).raw().length, received);
        assertEquals("{\"backend\":{\"peers\":["
                + peer(0, first.address(), 2, "unavail", 1, 0, 1, firstTraffic, "", 0) + ","
                + peer(1, second.address(), 1, "up", 1, 1, 0, secondTraffic, NO_TIME_PASSED, 0)
                + "],\"zone\":\"backend\"}}", withoutTimes(reply.bodyString(), 2, 1));

        network.advance(Duration.ofSeconds(5));
        client.send(RawClient.get(UpstreamStatus.PATH + "/backend"));
        assertEquals("{\"peers\":[" + peer(0, first.address(), 2, "unavail", 1, 0, 1, firstTraffic, "", 5_000) + ","
                + peer(1, second.address(), 1, "up", 1, 1, 0, secondTraffic, NO_TIME_PASSED, 0) + "],\"zone\":\"backend\"}",
                withoutTimes(client.readResponse().bodyString(), 2, 1));

        network.advance(Duration.ofSeconds(10)); // fail_timeout passed: the peer was unavailable for 11 s in all
        client.send(RawClient.get(UpstreamStatus.PATH + "/backend"));
        assertEquals("{\"peers\":[" + peer(0, first.address(), 2, "up", 1, 0, 1, firstTraffic, "", 11_000) + ","
                + peer(1, second.address(), 1, "up", 1, 1, 0, secondTraffic, NO_TIME_PASSED, 0) + "],\"zone\":\"backend\"}",
                withoutTimes(client.readResponse().bodyString(), 2, 0));
    }

    @Test
    void aGroupsKeepaliveCountsTheIdleConnectionsItsProxyHolds() throws Exception {
        ScriptedUpstream upstream = upstreams.scripted();
        UpstreamGroup group = UpstreamGroup.builder("backend").ticker(network.ticker()).server(upstream.address())
                .build();
        AtomicReference<ProxyHandler> status = new AtomicReference<>();
        ProxyServer proxy = upstreams.proxy(p -> p.workers(1)
                .route("/", r -> r.upstream(group))
                .route(UpstreamStatus.PATH, r -> r.upstream(group).handler(new ProxyHandler() {
                    @Override
                    public Answer onRequest(ProxyRequest request) {
                        return status.get().onRequest(request);
                    }
                })));
        status.set(UpstreamStatus.of(List.of(group)).withPoolsOf(proxy).handler());
        RawClient client = upstreams.rawClient(proxy.port());

        client.send(RawClient.get(UpstreamStatus.PATH + "/backend"));
        String before = client.readResponse().bodyString();
        client.send(RawClient.get("/a")); // its connection goes back to the pool before the next request is read
        assertEquals(200, client.readResponse().status());
        client.send(RawClient.get(UpstreamStatus.PATH + "/backend"));
        String after = client.readResponse().bodyString();

        assertTrue(before.endsWith("],\"keepalive\":0,\"zone\":\"backend\"}"), before);
        assertTrue(after.endsWith("],\"keepalive\":1,\"zone\":\"backend\"}"), after);
        assertEquals(1, proxy.idleConnections(group));
    }

    @Test
    void anUnknownGroupOrPathIs404AndAWriteIs405InNginxPlusErrorShape() throws Exception {
        RawClient client = readOnlyStatus();

        client.send(RawClient.get(UpstreamStatus.PATH + "/nope"));
        RawClient.Reply unknown = client.readResponse();
        client.send("DELETE " + UpstreamStatus.PATH + "/backend HTTP/1.1\r\nHost: a\r\n\r\n");
        RawClient.Reply write = client.readResponse();

        assertEquals(404, unknown.status());
        assertTrue(unknown.bodyString().startsWith(
                "{\"error\":{\"status\":404,\"text\":\"upstream not found\",\"code\":\"UpstreamNotFound\"},"),
                unknown.bodyString());
        assertEquals(405, write.status());
    }

    @Test
    void theReadOnlyStatusAlsoListsTheServerLines() throws Exception {
        RawClient client = readOnlyStatus();

        client.send(RawClient.get(UpstreamStatus.PATH + "/backend/servers/0"));
        RawClient.Reply server = client.readResponse();
        client.send("POST " + UpstreamStatus.PATH + "/backend/servers HTTP/1.1\r\nHost: a\r\nContent-Length: 2"
                + "\r\n\r\n{}");
        RawClient.Reply write = client.readResponse();

        assertEquals(200, server.status());
        assertTrue(server.bodyString().startsWith("{\"id\":0,\"server\":"), server.bodyString());
        assertEquals(405, write.status(), "no writes without the API's");
    }

    /** A client of a proxy whose one route answers the status of a group {@code backend} of one peer. */
    private RawClient readOnlyStatus() throws Exception {
        UpstreamGroup group = UpstreamGroup.builder("backend").server(upstreams.scripted().address()).build();
        ProxyServer proxy = upstreams.proxy(p -> p.route("/", r -> r.handler(UpstreamStatus.of(List.of(group))
                .handler()).upstream(group)));
        return upstreams.rawClient(proxy.port());
    }

    /**
     * The document without its {@code selected} and {@code downstart} times, once {@code selected} and {@code down}
     * peers were found to carry them, in NGINX Plus's form and within a minute of now (the wall clock's, which the
     * in-memory network's clock is not).
     */
    private static String withoutTimes(String json, int selected, int down) {
        return without("downstart", without("selected", json, selected), down);
    }

    private static String without(String field, String json, int peers) {
        Matcher m = Pattern.compile(",\"" + field + "\":\"([0-9T:.-]+Z)\"").matcher(json);
        int found = 0;
        while (m.find()) {
            assertTrue(m.group(1).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z"), m.group(1));
            long age = Duration.between(Instant.parse(m.group(1)), Instant.now()).abs().toSeconds();
            assertTrue(age < 60, m.group(1));
            found++;
        }
        assertEquals(peers, found, json);
        return m.replaceAll("");
    }

    private static String traffic(long sent, long received) {
        return ",\"sent\":" + sent + ",\"received\":" + received;
    }

    /**
     * A peer's object: {@code ok} 2xx responses, {@code fails} failed attempts that each made it unavailable, down
     * for {@code downtime} milliseconds.
     */
    private static String peer(int id, String server, int weight, String state, long requests, long ok, long fails,
            String traffic, String times, long downtime) {
        return "{\"id\":" + id + ",\"server\":\"" + server + "\",\"name\":\"" + server + "\",\"backup\":false,"
                + "\"weight\":" + weight + ",\"state\":\"" + state + "\",\"active\":0,\"requests\":" + requests
                + ",\"responses\":{\"1xx\":0,\"2xx\":" + ok + ",\"3xx\":0,\"4xx\":0,\"5xx\":0,\"total\":" + ok + "}"
                + traffic + ",\"fails\":" + fails + ",\"unavail\":" + fails
                + ",\"max_fails\":1,\"fail_timeout\":10,\"max_conns\":0" + times + ",\"downtime\":" + downtime
                + ",\"health_checks\":{\"checks\":0,\"fails\":0,\"unhealthy\":0}}";
    }
}
