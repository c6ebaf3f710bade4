package dev.sluice.internal.proxy;

import static dev.sluice.internal.proxy.FrontProxy.forwardedGet;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.ProxyServer;
import dev.sluice.testing.RawClient;
import dev.sluice.testing.RecordedRequest;
import dev.sluice.testing.ScriptedUpstream;
import dev.sluice.testing.ScriptedUpstream.Response;
import dev.sluice.testing.Upstreams;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Pipelined requests, several in one write, are answered one by one in the order they were sent, each forwarded
 * with exactly its own bytes — whatever arrives when, and however slowly the upstream answers.
 */
class PipeliningTest {

    @RegisterExtension
    final Upstreams upstreams = new Upstreams();

    private final ScriptedUpstream upstream = upstreams.scripted().echo();

    private RawClient client() throws Exception {
        ProxyServer proxy = FrontProxy.start(upstreams, upstream);
        return FrontProxy.client(upstreams, proxy);
    }

    @Test
    void requestsInOneWriteAreAnsweredInOrder() throws Exception {
        RawClient client = client();

        client.send(RawClient.get("/1") + RawClient.get("/2") + RawClient.get("/3") + RawClient.get("/4"));

        for (int i = 1; i <= 4; i++) {
            assertEquals(forwardedGet("/" + i), client.readResponse().bodyString());
        }
        assertEquals(4, upstream.requestCount());
    }

    @Test
    void aSlowFirstAnswerDoesNotLetTheNextOnesOvertakeIt() throws Exception {
        upstream.respondWith(request -> Response.builder().body(request.target())
                .delayHead(request.target().equals("/slow") ? Duration.ofMillis(300) : Duration.ZERO).build());
        RawClient client = client();

        client.send(RawClient.get("/slow") + RawClient.get("/fast") + RawClient.get("/faster"));

        assertEquals("/slow", client.readResponse().bodyString());
        assertEquals("/fast", client.readResponse().bodyString());
        assertEquals("/faster", client.readResponse().bodyString());
    }

    @Test
    void pipelinedRequestsWithBodiesAreForwardedWithExactlyTheirOwnBytes() throws Exception {
        RawClient client = client();
        String post = "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc";
        String chunked = "PUT /b HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nde\r\n0\r\n\r\n";

        client.send(post + chunked + RawClient.get("/c"));

        assertEquals(200, client.readResponse().status());
        assertEquals(200, client.readResponse().status());
        assertEquals(forwardedGet("/c"), client.readResponse().bodyString());
        List<RecordedRequest> received = upstream.requests();
        assertEquals("POST /a HTTP/1.1\r\nHost: backend\r\nContent-Length: 3\r\n\r\nabc", received.get(0).rawString());
        assertEquals("PUT /b HTTP/1.1\r\nHost: backend\r\nContent-Length: 2\r\n\r\nde", received.get(1).rawString());
    }

    @Test
    void aRequestSplitAcrossWritesAfterAPipelinedOneIsStillWhole() throws Exception {
        RawClient client = client();

        client.send(RawClient.get("/1") + "GET /2 HTTP/1.1\r\nHo");
        assertEquals(forwardedGet("/1"), client.readResponse().bodyString());
        client.send("st: x\r\n\r\n");

        assertEquals(forwardedGet("/2"), client.readResponse().bodyString());
    }

    @Test
    void requestsSentWhileTheUpstreamIsSlowWaitTheirTurn() throws Exception {
        upstream.enqueue(Response.builder().body("first").delayHead(Duration.ofMillis(300)));
        RawClient client = client();

        client.send(RawClient.get("/1"));
        Thread.sleep(50);
        client.send(RawClient.get("/2"));
        client.send(RawClient.get("/3"));

        assertEquals("first", client.readResponse().bodyString());
        assertEquals(forwardedGet("/2"), client.readResponse().bodyString());
        assertEquals(forwardedGet("/3"), client.readResponse().bodyString());
    }

    @Test
    void aLastRequestAskingToCloseEndsTheConnectionAfterItsResponse() throws Exception {
        RawClient client = client();

        client.send(RawClient.get("/1") + "GET /2 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" + RawClient.get("/3"));

        assertEquals(forwardedGet("/1"), client.readResponse().bodyString());
        RawClient.Reply second = client.readResponse();
        assertEquals(forwardedGet("/2"), second.bodyString());
        assertEquals("close", second.header("Connection"));
        assertEquals("", client.readUntilClose(Duration.ofSeconds(3)).string());
        assertEquals(2, upstream.requestCount());
    }

    @Test
    void manyPipelinedRequestsLargerThanOneReadBufferAreAllAnsweredInOrder() throws Exception {
        RawClient client = client();
        StringBuilder all = new StringBuilder();
        int count = 200;
        for (int i = 0; i < count; i++) {
            all.append("GET /").append(i).append(" HTTP/1.1\r\nHost: x\r\nX-Pad: ").append("p".repeat(200)).append("\r\n\r\n");
        }

        client.send(all.toString());

        for (int i = 0; i < count; i++) {
            RawClient.Reply reply = client.readResponse();
            assertEquals(200, reply.status());
            assertTrue(reply.bodyString().startsWith("GET /" + i + " HTTP/1.1\r\n"), "response " + i);
        }
        assertEquals(count, upstream.requestCount());
    }
}
