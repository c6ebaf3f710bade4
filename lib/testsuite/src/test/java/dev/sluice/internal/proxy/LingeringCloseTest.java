package dev.sluice.internal.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.ProxyServer;
import dev.sluice.testing.RawClient;
import dev.sluice.testing.ScriptedUpstream;
import dev.sluice.testing.Upstreams;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * nginx's lingering close: when the proxy answers an error while the client is still sending, it stops writing,
 * keeps reading and dropping what arrives for a while, and only then closes — so the client reads the whole
 * error response and an orderly end of stream, not a reset that would destroy the response in its socket.
 */
class LingeringCloseTest {

    private static final int MAX_BODY = 1024;
    private static final byte[] PIECE = new byte[64 * 1024];

    @RegisterExtension
    final Upstreams upstreams = new Upstreams();

    private final ScriptedUpstream upstream = upstreams.scripted().echo();
    private final ExecutorService writer = Executors.newSingleThreadExecutor();

    @AfterEach
    void stopWriter() throws InterruptedException {
        writer.shutdownNow();
        writer.awaitTermination(5, TimeUnit.SECONDS);
    }

    /** What a sending thread achieved: the bytes written, and whether the proxy closed the connection on it. */
    private record Sent(long bytes, boolean closedByProxy) {
    }

    /** Sends {@code total} bytes (for at most 10 s) from another thread in 64 KiB writes. */
    private CompletableFuture<Sent> keepSending(RawClient client, long total) {
        return CompletableFuture.supplyAsync(() -> {
            long sent = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            try {
                while (sent < total && System.nanoTime() < deadline) {
                    client.send(PIECE);
                    sent += PIECE.length;
                }
                return new Sent(sent, false);
            } catch (IOException e) {
                return new Sent(sent, true);
            }
        }, writer);
    }

    private void assertWholeResponseThenEndOfStream(RawClient client, int status) throws IOException {
        RawClient.Reply reply = client.readResponse();
        assertEquals(status, reply.status());
        assertEquals("close", reply.header("Connection"));
        assertTrue(reply.bodyString().contains(Integer.toString(status)), reply.bodyString());
        RawClient.Received rest = client.readUntilClose(Duration.ofSeconds(3));
        assertEquals(RawClient.End.EOF, rest.end(), "the proxy reset the connection instead of closing it");
        assertEquals(0, upstream.requestCount());
    }

    @Test
    void clientStillSendingATooLargeBodyReadsThe413AndAnOrderlyClose() throws Exception {
        ProxyServer proxy = FrontProxy.start(upstreams, upstream, s -> s.clientMaxBodySize(MAX_BODY), r -> { });
        RawClient client = FrontProxy.client(upstreams, proxy);
        long length = 8L * 1024 * 1024;

        client.send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: " + length + "\r\n\r\n");
        CompletableFuture<Sent> sent = keepSending(client, length);

        assertWholeResponseThenEndOfStream(client, 413);
        assertEquals(new Sent(length, false), sent.get(15, TimeUnit.SECONDS), "the proxy stopped reading too soon");
    }

    @Test
    void clientStillSendingAfterABrokenChunkReadsThe400AndAnOrderlyClose() throws Exception {
        ProxyServer proxy = FrontProxy.start(upstreams, upstream);
        RawClient client = FrontProxy.client(upstreams, proxy);

        client.send("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nnot-hex\r\n");
        CompletableFuture<Sent> sent = keepSending(client, 8L * 1024 * 1024);

        assertWholeResponseThenEndOfStream(client, 400);
        assertEquals(new Sent(8L * 1024 * 1024, false), sent.get(15, TimeUnit.SECONDS));
    }

    @Test
    void lingeringEndsAfterLingeringTimeThoughTheClientNeverStopsSending() throws Exception {
        ProxyServer proxy = FrontProxy.start(upstreams, upstream, s -> s.clientMaxBodySize(MAX_BODY)
                .lingering(Duration.ofMillis(200), Duration.ofMillis(300)), r -> { });
        RawClient client = FrontProxy.client(upstreams, proxy);

        client.send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 100000000000\r\n\r\n");
        CompletableFuture<Sent> sent = keepSending(client, Long.MAX_VALUE);

        assertEquals(413, client.readResponse().status());
        assertTrue(sent.get(15, TimeUnit.SECONDS).closedByProxy(), "still lingering after 10 s");
    }
}
