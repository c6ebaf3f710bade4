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
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
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
        SilentUpstream upstream = upstreams.manage(new SilentUpstream());
        UpstreamGroup group = UpstreamGroup.builder("backend").server(upstream.address()).build();
        ProxyServer proxy = upstreams.manage(ProxyServer.builder().listen("127.0.0.1:0").workers(1).listener(listener)
                .route("/", r -> r.upstream(group)).start());
        RawClient client = FrontProxy.client(upstreams, proxy);

        client.send(RawClient.get("/slow"));
        assertTrue(upstream.requestArrived.await(3, TimeUnit.SECONDS));
        client.close();

        assertTrue(upstream.connectionClosed.await(3, TimeUnit.SECONDS), "the upstream connection stayed open");
        ExchangeRecord exchange = exchanges.poll(3, TimeUnit.SECONDS);
        assertNotNull(exchange);
        assertEquals(499, exchange.status());
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
    }

    /** An upstream that reads one request and never answers, and notices when the proxy closes the connection. */
    private static final class SilentUpstream implements AutoCloseable {

        final CountDownLatch requestArrived = new CountDownLatch(1);
        final CountDownLatch connectionClosed = new CountDownLatch(1);
        private final ServerSocket server = new ServerSocket();
        private final Thread thread;
        private volatile Socket accepted;

        SilentUpstream() throws IOException {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            thread = new Thread(this::serve, "silent-upstream");
            thread.setDaemon(true);
            thread.start();
        }

        String address() {
            return "127.0.0.1:" + server.getLocalPort();
        }

        private void serve() {
            try (Socket socket = server.accept()) {
                accepted = socket;
                socket.setSoTimeout(10_000);
                InputStream in = socket.getInputStream();
                int matched = 0;
                while (matched < 4) {
                    int b = in.read();
                    if (b < 0) {
                        return;
                    }
                    matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : b == '\r' ? 1 : 0;
                }
                requestArrived.countDown();
                if (in.read() < 0) {
                    connectionClosed.countDown();
                }
            } catch (IOException e) {
                // a reset is a close as well; a timeout leaves the latch down
                if (!(e instanceof SocketTimeoutException)) {
                    connectionClosed.countDown();
                }
            }
        }

        @Override
        public void close() throws Exception {
            server.close();
            Socket socket = accepted;
            if (socket != null) {
                socket.close();
            }
            thread.join(5000);
        }
    }
}
