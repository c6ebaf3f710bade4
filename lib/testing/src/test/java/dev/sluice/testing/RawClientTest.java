package dev.sluice.testing;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.sluice.testing.RawClient.End;
import dev.sluice.testing.RawClient.Received;
import dev.sluice.testing.RawClient.Reply;
import dev.sluice.testing.ScriptedUpstream.Response;
import java.io.EOFException;
import java.io.IOException;
import java.net.ProtocolException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class RawClientTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    @RegisterExtension
    final Upstreams upstreams = new Upstreams();

    private RawClient clientFor(Response.Builder... script) throws IOException {
        ScriptedUpstream upstream = upstreams.scripted();
        for (Response.Builder response : script) {
            upstream.enqueue(response);
        }
        return upstreams.rawClient(upstream.port());
    }

    @Test
    void getHelperIsAMinimalRequest() {
        assertEquals("GET /x HTTP/1.1\r\nHost: localhost\r\n\r\n", RawClient.get("/x"));
    }

    @Test
    void readsAContentLengthResponseWithItsRawBytes() throws Exception {
        RawClient client = clientFor(Response.builder().status(202).header("X-A", "1").header("x-a", "2").body("body"));
        Reply reply = client.send(RawClient.get("/")).readResponse();
        assertEquals("HTTP/1.1", reply.version());
        assertEquals(202, reply.status());
        assertEquals("Accepted", reply.reason());
        assertEquals(List.of("1", "2"), reply.headers().get("X-a"));
        assertEquals("body", reply.bodyString());
        assertFalse(reply.chunked());
        assertEquals("HTTP/1.1 202 Accepted\r\nX-A: 1\r\nx-a: 2\r\nContent-Length: 4\r\n\r\nbody", reply.rawString());
    }

    @Test
    void readsChunkedBodiesWithExtensionsAndTrailers() throws Exception {
        String raw = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "4;name=value\r\nWiki\r\n5 \r\npedia\r\n0\r\nX-Checksum: 42\r\n\r\n";
        RawClient client = clientFor(Response.builder().rawResponse(raw));
        Reply reply = client.send(RawClient.get("/")).readResponse();
        assertTrue(reply.chunked());
        assertEquals("Wikipedia", reply.bodyString());
        assertEquals(List.of("42"), reply.trailers().get("x-checksum"));
        assertEquals(raw, reply.rawString());
    }

    @Test
    void readsABodyDelimitedByClose() throws Exception {
        RawClient client = clientFor(Response.builder().rawResponse("HTTP/1.1 200 OK\r\n\r\nuntil the end")
                .closeAfterResponse());
        assertEquals("until the end", client.send(RawClient.get("/")).readResponse().bodyString());
    }

    @Test
    void interimAndBodylessStatusesHaveNoBody() throws Exception {
        RawClient client = clientFor(Response.builder().rawResponse("HTTP/1.1 100 Continue\r\n\r\n"
                + "HTTP/1.1 204 No Content\r\n\r\n"
                + "HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\n"
                + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi"));
        client.send(RawClient.get("/"));
        assertEquals(100, client.readResponse().status());
        assertEquals(204, client.readResponse().status());
        assertEquals(304, client.readResponse().status());
        assertEquals("hi", client.readResponse().bodyString());
    }

    @Test
    void pipelinedRequestsGetTheirResponsesInOrder() throws Exception {
        ScriptedUpstream upstream = upstreams.scripted();
        upstream.echo();
        RawClient client = upstreams.rawClient(upstream.port());
        client.send(RawClient.get("/1") + RawClient.get("/2") + RawClient.get("/3"));
        for (int i = 1; i <= 3; i++) {
            assertEquals(RawClient.get("/" + i), client.readResponse().bodyString());
        }
        assertEquals(End.TIMEOUT, client.readUntilClose(Duration.ofMillis(50)).end());
    }

    @Test
    void readUntilCloseTellsEofFromResetFromTimeout() throws Exception {
        RawClient open = clientFor(Response.builder().stallForever());
        assertEquals(End.TIMEOUT, open.send(RawClient.get("/")).readUntilClose(Duration.ofMillis(100)).end());

        RawClient closed = clientFor(Response.builder().body("x").closeMidBody(0));
        Received fin = closed.send(RawClient.get("/")).readUntilClose(WAIT);
        assertEquals(End.EOF, fin.end());
        assertTrue(fin.string().startsWith("HTTP/1.1 200 OK"));

        RawClient reset = clientFor(Response.builder().resetOnRequest());
        assertEquals(End.RESET, reset.send(RawClient.get("/")).readUntilClose(WAIT).end());
    }

    @Test
    void readUntilCloseReturnsWhatReadResponseLeftBuffered() throws Exception {
        RawClient client = clientFor(Response.builder().rawResponse(
                "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nAextra").closeAfterResponse());
        assertEquals("A", client.send(RawClient.get("/")).readResponse().bodyString());
        Received rest = client.readUntilClose(WAIT);
        assertEquals("extra", rest.string());
        assertEquals(End.EOF, rest.end());
    }

    @Test
    void readResponseThrowsEofWhenThePeerClosesFirst() throws Exception {
        RawClient client = clientFor(Response.builder().noResponse());
        assertThrows(EOFException.class, () -> client.send(RawClient.get("/")).readResponse());
    }

    @Test
    void readResponseThrowsAResetWhenThePeerResets() throws Exception {
        RawClient client = clientFor(Response.builder().body("0123456789").resetMidBody(3));
        IOException e = assertThrows(IOException.class, () -> client.send(RawClient.get("/")).readResponse());
        assertTrue(RawClient.isReset(e), e.toString());
    }

    @Test
    void malformedStatusLineIsAProtocolError() throws Exception {
        RawClient client = clientFor(Response.builder().rawResponse("HTTP/1.1 2OO OK\r\n\r\n"));
        assertThrows(ProtocolException.class, () -> client.send(RawClient.get("/")).readResponse());
    }

    @Test
    void sendsSmugglingShapesByteForByte() throws Exception {
        ScriptedUpstream upstream = upstreams.scripted();
        RawClient client = upstreams.rawClient(upstream.port());
        String head = "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n";
        Reply reply = client.send(head + "0\r\n\r\nG").readResponse();
        assertEquals("close", reply.header("Connection"), "a message framed both ways must not be reused");
        RecordedRequest request = upstream.takeRequest(WAIT);
        assertEquals(head + "0\r\n\r\n", request.rawString(), "Transfer-Encoding wins over Content-Length");
        assertEquals(1, upstream.requestCount());
    }

    @Test
    void halfCloseStillReadsTheResponse() throws Exception {
        RawClient client = clientFor(Response.builder().body("after FIN"));
        client.send(RawClient.get("/")).shutdownOutput();
        assertEquals("after FIN", client.readResponse().bodyString());
        assertEquals(End.EOF, client.readUntilClose(WAIT).end());
    }

    @Test
    void talksToWireMock() throws Exception {
        WireMockServer wireMock = upstreams.wireMock();
        wireMock.stubFor(get(urlEqualTo("/wm")).willReturn(aResponse().withStatus(200).withBody("from wiremock")));
        RawClient client = upstreams.rawClient(wireMock.port());
        Reply reply = client.send(RawClient.get("/wm")).readResponse();
        assertEquals(200, reply.status());
        assertEquals("from wiremock", reply.bodyString());
    }
}
