package dev.sluice.internal.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.ProxyServer;
import dev.sluice.observe.ExchangeListener;
import dev.sluice.observe.ExchangeRecord;
import dev.sluice.testing.RawClient;
import dev.sluice.testing.ScriptedUpstream;
import dev.sluice.testing.ScriptedUpstream.Response;
import dev.sluice.testing.Upstreams;
import dev.sluice.upstream.UpstreamGroup;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * proxy_ignore_client_abort: off (nginx's default), a client that goes away while the upstream is still working
 * makes the proxy close the upstream connection and log 499; on, the upstream exchange runs to its end.
 */
class ClientAbortTest {

    @RegisterExtension
    final Upstreams upstreams = new Upstreams();

    private final BlockingQueue<ExchangeRecord> exchanges = new LinkedBlockingQueue<>();
    private final ExchangeListener listener = new ExchangeListener() {
        @Override
        public void exchangeEnded(ExchangeRecord exchange) {
            exchanges.add(exchange);
        }
    };

    @Test
    void clientLeavingWhileTheUpstreamThinksClosesTheUpstreamConnection() throws Exception {
        ScriptedUpstream upstream = upstreams.scripted();
        upstream.enqueue(Response.builder().stallForever());
        UpstreamGroup group = UpstreamGroup.builder("backend").server(upstream.address()).build();
        ProxyServer proxy = upstreams.manage(ProxyServer.builder().listen("127.0.0.1:0").workers(1).listener(listener)
                .route("/", r -> r.upstream(group)).start());
        RawClient client = FrontProxy.client(upstreams, proxy);

        client.send(RawClient.get("/slow"));
        assertNotNull(upstream.takeRequest(Duration.ofSeconds(3)));
        client.close();

        assertTrue(Exchanges.await(() -> upstream.openConnections() == 0, 3000), "the upstream connection stayed open");
        ExchangeRecord exchange = exchanges.poll(3, TimeUnit.SECONDS);
        assertNotNull(exchange);
        assertEquals(499, exchange.status());
        assertEquals(upstream.address(), exchange.upstreamAddr(), "the attempt keeps its place in $upstream_addr");
        assertEquals("-", exchange.upstreamStatus(), "a peer that never answered is logged as nginx logs it");
        assertEquals("client prematurely closed connection, so upstream connection is closed too",
                exchange.attempts().get(0).error());
    }

    @Test
    void clientLeavingWithIgnoreClientAbortLetsTheUpstreamExchangeFinish() throws Exception {
        ScriptedUpstream upstream = upstreams.scripted();
        upstream.enqueue(Response.builder().body("finished").delayHead(Duration.ofMillis(300)));
        ProxyServer proxy = FrontProxy.start(upstreams, upstream, s -> s.listener(listener),
                r -> r.ignoreClientAbort(true));
        RawClient client = FrontProxy.client(upstreams, proxy);

        client.send(RawClient.get("/slow"));
        assertNotNull(upstream.takeRequest(Duration.ofSeconds(3)));
        client.close();

        ExchangeRecord exchange = exchanges.poll(3, TimeUnit.SECONDS);
        assertNotNull(exchange);
        assertEquals(200, exchange.status());
        assertEquals("200", exchange.upstreamStatus());
        RawClient next = FrontProxy.client(upstreams, proxy);
        next.send(RawClient.get("/next"));
        assertEquals("ok", next.readResponse().bodyString());
        assertEquals(1, upstream.connectionsAccepted(), "the finished upstream connection was not kept for reuse");
    }

    @Test
    void clientResetWithIgnoreClientAbortLetsALargeResponseFinishUnread() throws Exception {
        ScriptedUpstream upstream = upstreams.scripted();
        upstream.enqueue(Response.builder().body(new byte[1 << 20]).delayHead(Duration.ofMillis(200)));
        ProxyServer proxy = FrontProxy.start(upstreams, upstream, s -> s.listener(listener),
                r -> r.ignoreClientAbort(true));
        try (Socket client = new Socket()) {
            client.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), proxy.port()), 3000);
            client.getOutputStream().write(RawClient.get("/large").getBytes(StandardCharsets.US_ASCII));
            assertNotNull(upstream.takeRequest(Duration.ofSeconds(3)));
            client.setSoLinger(true, 0);
        }

        ExchangeRecord exchange = exchanges.poll(3, TimeUnit.SECONDS);
        assertNotNull(exchange);
        assertEquals("200", exchange.upstreamStatus());
        RawClient next = FrontProxy.client(upstreams, proxy);
        next.send(RawClient.get("/next"));
        assertEquals("ok", next.readResponse().bodyString());
        assertEquals(1, upstream.connectionsAccepted(), "the upstream response was not read to its end");
    }

    @Test
    void halfClosedClientStillGetsItsResponseWithIgnoreClientAbort() throws Exception {
        ScriptedUpstream upstream = upstreams.scripted();
        upstream.enqueue(Response.builder().body("for a half-closed client").delayHead(Duration.ofMillis(200)));
        ProxyServer proxy = FrontProxy.start(upstreams, upstream, s -> { }, r -> r.ignoreClientAbort(true));
        RawClient client = FrontProxy.client(upstreams, proxy);

        client.send(RawClient.get("/")).shutdownOutput();
        RawClient.Reply reply = client.readResponse();

        assertEquals(200, reply.status());
        assertEquals("for a half-closed client", reply.bodyString());
        assertEquals(RawClient.End.EOF, client.readUntilClose(Duration.ofSeconds(3)).end());
    }

    @Test
    void halfClosedClientGetsEveryRequestItPipelinedWithIgnoreClientAbort() throws Exception {
        ScriptedUpstream upstream = upstreams.scripted().echo();
        ProxyServer proxy = FrontProxy.start(upstreams, upstream, s -> { }, r -> r.ignoreClientAbort(true));
        RawClient client = FrontProxy.client(upstreams, proxy);

        client.send(RawClient.get("/a") + RawClient.get("/b") + RawClient.get("/c")).shutdownOutput();

        assertEquals(FrontProxy.forwardedGet("/a"), client.readResponse().bodyString());
        assertEquals(FrontProxy.forwardedGet("/b"), client.readResponse().bodyString());
        assertEquals(FrontProxy.forwardedGet("/c"), client.readResponse().bodyString());
        assertEquals(RawClient.End.EOF, client.readUntilClose(Duration.ofSeconds(3)).end());
    }

    @Test
    void clientLeavingMidBodyClosesTheUpstreamConnection() throws Exception {
        ScriptedUpstream upstream = upstreams.scripted();
        upstream.enqueue(Response.builder().body(new byte[64 * 1024]).throttleBody(1024, Duration.ofMillis(20)));
        ProxyServer proxy = FrontProxy.start(upstreams, upstream, s -> s.listener(listener), r -> { });
        RawClient client = FrontProxy.client(upstreams, proxy);

        client.send(RawClient.get("/large"));
        assertNotNull(upstream.takeRequest(Duration.ofSeconds(3)));
        Thread.sleep(100);
        client.close();

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        while (upstream.openConnections() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(0, upstream.openConnections(), "the upstream went on sending to a client that had left");
        ExchangeRecord exchange = exchanges.poll(3, TimeUnit.SECONDS);
        assertNotNull(exchange);
        assertTrue(exchange.bodyBytesSent() < 64 * 1024, exchange.toString());
        assertEquals(upstream.address(), exchange.attempts().get(0).upstreamAddress(), exchange.toString());
        assertEquals(200, exchange.attempts().get(0).status(), "the peer's answer stays in $upstream_status");
    }
}
