package dev.sluice.internal.proxy;

import static dev.sluice.internal.proxy.UpstreamHarness.deadAddress;
import static dev.sluice.internal.proxy.UpstreamHarness.group;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.NextUpstream;
import dev.sluice.NextUpstream.Condition;
import dev.sluice.ProxyServer;
import dev.sluice.observe.AccessLog;
import dev.sluice.observe.AttemptRecord;
import dev.sluice.observe.ExchangeListener;
import dev.sluice.observe.ExchangeRecord;
import dev.sluice.observe.LogFormat;
import dev.sluice.testing.RawClient;
import dev.sluice.testing.ScriptedUpstream;
import dev.sluice.testing.ScriptedUpstream.Response;
import dev.sluice.testing.Upstreams;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the proxy tells observers: one attempt event per try on a peer, one exchange event per client request with
 * its attempts, and the access-log line with nginx's {@code $upstream_*} values joined as nginx joins them.
 */
class AccessLogTest {

    /** nginx's time format: seconds with three decimals. */
    private static final String TIME = "\\d+\\.\\d{3}";

    @RegisterExtension
    final Upstreams upstreams = new Upstreams();

    private final UpstreamHarness proxy = new UpstreamHarness(upstreams);

    @Test
    void aRetriedRequestsLineJoinsTheValuesOfEveryAttempt() throws Exception {
        String dead = deadAddress();
        ScriptedUpstream good = upstreams.scripted().identity();
        proxy.start(group(dead, good.address()), r -> { });

        proxy.get("/x?y=1");

        String line = AccessLog.format(proxy.exchange());
        String body = String.valueOf(good.port());
        assertMatches("127\\.0\\.0\\.1 \"GET /x\\?y=1 HTTP/1\\.1\" 200 " + body.length() + " " + TIME
                + " upstream_addr=" + Pattern.quote(dead + ", " + good.address())
                + " upstream_status=502, 200"
                + " upstream_response_time=" + TIME + ", " + TIME
                + " upstream_connect_time=-, " + TIME
                + " upstream_header_time=-, " + TIME, line);
    }

    @Test
    void theListenerGetsEachAttemptInOrderAndThenTheExchangeWithThem() throws Exception {
        String dead = deadAddress();
        ScriptedUpstream busy = upstreams.scripted().defaultResponse(Response.builder().status(503).body("busy").build());
        ScriptedUpstream good = upstreams.scripted().identity();
        proxy.start(group(dead, busy.address(), good.address()),
                r -> r.nextUpstream(NextUpstream.on(Condition.ERROR, Condition.HTTP_503)));

        proxy.send("PUT", "/form", "a=1");

        ExchangeRecord exchange = proxy.exchange();
        List<AttemptRecord> attempts = proxy.attempts();
        assertEquals(attempts, exchange.attempts(), "the attempt events came before the exchange event, in order");
        assertEquals(List.of(dead, busy.address(), good.address()),
                attempts.stream().map(AttemptRecord::upstreamAddress).toList());
        assertEquals(List.of(502, 503, 200), attempts.stream().map(AttemptRecord::status).toList());
        AttemptRecord refused = attempts.get(0);
        assertEquals(-1, refused.connectNanos());
        assertEquals(-1, refused.headerNanos());
        assertTrue(refused.error().startsWith("connect() failed (") && refused.error().endsWith(") while connecting"
                + " to upstream"), refused.error());
        AttemptRecord answered = attempts.get(1);
        assertNull(answered.error(), "a peer that answered, even 503, did not fail at the transport");
        assertTrue(answered.connectNanos() >= 0 && answered.headerNanos() >= answered.connectNanos(), answered.toString());
        assertTrue(answered.responseNanos() >= answered.headerNanos(), answered.toString());
        assertFalse(answered.reusedConnection());
        assertEquals("127.0.0.1", exchange.clientAddress());
        assertEquals("PUT", exchange.method());
        assertEquals("/form", exchange.target());
        assertEquals("HTTP/1.1", exchange.protocol());
        assertEquals(200, exchange.status());
        assertEquals(String.valueOf(good.port()).length(), exchange.bodyBytesSent());
        assertEquals("502, 503, 200", exchange.upstreamStatus());
    }

