package dev.sluice.internal.proxy;

import static dev.sluice.internal.proxy.StreamFixtures.connect;
import static dev.sluice.internal.proxy.StreamFixtures.field;
import static dev.sluice.internal.proxy.StreamFixtures.lower;
import static dev.sluice.internal.proxy.StreamFixtures.readHead;
import static dev.sluice.internal.proxy.StreamFixtures.readToEnd;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.Route;
import dev.sluice.internal.proxy.StreamFixtures.StreamingProxy;
import dev.sluice.testing.Upstreams;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Upgrades to the protocols a route allows (WebSocket with no configuration): a genuine upgrade request (HTTP/1.1
 * GET, {@code Connection: upgrade}, Upgrade fields offering only allowed protocols) is forwarded as one, its 101
 * relayed, then bytes flow both ways through a tunnel with half-close until both sides end or nothing moved for
 * {@code proxy_read_timeout}. A refused upgrade is an ordinary response; every other request — h2c above all —
 * loses its Upgrade and HTTP2-Settings fields, and a 101 to it is a bad gateway.
 */
class UpgradeTest {

    private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    private static final String UPGRADE_ECHO = "GET /raw HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n";
    private static final String SWITCHED = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n";

    @RegisterExtension
    final Upstreams upstreams = new Upstreams();

    @TempDir
    Path temp;

    private StreamingProxy proxy(StreamUpstream upstream, Consumer<Route.Builder> route) throws IOException {
        return StreamingProxy.start(upstreams, route, StreamFixtures.limits(temp), upstream.address());
    }

    // ---------------------------------------------------------------- WebSocket

    @Test
    void aWebSocketEchoesTextBinaryPingAndCloseThroughTheTunnel() throws Exception {
        CompletableFuture<StreamUpstream.Head> forwarded = new CompletableFuture<>();
        CompletableFuture<Integer> peerEnd = new CompletableFuture<>();
        StreamUpstream upstream = upstreams.manage(StreamUpstream.start(conn -> {
            StreamUpstream.Head head = conn.readHead();
            forwarded.complete(head);
            String accept = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-1")
                    .digest((head.field("Sec-WebSocket-Key") + GUID).getBytes(StandardCharsets.US_ASCII)));
            conn.send("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Accept: " + accept + "\r\n\r\n");
            writeFrame(conn.out(), true, 1, "welcome".getBytes(StandardCharsets.UTF_8));
            DataInputStream in = new DataInputStream(conn.in());
            for (;;) {
                int b0 = in.read();
                if (b0 < 0) {
                    return;
                }
                int b1 = in.readUnsignedByte();
                long length = b1 & 0x7f;
                length = length == 126 ? in.readUnsignedShort() : length == 127 ? in.readLong() : length;
                byte[] mask = new byte[4];
                if ((b1 & 0x80) != 0) {
                    in.readFully(mask);
                }
                byte[] payload = new byte[(int) length];
                in.readFully(payload);
                for (int i = 0; i < payload.length; i++) {
                    payload[i] ^= mask[i & 3];
                }
                int opcode = b0 & 0x0f;
                if (opcode == 9) {
                    writeFrame(conn.out(), true, 10, payload); // ping: pong
                } else if (opcode == 8) {
                    writeFrame(conn.out(), true, 8, payload); // close: close back, then end the connection
                    conn.socket().shutdownOutput();
                    peerEnd.complete(conn.in().read());
                    return;
                } else if (opcode != 10) {
                    writeFrame(conn.out(), (b0 & 0x80) != 0, opcode, payload);
                }
            }
        }));
        StreamingProxy proxy = proxy(upstream, r -> { });
        BlockingQueue<String> received = new LinkedBlockingQueue<>();
        ByteArrayOutputStream binary = new ByteArrayOutputStream();

        WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(3))
                .buildAsync(URI.create("ws://127.0.0.1:" + proxy.port() + "/chat"), new WebSocket.Listener() {
                    private final StringBuilder text = new StringBuilder();

                    @Override
                    public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
                        text.append(data);
                        if (last) {
                            received.add("text:" + text);
                            text.setLength(0);
                        }
                        socket.request(1);
                        return null;
                    }

                    @Override
                    public CompletionStage<?> onBinary(WebSocket socket, ByteBuffer data, boolean last) {
                        byte[] bytes = new byte[data.remaining()];
                        data.get(bytes);
                        binary.writeBytes(bytes);
                        if (last) {
                            received.add("binary:" + binary.size());
                        }
                        socket.request(1);
                        return null;
                    }

                    @Override
                    public CompletionStage<?> onPong(WebSocket socket, ByteBuffer message) {
                        received.add("pong:" + StandardCharsets.UTF_8.decode(message));
                        socket.request(1);
                        return null;
                    }

                    @Override
                    public CompletionStage<?> onClose(WebSocket socket, int statusCode, String reason) {
                        received.add("close:" + statusCode + ":" + reason);
                        return null;
                    }

                    @Override
                    public void onError(WebSocket socket, Throwable error) {
                        received.add("error:" + error);
                    }
                }).get(5, TimeUnit.SECONDS);

        assertEquals("text:welcome", next(received), "the upstream's first message");
        ws.sendText("hello through the tunnel", true).get(5, TimeUnit.SECONDS);
        assertEquals("text:hello through the tunnel", next(received));
        byte[] data = new byte[100_000];
        StreamFixtures.fill(0, data, 0, data.length);
        ws.sendBinary(ByteBuffer.wrap(data), true).get(5, TimeUnit.SECONDS);
        assertEquals("binary:" + data.length, next(received));
        assertArrayEquals(data, binary.toByteArray());
        ws.sendPing(ByteBuffer.wrap("p1".getBytes(StandardCharsets.UTF_8))).get(5, TimeUnit.SECONDS);
        assertEquals("pong:p1", next(received));
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
        assertEquals("close:1000:bye", next(received));
        ws.abort();

        assertEquals(-1, peerEnd.get(5, TimeUnit.SECONDS), "the client's end reached the upstream");
        StreamUpstream.Head head = forwarded.get();
        assertEquals("websocket", head.field("Upgrade"));
        assertEquals("upgrade", lower(head.field("Connection")));
        assertEquals("13", head.field("Sec-WebSocket-Version"));
        assertEquals(1, upstream.connectionsAccepted());
    }

    private static String next(BlockingQueue<String> received) throws InterruptedException {
        String event = received.poll(5, TimeUnit.SECONDS);
        assertTrue(event != null, "nothing came through the tunnel");
        return event;
    }

    private static void writeFrame(OutputStream out, boolean fin, int opcode, byte[] payload) throws IOException {
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        frame.write((fin ? 0x80 : 0) | opcode);
        if (payload.length < 126) {
            frame.write(payload.length);
        } else if (payload.length < 65536) {
            frame.write(126);
            frame.write(payload.length >>> 8);
            frame.write(payload.length);
        } else {
            frame.write(127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                frame.write((int) ((long) payload.length >>> shift));
            }
        }
        frame.writeBytes(payload);
        out.write(frame.toByteArray());
        out.flush();
    }

    // ---------------------------------------------------------------- half-close and idle

    @Test
    void aClientThatFinishedSendingStillGetsTheRestOfTheAnswer() throws Exception {
        StreamUpstream upstream = upstreams.manage(StreamUpstream.start(conn -> {
            conn.readHead();
            conn.send(SWITCHED);
            String got = readToEnd(conn.in()); // until the client's end of stream is passed on
            conn.send("got:" + got);
        }));
        StreamingProxy proxy = proxy(upstream, r -> r.upgradeProtocols("echo"));

        try (Socket client = connect(proxy.port(), 0)) {
            client.getOutputStream().write(UPGRADE_ECHO.getBytes(StandardCharsets.US_ASCII));
            InputStream in = client.getInputStream();
            String head = readHead(in);
            assertEquals(101, StreamFixtures.status(head), head);
            assertEquals("echo", field(head, "Upgrade"));
            assertEquals("upgrade", lower(field(head, "Connection")));

            client.getOutputStream().write("abc".getBytes(StandardCharsets.US_ASCII));
            client.shutdownOutput();
            assertEquals("got:abc", readToEnd(in));
        }
    }

    @Test
    void anUpstreamThatFinishedSendingStillGetsTheRestOfTheClient() throws Exception {
        CompletableFuture<String> late = new CompletableFuture<>();
        StreamUpstream upstream = upstreams.manage(StreamUpstream.start(conn -> {
            conn.readHead();
            conn.send(SWITCHED + "hello");
            conn.socket().shutdownOutput();
            late.complete(readToEnd(conn.in()));
        }));
        StreamingProxy proxy = proxy(upstream, r -> r.upgradeProtocols("echo"));

        try (Socket client = connect(proxy.port(), 0)) {
            client.getOutputStream().write(UPGRADE_ECHO.getBytes(StandardCharsets.US_ASCII));
            InputStream in = client.getInputStream();
            assertEquals(101, StreamFixtures.status(readHead(in)));
            assertEquals("hello", readToEnd(in));

            client.getOutputStream().write("late".getBytes(StandardCharsets.US_ASCII));
            client.shutdownOutput();
            assertEquals("late", late.get(5, TimeUnit.SECONDS));
        }
    }

    @Test
    void aTunnelLivesWhileBytesMoveEitherWayAndClosesAfterTheReadTimeoutOfSilence() throws Exception {
        CompletableFuture<String> upstreamGot = new CompletableFuture<>();
        StreamUpstream upstream = upstreams.manage(StreamUpstream.start(conn -> {
            conn.readHead();
            conn.send(SWITCHED);
            upstreamGot.complete(readToEnd(conn.in())); // silent: only the client talks
        }));
        StreamingProxy proxy = proxy(upstream, r -> r.upgradeProtocols("echo").readTimeout(Duration.ofMillis(400)));

        try (Socket client = connect(proxy.port(), 0)) {
            client.getOutputStream().write(UPGRADE_ECHO.getBytes(StandardCharsets.US_ASCII));
            InputStream in = client.getInputStream();
            assertEquals(101, StreamFixtures.status(readHead(in)));
            for (int i = 0; i < 12; i++) { // three times the timeout
                client.getOutputStream().write('a' + i);
                Thread.sleep(100);
            }

            assertEquals(-1, in.read(), "the tunnel stays open after the client went silent");
        }
        assertEquals("abcdefghijkl", upstreamGot.get(5, TimeUnit.SECONDS));
    }

    // ---------------------------------------------------------------- what is not an upgrade

    @Test
    void aRefusedUpgradeIsAnOrdinaryResponseOnAConnectionThatStaysOpen() throws Exception {
        StreamUpstream upstream = upstreams.manage(StreamUpstream.start(conn -> {
            for (StreamUpstream.Head head = conn.readHead(); head != null; head = conn.readHead()) {
                conn.send("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nno");
            }
        }));
        StreamingProxy proxy = proxy(upstream, r -> { });

        try (Socket client = connect(proxy.port(), 0)) {
            client.getOutputStream().write(UPGRADE_ECHO.getBytes(StandardCharsets.US_ASCII));
            InputStream in = client.getInputStream();
            String head = readHead(in);
            assertEquals(200, StreamFixtures.status(head), head);
            assertNull(field(head, "Upgrade"));
            assertNull(field(head, "Connection"));
            assertEquals("no", new String(in.readNBytes(2), StandardCharsets.US_ASCII));

            client.getOutputStream().write("GET /next HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertEquals(200, StreamFixtures.status(readHead(in)));
        }
    }

    @Test
    void anUpgradeThatIsNotAGetLosesItsUpgradeFieldAndA101ToItIsABadGateway() throws Exception {
        CompletableFuture<StreamUpstream.Head> forwarded = new CompletableFuture<>();
        StreamUpstream upstream = upstreams.manage(StreamUpstream.start(conn -> {
            StreamUpstream.Head head = conn.readHead();
            conn.readBody(head, null, null);
            forwarded.complete(head);
            conn.send(SWITCHED);
        }));
        StreamingProxy proxy = proxy(upstream, r -> { });

        try (Socket client = connect(proxy.port(), 0)) {
            client.getOutputStream().write(("POST /raw HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: echo\r\n"
                    + "Content-Length: 2\r\n\r\nhi").getBytes(StandardCharsets.US_ASCII));
            String head = readHead(client.getInputStream());

            assertEquals(502, StreamFixtures.status(head), head);
        }
        StreamUpstream.Head head = forwarded.get(5, TimeUnit.SECONDS);
        assertNull(head.field("Upgrade"));
        assertNull(head.field("Connection"));
    }

    // ---------------------------------------------------------------- protocols a route does not allow

    /** An upstream that switches to whatever protocol it is offered, as an h2c-capable server does. */
    private StreamUpstream switchingUpstream(CompletableFuture<StreamUpstream.Head> forwarded) throws IOException {
        return upstreams.manage(StreamUpstream.start(conn -> {
            StreamUpstream.Head head = conn.readHead();
            forwarded.complete(head);
            String offered = head.field("Upgrade");
            if (offered != null) {
                conn.send("HTTP/1.1 101 Switching Protocols\r\nUpgrade: " + offered + "\r\nConnection: Upgrade\r\n\r\n");
                readToEnd(conn.in());
            } else {
                conn.send("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nplain");
            }
        }));
    }

    private static void assertOrdinaryResponse(StreamingProxy proxy, String request) throws IOException {
        try (Socket client = connect(proxy.port(), 0)) {
            client.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            InputStream in = client.getInputStream();
            String head = readHead(in);
            assertEquals(200, StreamFixtures.status(head), head);
            assertNull(field(head, "Upgrade"));
            assertEquals("plain", new String(in.readNBytes(5), StandardCharsets.US_ASCII));
        }
    }

    private static void assertNoUpgradeForwarded(StreamUpstream.Head head) {
        assertNull(head.field("Upgrade"));
        assertNull(head.field("HTTP2-Settings"));
        assertNull(head.field("Connection"));
    }

    @Test
    void anH2cUpgradeIsForwardedAsAnOrdinaryRequestSoNoHttp2ChannelOpensPastTheProxy() throws Exception {
        CompletableFuture<StreamUpstream.Head> forwarded = new CompletableFuture<>();
        StreamingProxy proxy = proxy(switchingUpstream(forwarded), r -> { });

        assertOrdinaryResponse(proxy, "GET /internal/secret HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, HTTP2-Settings\r\n"
                + "Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n");
        assertNoUpgradeForwarded(forwarded.get(5, TimeUnit.SECONDS));
    }

    @Test
    void anUpgradeOfferingWebSocketAndH2cIsNotForwarded() throws Exception {
        CompletableFuture<StreamUpstream.Head> forwarded = new CompletableFuture<>();
        StreamingProxy proxy = proxy(switchingUpstream(forwarded), r -> { });

        assertOrdinaryResponse(proxy, "GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\n"
                + "Upgrade: websocket\r\nUpgrade: h2c\r\n\r\n");
        assertNoUpgradeForwarded(forwarded.get(5, TimeUnit.SECONDS));
    }

    @Test
    void http2SettingsIsNeverForwardedEvenWhenConnectionDoesNotNameIt() throws Exception {
        CompletableFuture<StreamUpstream.Head> forwarded = new CompletableFuture<>();
        StreamingProxy proxy = proxy(switchingUpstream(forwarded), r -> { });

        assertOrdinaryResponse(proxy, "GET / HTTP/1.1\r\nHost: x\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n");
        assertNoUpgradeForwarded(forwarded.get(5, TimeUnit.SECONDS));
    }

    @Test
    void aProtocolTheRouteDoesNotListIsNotForwardedAndARouteWithNoneForwardsNoWebSocket() throws Exception {
        CompletableFuture<StreamUpstream.Head> echo = new CompletableFuture<>();
        assertOrdinaryResponse(proxy(switchingUpstream(echo), r -> { }), UPGRADE_ECHO);
        assertNoUpgradeForwarded(echo.get(5, TimeUnit.SECONDS));

        CompletableFuture<StreamUpstream.Head> websocket = new CompletableFuture<>();
        assertOrdinaryResponse(proxy(switchingUpstream(websocket), r -> r.upgradeProtocols()),
                "GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n");
        assertNoUpgradeForwarded(websocket.get(5, TimeUnit.SECONDS));
    }

    @Test
    void aListedProtocolIsMatchedByNameIgnoringCaseAndVersion() throws Exception {
        CompletableFuture<StreamUpstream.Head> forwarded = new CompletableFuture<>();
        StreamingProxy proxy = proxy(switchingUpstream(forwarded), r -> r.upgradeProtocols("Echo"));

        try (Socket client = connect(proxy.port(), 0)) {
            client.getOutputStream().write("GET /raw HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: ECHO/2\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            assertEquals(101, StreamFixtures.status(readHead(client.getInputStream())));
        }
        assertEquals("ECHO/2", forwarded.get(5, TimeUnit.SECONDS).field("Upgrade"));
    }

    @Test
    void upgradeProtocolsRefusesHttp2AndNamesThatAreNoTokens() {
        for (String protocol : new String[] {"h2c", "H2C", "h2", "http", "web socket", ""}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Route.builder("/").upgradeProtocols("websocket", protocol));
            assertTrue(e.getMessage().startsWith("upgradeProtocols"), e.getMessage());
        }
    }
}
