package dev.sluice.internal.proxy;

import static dev.sluice.internal.proxy.FrontProxy.forwardedGet;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.sluice.ProxyServer;
import dev.sluice.testing.RawClient;
import dev.sluice.testing.ScriptedUpstream;
import dev.sluice.testing.ScriptedUpstream.Response;
import dev.sluice.testing.Upstreams;
import dev.sluice.upstream.UpstreamGroup;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Message framing towards clients of every kind: HTTP/1.0 clients keep their connection only when they ask with
 * {@code Connection: keep-alive}, and get a chunked upstream body de-chunked and delimited by the close; HEAD, 204
 * and 304 responses carry no body, so the next response on the connection starts where it should; an interim 1xx
 * from the upstream does not derail the response that follows it.
 */
class Http10Test {

    private static final Duration WAIT = Duration.ofSeconds(3);

    @RegisterExtension
    final Upstreams upstreams = new Upstreams();

    private final ScriptedUpstream upstream = upstreams.scripted().echo();

    private RawClient client() throws Exception {
        ProxyServer proxy = FrontProxy.start(upstreams, upstream);
        return FrontProxy.client(upstreams, proxy);
    }

    @Test
    void http10ClientWithoutKeepAliveGetsConnectionCloseAndAClose() throws Exception {
        RawClient client = client();

        client.send("GET /a HTTP/1.0\r\n\r\n");
        RawClient.Reply reply = client.readResponse();

        assertEquals(200, reply.status());
        assertEquals("close", reply.header("Connection"));
        assertEquals(RawClient.End.EOF, client.readUntilClose(WAIT).end());
        assertEquals(forwardedGet("/a"), upstream.requests().get(0).rawString());
    }

    @Test
    void http10ClientAskingForKeepAliveKeepsItsConnection() throws Exception {
        RawClient client = client();

        client.send("GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
        RawClient.Reply first = client.readResponse();
        client.send("GET /b HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n");
        RawClient.Reply second = client.readResponse();

        assertEquals("keep-alive", first.header("Connection"));
        assertEquals(forwardedGet("/a"), first.bodyString());
        assertEquals("keep-alive", second.header("Connection"));
        assertEquals(forwardedGet("/b"), second.bodyString());
    }

    @Test
    void chunkedUpstreamBodyReachesAnHttp10ClientDechunkedAndEndedByTheClose() throws Exception {
        String body = "hello, old client ".repeat(20_000);
        upstream.enqueue(Response.builder().body(body).chunked(1000));
        RawClient client = client();

        client.send("GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
        RawClient.Reply reply = client.readResponse();

        assertEquals(200, reply.status());
        assertNull(reply.header("Transfer-Encoding"));
        assertNull(reply.header("Content-Length"));
        assertEquals("close", reply.header("Connection"));
        assertFalse(reply.chunked());
        assertEquals(body, reply.bodyString());
    }

    @Test
    void chunkedUpstreamBodyReachesAnHttp11ClientAsItCame() throws Exception {
        upstream.enqueue(Response.builder().body("hello, new client").chunked(4));
        RawClient client = client();

        client.send(RawClient.get("/a"));
        RawClient.Reply reply = client.readResponse();
        client.send(RawClient.get("/b"));

        assertEquals("chunked", reply.header("Transfer-Encoding"));
        assertEquals("hello, new client", reply.bodyString());
        assertEquals(forwardedGet("/b"), client.readResponse().bodyString());
    }

    @Test
    void headResponseHasNoBodyAndTheNextResponseFollowsAtOnce() throws Exception {
        RawClient client = client();

        client.send("HEAD /a HTTP/1.1\r\nHost: x\r\n\r\n" + RawClient.get("/b"));
        RawClient.Reply head = client.readHeadResponse();

        assertEquals(200, head.status());
        assertEquals(String.valueOf(forwardedGet("/a").replace("GET", "HEAD").length()), head.header("Content-Length"));
        assertEquals(forwardedGet("/b"), client.readResponse().bodyString());
        assertEquals(1, upstream.connectionsAccepted());
    }

    @Test
    void headFromAnHttp10ClientHasNoBody() throws Exception {
        RawClient client = client();

        client.send("HEAD /a HTTP/1.0\r\n\r\n");
        RawClient.Reply head = client.readHeadResponse();
        RawClient.Received rest = client.readUntilClose(WAIT);

        assertEquals(200, head.status());
        assertEquals(RawClient.End.EOF, rest.end());
        assertEquals("", rest.string());
    }

    @Test
    void theProxysOwnErrorToAHeadRequestHasNoBody() throws Exception {
        ProxyServer proxy = upstreams.manage(ProxyServer.builder().listen("127.0.0.1:0").workers(1)
                .route("/api", r -> r.upstream(UpstreamGroup.builder("api").server(upstream.address()).build()))
                .start());
        RawClient client = FrontProxy.client(upstreams, proxy);

        client.send("HEAD /missing HTTP/1.1\r\nHost: x\r\n\r\n" + RawClient.get("/api/x"));
        RawClient.Reply notFound = client.readHeadResponse();

        assertEquals(404, notFound.status());
        assertEquals(200, client.readResponse().status());
    }

    @Test
    void noContentAndNotModifiedCarryNoBodyAndKeepBothConnections() throws Exception {
        upstream.enqueue(Response.builder().rawResponse("HTTP/1.1 204 No Content\r\nX-A: 1\r\n\r\n"));
        upstream.enqueue(Response.builder().rawResponse("HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\nETag: \"e\"\r\n\r\n"));
        RawClient client = client();

        client.send(RawClient.get("/a") + RawClient.get("/b") + RawClient.get("/c"));

        RawClient.Reply noContent = client.readResponse();
        assertEquals(204, noContent.status());
        assertEquals("1", noContent.header("X-A"));
        RawClient.Reply notModified = client.readResponse();
        assertEquals(304, notModified.status());
        assertEquals("\"e\"", notModified.header("ETag"));
        assertEquals(forwardedGet("/c"), client.readResponse().bodyString());
        assertEquals(1, upstream.connectionsAccepted());
    }

    @Test
    void earlyHintsFromTheUpstreamDoNotDerailTheFinalResponse() throws Exception {
        upstream.enqueue(Response.builder().rawResponse("HTTP/1.1 103 Early Hints\r\nLink: </s.css>; rel=preload\r\n\r\n"
                + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
        RawClient client = client();

        client.send(RawClient.get("/a"));
        RawClient.Reply reply = client.readResponse();
        while (reply.status() / 100 == 1) {
            reply = client.readResponse();
        }
        client.send(RawClient.get("/b"));

        assertEquals(200, reply.status());
        assertEquals("ok", reply.bodyString());
        assertEquals(forwardedGet("/b"), client.readResponse().bodyString());
    }

    @Test
    void interimResponsesAreNeverSentToAnHttp10Client() throws Exception {
        upstream.enqueue(Response.builder().rawResponse("HTTP/1.1 103 Early Hints\r\nLink: </s.css>\r\n\r\n"
                + "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
        RawClient client = client();

        client.send("GET /a HTTP/1.0\r\n\r\n");
        RawClient.Reply reply = client.readResponse();

        assertEquals(200, reply.status());
        assertEquals("ok", reply.bodyString());
    }
}