    @Test
    void aRequestFieldTheFormatNamesIsLoggedAndNoOtherIsKept(@TempDir Path dir) throws Exception {
        ScriptedUpstream good = upstreams.scripted().identity();
        Path file = dir.resolve("access.log");
        AccessLog log = AccessLog.toFile(file, LogFormat.parse("$status \"$http_x_forwarded_for\" \"$http_x_absent\""));
        List<ExchangeRecord> records = new ArrayList<>();
        ExchangeListener recorder = new ExchangeListener() {
            @Override
            public void exchangeEnded(ExchangeRecord exchange) {
                synchronized (records) {
                    records.add(exchange);
                }
            }
        };
        ProxyServer server = upstreams.proxy(p -> p.route("/", r -> r.upstream(group(good.address())))
                .listener(log).listener(recorder));

        try (RawClient client = upstreams.rawClient(server.port())) {
            client.send("GET / HTTP/1.1\r\nHost: h\r\nX-Forwarded-For: 203.0.113.7\r\nX-Other: kept? no\r\n\r\n");
            assertEquals(200, client.readResponse().status());
        }
        server.close();
        log.close();

        assertEquals(List.of("200 \"203.0.113.7\" \"-\""), Files.readAllLines(file));
        synchronized (records) {
            assertEquals(Map.of("x-forwarded-for", "203.0.113.7"), records.get(0).requestFields());
            assertNull(records.get(0).requestField("X-Other"), "a field no listener asked for is not kept");
        }
    }

    @Test
    void aReusedConnectionIsReportedAsSuch() throws Exception {
        ScriptedUpstream good = upstreams.scripted().identity();
        proxy.start(group(good.address()), r -> { });

        proxy.get("/a");
        proxy.get("/b");

        List<AttemptRecord> attempts = List.of(proxy.exchange().attempts().get(0), proxy.exchange().attempts().get(0));
        assertFalse(attempts.get(0).reusedConnection());
        assertTrue(attempts.get(1).reusedConnection());
        assertEquals(0, attempts.get(1).connectNanos());
        assertEquals(1, good.connectionsAccepted());
    }

    @Test
    void noLiveUpstreamsIsLoggedWithTheGroupNameAndNoConnectOrHeaderTime() throws Exception {
        String dead1 = deadAddress();
        String dead2 = deadAddress();
        proxy.start(group(dead1, dead2), r -> { });
        proxy.get("/x");
        proxy.exchange();

        proxy.get("/x");

        assertMatches(".*\" 502 \\d+ " + TIME + " upstream_addr=backend upstream_status=502 upstream_response_time="
                + TIME + " upstream_connect_time=- upstream_header_time=-", AccessLog.format(proxy.exchange()));
    }

    @Test
    void aTimedOutAttemptHasAConnectTimeButNoHeaderTime() throws Exception {
        ScriptedUpstream silent = upstreams.scripted().defaultResponse(Response.builder().stallForever().build());
        proxy.start(group(silent.address()), r -> r.readTimeout(Duration.ofMillis(300)));

        proxy.get("/x");

        ExchangeRecord record = proxy.exchange();
        assertMatches(".*\" 504 \\d+ " + TIME + " upstream_addr=" + Pattern.quote(silent.address())
                + " upstream_status=504 upstream_response_time=" + TIME + " upstream_connect_time=" + TIME
                + " upstream_header_time=-", AccessLog.format(record));
        assertTrue(record.attempts().get(0).responseNanos() >= Duration.ofMillis(300).toNanos(),
                "the attempt lasted at least the read timeout: " + record.upstreamResponseTime());
    }

    @Test
    void aResponseTheProxyMadeWithoutAPeerHasNoUpstreamValues() throws Exception {
        ScriptedUpstream good = upstreams.scripted().identity();
        proxy.start(group(good.address()), r -> { });

        proxy.send("POST /upload HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2000000\r\n\r\n");

        assertMatches("127\\.0\\.0\\.1 \"POST /upload HTTP/1\\.1\" 413 \\d+ " + TIME + " upstream_addr=-"
                + " upstream_status=- upstream_response_time=- upstream_connect_time=- upstream_header_time=-",
                AccessLog.format(proxy.exchange()));
        assertEquals(0, good.requestCount());
    }

