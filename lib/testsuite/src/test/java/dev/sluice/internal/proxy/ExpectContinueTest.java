package dev.sluice.internal.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.sluice.ProxyServer;
import dev.sluice.testing.RawClient;
import dev.sluice.testing.RecordedRequest;
import dev.sluice.testing.ScriptedUpstream;
import dev.sluice.testing.ScriptedUpstream.Response;
import dev.sluice.testing.Upstreams;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code Expect: 100-continue}, answered by the proxy as nginx answers it: an HTTP/1.1 client that waits gets
 * {@code 100 Continue} before it sends its body, then the final response; a body the proxy will refuse gets the
 * refusal instead; HTTP/1.0 expectations are ignored; and the upstream, which gets the buffered body, never sees
 * the Expect field.
 */
class ExpectContinueTest {

    private static final Duration QUIET = Duration.ofMillis(300);

    @RegisterExtension
    final Upstreams upstreams = new Upstreams();

    private final ScriptedUpstream upstream = upstreams.scripted().echo();

    private RawClient client() throws Exception {
        ProxyServer proxy = FrontProxy.start(upstreams, upstream, s -> s.clientMaxBodySize(1024), r -> { });
        return FrontProxy.client(upstreams, proxy);
    }

    @Test
    void clientWaitingForContinueGetsItThenTheResponse() throws Exception {
        RawClient client = client();

        client.send("POST /a HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
        RawClient.Reply interim = client.readResponse();
        client.send("hello");
        RawClient.Reply response = client.readResponse();

        assertEquals(100, interim.status());
        assertEquals("HTTP/1.1 100 Continue\r\n\r\n", interim.rawString());
        assertEquals(200, response.status());
        RecordedRequest received = upstream.requests().get(0);
        assertEquals("hello", received.bodyUtf8());
        assertNull(received.header("Expect"));
    }

    @Test
    void chunkedBodyAfterContinueIsForwardedWhole() throws Exception {
        RawClient client = client();

        client.send("PUT /a HTTP/1.1\r\nHost: x\r\nExpect: 100-Continue\r\nTransfer-Encoding: chunked\r\n\r\n");
        assertEquals(100, client.readResponse().status());
        client.send("3\r\nabc\r\n0\r\n\r\n");

        assertEquals(200, client.readResponse().status());
        assertEquals("abc", upstream.requests().get(0).bodyUtf8());
        assertNull(upstream.requests().get(0).header("Expect"));
    }

    @Test
    void bodyOverTheLimitGets413InsteadOfContinue() throws Exception {
        RawClient client = client();

        client.send("POST /a HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5000\r\n\r\n");
        RawClient.Reply reply = client.readResponse();

        assertEquals(413, reply.status());
        assertEquals(RawClient.End.EOF, client.readUntilClose(Duration.ofSeconds(3)).end());
        assertEquals(0, upstream.requestCount());
    }

    @Test
    void expectationOfAnHttp10ClientIsIgnored() throws Exception {
        RawClient client = client();

        client.send("POST /a HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
        RawClient.Received quiet = client.readUntilClose(QUIET);
        client.send("hello");

        assertEquals(RawClient.End.TIMEOUT, quiet.end());
        assertEquals("", quiet.string());
        assertEquals(200, client.readResponse().status());
        assertNull(upstream.requests().get(0).header("Expect"));
    }

    @Test
    void requestWithoutABodyGetsNoContinue() throws Exception {
        RawClient client = client();

        client.send("GET /a HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n\r\n");

        assertEquals(200, client.readResponse().status());
        assertNull(upstream.requests().get(0).header("Expect"));
    }

    @Test
    void continueFromTheUpstreamIsNotRelayedAsASecondOne() throws Exception {
        upstream.enqueue(Response.builder().rawResponse("HTTP/1.1 100 Continue\r\n\r\n"
                + "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n"));
        RawClient client = client();

        client.send("POST /a HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
        assertEquals(100, client.readResponse().status());
        client.send("hello" + RawClient.get("/next"));

        assertEquals(201, client.readResponse().status());
        assertEquals(200, client.readResponse().status());
        assertEquals("/next", upstream.requests().get(1).target());
    }
}