    @Test
    void theAccessLogWritesOneLineARequestToTheDevSluiceAccessLogger() throws Exception {
        assertEquals("dev.sluice.access", AccessLog.LOGGER_NAME);
        String dead = deadAddress();
        ScriptedUpstream good = upstreams.scripted().identity();
        // slf4j-simple, the test binding, writes to whatever System.err is at the time of each line
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        ExchangeRecord record;
        try {
            proxy.start(ProxyServer.builder().accessLog(), group(dead, good.address()), r -> { });
            proxy.get("/logged");
            record = proxy.exchange(); // the access log, registered first, has written its line by now
        } finally {
            System.setErr(original);
        }

        String lines = captured.toString(StandardCharsets.UTF_8);
        String expected = "INFO " + AccessLog.LOGGER_NAME + " - " + AccessLog.format(record);
        assertTrue(lines.contains(expected), () -> "expected a line ending with \"" + expected + "\" in:\n" + lines);
        assertTrue(expected.contains("upstream_status=502, 200"), expected);
    }

    @Test
    void bodyBytesSentOfAnInterceptedErrorIsTheLengthOfTheErrorPageAlone() throws Exception {
        ScriptedUpstream failing = upstreams.scripted()
                .defaultResponse(Response.builder().status(500).body("the upstream's own page").build());
        String page = "<html>our own error page</html>";
        proxy.start(group(failing.address()), r -> r.interceptErrors(true).errorPage(500, page));

        RawClient.Reply reply = proxy.get("/x");

        assertEquals(page, reply.bodyString());
        assertEquals(page.length(), proxy.exchange().bodyBytesSent());
    }

    @Test
    void bodyBytesSentOfTheProxysOwn502And504IsTheBodyTheClientReceived() throws Exception {
        ScriptedUpstream silent = upstreams.scripted().defaultResponse(Response.builder().stallForever().build());
        proxy.start(group(deadAddress()), r -> { });
        RawClient.Reply badGateway = proxy.get("/x");
        assertEquals(502, badGateway.status());
        assertEquals(badGateway.body().length, proxy.exchange().bodyBytesSent());

        UpstreamHarness slow = new UpstreamHarness(upstreams);
        slow.start(group(silent.address()), r -> r.readTimeout(Duration.ofMillis(200)));
        RawClient.Reply timedOut = slow.get("/x");
        assertEquals(504, timedOut.status());
        assertEquals(timedOut.body().length, slow.exchange().bodyBytesSent());
    }

    @Test
    void bodyBytesSentOfA400AndA404IsTheBodyTheClientReceived() throws Exception {
        ScriptedUpstream good = upstreams.scripted();
        proxy.start(group(good.address()), r -> { });
        // the harness's route "/" takes every path: a proxy of its own has only /api/
        Exchanges seen = new Exchanges();
        ProxyServer onlyApi = upstreams.manage(ProxyServer.builder().listen("127.0.0.1:0").workers(1).listener(seen)
                .route("/api/", r -> r.upstream(group(good.address()))).start());

        RawClient.Reply notFound = upstreams.rawClient(onlyApi.port()).send(RawClient.get("/elsewhere")).readResponse();
        RawClient.Reply bad = proxy.send("GET /x HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n");

        assertEquals(404, notFound.status());
        assertTrue(Exchanges.await(() -> seen.exchanges.size() == 1, 5000));
        assertEquals(notFound.body().length, seen.exchanges.get(0).bodyBytesSent());
        assertEquals(400, bad.status());
        assertEquals(bad.body().length, proxy.exchange().bodyBytesSent());
        assertEquals(0, good.requestCount());
    }

    @Test
    void aHeadRequestAnsweredByTheProxyItselfHasNoBodyBytesSent() throws Exception {
        ScriptedUpstream failing = upstreams.scripted().defaultResponse(Response.builder().status(500).build());
        proxy.start(group(failing.address()), r -> r.interceptErrors(true).errorPage(500, "our page"));
        UpstreamHarness toDead = new UpstreamHarness(upstreams);
        toDead.start(group(deadAddress()), r -> { });

        RawClient intercepted = proxy.client();
        assertEquals(500, intercepted.send("HEAD /x HTTP/1.1\r\nHost: a\r\n\r\n").readHeadResponse().status());
        RawClient own = toDead.client();
        assertEquals(502, own.send("HEAD /x HTTP/1.1\r\nHost: a\r\n\r\n").readHeadResponse().status());

        assertEquals(0, proxy.exchange().bodyBytesSent());
        assertEquals(0, toDead.exchange().bodyBytesSent());
    }

    private static void assertMatches(String regex, String line) {
        assertTrue(Pattern.matches(regex, line), () -> "\"" + line + "\" does not match\n\"" + regex + "\"");
    }
}
