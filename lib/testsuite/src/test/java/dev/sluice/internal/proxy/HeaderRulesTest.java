package dev.sluice.internal.proxy;

import static dev.sluice.internal.proxy.FrontProxy.forwardedGet;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.ProxyServer;
import dev.sluice.ProxyRedirect;
import dev.sluice.Route;
import dev.sluice.ValueTemplate;
import dev.sluice.testing.RawClient;
import dev.sluice.testing.RecordedRequest;
import dev.sluice.testing.ScriptedUpstream;
import dev.sluice.testing.ScriptedUpstream.Response;
import dev.sluice.testing.Upstreams;
import dev.sluice.upstream.UpstreamGroup;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The heads each side receives, as nginx's proxy module writes them. To the upstream: {@code Host: $proxy_host}
 * unless proxy_set_header says otherwise, proxy_set_header values with their variables (an empty one removes the
 * field), no hop-by-hop field, no Connection on HTTP/1.1 and {@code Connection: close} on 1.0, the target in origin
 * form, the route chosen by the longest prefix. To the client: no hop-by-hop or X-Accel-* field, the framing as the
 * proxy parsed it (a body the upstream ends by closing chunked for an HTTP/1.1 client), and {@code Connection:
 * close} exactly when the proxy will close.
 */
class HeaderRulesTest {

    @RegisterExtension
    final Upstreams upstreams = new Upstreams();

    private final ScriptedUpstream upstream = upstreams.scripted().echo();

    private RecordedRequest forward(Consumer<Route.Builder> route, String request) throws Exception {
        ProxyServer proxy = FrontProxy.start(upstreams, upstream, s -> { }, route);
        RawClient client = FrontProxy.client(upstreams, proxy);
        client.send(request);
        assertEquals(200, client.readResponse().status());
        return upstream.requests().get(0);
    }

    // ---------------------------------------------------------------- to the upstream

    @Test
    void hostIsTheGroupNameAndTheOtherFieldsFollowInTheirOrder() throws Exception {
        RecordedRequest received = forward(r -> { },
                "GET /p?q=1 HTTP/1.1\r\nUser-Agent: t\r\nHost: client.example\r\nAccept: */*\r\n\r\n");

        assertEquals("GET /p?q=1 HTTP/1.1\r\nHost: backend\r\nUser-Agent: t\r\nAccept: */*\r\n\r\n",
                received.rawString());
    }

    @Test
    void hostVariableIsTheClientsHostWithoutPortInLowerCase() throws Exception {
        RecordedRequest received = forward(r -> r.setHeader("Host", "$host"),
                "GET / HTTP/1.1\r\nHost: Example.COM:8080\r\n\r\n");

        assertEquals(List.of("example.com"), received.headerValues("Host"));
    }

    @Test
    void hostVariableDropsATrailingDotAsNginxDoes() throws Exception {
        RecordedRequest received = forward(r -> r.setHeader("Host", "$host"),
                "GET / HTTP/1.1\r\nHost: H.Example.:8080\r\n\r\n");

        assertEquals(List.of("h.example"), received.headerValues("Host"));
    }

    @Test
    void hostVariableOfAnAbsoluteFormRequestIsTheTargetsHost() throws Exception {
        RecordedRequest received = forward(r -> r.setHeader("Host", "$host"),
                "GET http://target.example:8080/p HTTP/1.1\r\nHost: header.example\r\n\r\n");

        assertEquals(List.of("target.example"), received.headerValues("Host"));
        assertEquals("/p", received.target());
    }

    @Test
    void forwardedForIsTheClientAddressWhenTheClientSentNone() throws Exception {
        RecordedRequest received = forward(r -> r.setHeader("X-Forwarded-For", "$proxy_add_x_forwarded_for"),
                RawClient.get("/"));

        assertEquals(List.of("127.0.0.1"), received.headerValues("X-Forwarded-For"));
    }

    @Test
    void forwardedForAppendsTheClientAddressToWhatTheClientSent() throws Exception {
        RecordedRequest received = forward(r -> r.setHeader("X-Forwarded-For", "$proxy_add_x_forwarded_for"),
                "GET / HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: 203.0.113.7\r\n\r\n");

        assertEquals(List.of("203.0.113.7, 127.0.0.1"), received.headerValues("X-Forwarded-For"));
    }

    @Test
    void forwardedForJoinsEveryForwardedForFieldTheClientSent() throws Exception {
        RecordedRequest received = forward(r -> r.setHeader("X-Forwarded-For", "$proxy_add_x_forwarded_for"),
                "GET / HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: 203.0.113.7\r\nX-Forwarded-For: 198.51.100.1\r\n\r\n");

        assertEquals(List.of("203.0.113.7, 198.51.100.1, 127.0.0.1"), received.headerValues("X-Forwarded-For"));
    }

    @Test
    void realIpIsTheRemoteAddressAndReplacesWhatTheClientClaimed() throws Exception {
        RecordedRequest received = forward(r -> r.setHeader("X-Real-IP", "$remote_addr"),
                "GET / HTTP/1.1\r\nHost: a\r\nX-Real-IP: 10.9.9.9\r\n\r\n");

        assertEquals(List.of("127.0.0.1"), received.headerValues("X-Real-IP"));
    }

    @Test
    void setHeaderValuesCombineTextAndVariables() throws Exception {
        RecordedRequest received = forward(r -> r.setHeader("X-Original", "$scheme://$host$request_uri ($request_method)"),
                "GET /p?q=1 HTTP/1.1\r\nHost: a.example\r\n\r\n");

        assertEquals("http://a.example/p?q=1 (GET)", received.header("X-Original"));
    }

    @Test
    void emptySetHeaderValueRemovesTheField() throws Exception {
        RecordedRequest received = forward(r -> r.setHeader("Accept-Encoding", ""),
                "GET / HTTP/1.1\r\nHost: a\r\nAccept-Encoding: gzip\r\nAccept: */*\r\n\r\n");

        assertNull(received.header("Accept-Encoding"));
        assertEquals("*/*", received.header("Accept"));
    }

    @Test
    void hopByHopFieldsAndTheFieldsConnectionListsAreNeverForwarded() throws Exception {
        RecordedRequest received = forward(r -> { }, "GET / HTTP/1.1\r\nHost: a\r\n"
                + "Connection: keep-alive, X-Secret ,x-other-secret\r\nX-Secret: s\r\nX-Other-Secret: s\r\n"
                + "Keep-Alive: timeout=300\r\nProxy-Connection: keep-alive\r\nTE: trailers\r\nTrailer: X-T\r\n"
                + "Upgrade: websocket\r\nX-Kept: k\r\n\r\n");

        assertEquals("GET / HTTP/1.1\r\nHost: backend\r\nX-Kept: k\r\n\r\n", received.rawString());
    }

    @Test
    void contentLengthGoesAsTheProxyParsedIt() throws Exception {
        RecordedRequest received = forward(r -> { }, "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 005\r\n\r\nhello");

        assertEquals("POST / HTTP/1.1\r\nHost: backend\r\nContent-Length: 5\r\n\r\nhello", received.rawString());
    }

    @Test
    void setHeaderRefusesTheFramingFields() {
        for (String name : List.of("Content-Length", "transfer-encoding")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Route.builder("/").setHeader(name, ""));
            assertEquals("setHeader " + name + ": the proxy writes the request's framing from its body",
                    e.getMessage());
        }
    }

    @Test
    void http10ToTheUpstreamSaysConnectionClose() throws Exception {
        RecordedRequest received = forward(r -> r.httpVersion("1.0"),
                "GET /a HTTP/1.1\r\nHost: a\r\nConnection: keep-alive\r\n\r\n");

        assertEquals("GET /a HTTP/1.0\r\nHost: backend\r\nConnection: close\r\n\r\n", received.rawString());
    }

    @Test
    void absoluteFormTargetsAreSentInOriginForm() throws Exception {
        ProxyServer proxy = FrontProxy.start(upstreams, upstream);
        RawClient client = FrontProxy.client(upstreams, proxy);

        client.send("GET http://a.example/p/q?x=1 HTTP/1.1\r\nHost: a.example\r\n\r\n"
                + "GET http://a.example?x=2 HTTP/1.1\r\nHost: a.example\r\n\r\n"
                + "GET http://a.example HTTP/1.1\r\nHost: a.example\r\n\r\n");

        assertEquals(forwardedGet("/p/q?x=1"), client.readResponse().bodyString());
        assertEquals(forwardedGet("/?x=2"), client.readResponse().bodyString());
        assertEquals(forwardedGet("/"), client.readResponse().bodyString());
    }

    // ---------------------------------------------------------------- routes

    private ProxyServer routed(ScriptedUpstream root, ScriptedUpstream api, ScriptedUpstream v2) throws Exception {
        return upstreams.manage(ProxyServer.builder().listen("127.0.0.1:0").workers(1)
                .route("/api", r -> r.upstream(UpstreamGroup.builder("api").server(api.address()).build()))
                .route("/", r -> r.upstream(UpstreamGroup.builder("root").server(root.address()).build()))
                .route("/api/v2", r -> r.upstream(UpstreamGroup.builder("v2").server(v2.address()).build()))
                .start());
    }

    @Test
    void theLongestMatchingPrefixPicksTheRoute() throws Exception {
        ScriptedUpstream root = upstreams.scripted().identity();
        ScriptedUpstream api = upstreams.scripted().identity();
        ScriptedUpstream v2 = upstreams.scripted().identity();
        RawClient client = FrontProxy.client(upstreams, routed(root, api, v2));

        client.send(RawClient.get("/api/v2/x") + RawClient.get("/api/x") + RawClient.get("/apiary")
                + RawClient.get("/other") + RawClient.get("/?to=/api/v2") + RawClient.get("http://h/api/v2"));

        assertEquals(String.valueOf(v2.port()), client.readResponse().bodyString());
        assertEquals(String.valueOf(api.port()), client.readResponse().bodyString());
        assertEquals(String.valueOf(api.port()), client.readResponse().bodyString());
        assertEquals(String.valueOf(root.port()), client.readResponse().bodyString());
        assertEquals(String.valueOf(root.port()), client.readResponse().bodyString());
        assertEquals(String.valueOf(v2.port()), client.readResponse().bodyString());
    }

    @Test
    void aRequestNoRouteMatchesIs404AndTheConnectionStaysUsable() throws Exception {
        ProxyServer proxy = upstreams.manage(ProxyServer.builder().listen("127.0.0.1:0").workers(1)
                .route("/api", r -> r.upstream(UpstreamGroup.builder("api").server(upstream.address()).build()))
                .start());
        RawClient client = FrontProxy.client(upstreams, proxy);

        client.send(RawClient.get("/other") + RawClient.get("/api/x"));
        RawClient.Reply notFound = client.readResponse();

        assertEquals(404, notFound.status());
        assertEquals("keep-alive", notFound.header("Connection"));
        assertEquals(200, client.readResponse().status());
        assertEquals(1, upstream.requestCount());
        assertEquals("/api/x", upstream.requests().get(0).target());
    }

    // ---------------------------------------------------------------- to the client

    @Test
    void hopByHopAndAccelFieldsOfTheResponseStayBehind() throws Exception {
        upstream.enqueue(Response.builder().body("ok").header("Connection", "X-Hop").header("X-Hop", "1")
                .header("Keep-Alive", "timeout=5").header("Proxy-Connection", "keep-alive").header("Trailer", "X-T")
                .header("Upgrade", "h2c").header("TE", "trailers").header("X-Accel-Limit-Rate", "1024")
                .header("X-Accel-Buffering", "no").header("x-accel-expires", "10").header("X-Kept", "yes"));
        ProxyServer proxy = FrontProxy.start(upstreams, upstream);
        RawClient client = FrontProxy.client(upstreams, proxy);

        client.send(RawClient.get("/"));
        RawClient.Reply reply = client.readResponse();

        assertEquals("HTTP/1.1 200 OK\r\nX-Kept: yes\r\nContent-Length: 2\r\n\r\nok", undated(reply.rawString()));
    }

    @Test
    void aResponseWithoutADateGetsTheProxysAndOneWithADateKeepsIt() throws Exception {
        upstream.enqueue(Response.builder().body("dated").header("Date", "Mon, 01 Jan 2001 00:00:00 GMT"));
        upstream.enqueue(Response.builder().body("undated"));
        ProxyServer proxy = FrontProxy.start(upstreams, upstream);
        RawClient client = FrontProxy.client(upstreams, proxy);

        client.send(RawClient.get("/a"));
        RawClient.Reply dated = client.readResponse();
        client.send(RawClient.get("/b"));
        RawClient.Reply undated = client.readResponse();
        client.send("GET /c HTTP/1.1\r\n\r\n");
        RawClient.Reply own = client.readResponse();

        assertEquals("Mon, 01 Jan 2001 00:00:00 GMT", dated.header("Date"));
        assertEquals(1, dated.rawString().split("\r\nDate: ", -1).length - 1, "the peer's Date only");
        assertEquals("HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\nundated", undated(undated.rawString()));
        assertEquals(400, own.status());
        undated(own.rawString());
    }

    @Test
    void aRedirectToTheUpstreamsOwnNameGetsTheClientsViewOfItAsProxyRedirectDefault() throws Exception {
        String upstreamUrl = "http://" + FrontProxy.GROUP;
        upstream.enqueue(Response.builder().status(302).header("Location", upstreamUrl + "/v2/a?x=1")
                .header("Refresh", "0; URL=" + upstreamUrl + "/v2/r"));
        upstream.enqueue(Response.builder().status(302).header("Location", upstreamUrl + "/b"));
        upstream.enqueue(Response.builder().status(302).header("Location", "http://elsewhere/v2/c"));
        upstream.enqueue(Response.builder().status(302).header("Location", upstreamUrl + "/v2/d"));
        UpstreamGroup group = UpstreamGroup.builder(FrontProxy.GROUP).server(upstream.address()).build();
        ProxyServer proxy = upstreams.proxy(p -> p
                .route("/api/", r -> r.upstream(group).passUri("/v2/"))
                .route("/", r -> r.upstream(group))
                .route("/off/", r -> r.upstream(group).passUri("/v2/").redirectRewrite(false)));
        RawClient client = FrontProxy.client(upstreams, proxy);

        RawClient.Reply prefixed = client.send(RawClient.get("/api/a?x=1")).readResponse();
        RawClient.Reply plain = client.send(RawClient.get("/b")).readResponse();
        RawClient.Reply foreign = client.send(RawClient.get("/api/c")).readResponse();
        RawClient.Reply off = client.send(RawClient.get("/off/d")).readResponse();

        assertEquals("/api/a?x=1", prefixed.header("Location"));
        assertEquals("0; URL=/api/r", prefixed.header("Refresh"));
        assertEquals("/b", plain.header("Location"));
        assertEquals("http://elsewhere/v2/c", foreign.header("Location"), "another URL is left as it is");
        assertEquals(upstreamUrl + "/v2/d", off.header("Location"), "proxy_redirect off");
    }

    @Test
    void aRoutesOwnRedirectLinesRewriteInOrderThePrefixOrForARegexTheWholeUrl() throws Exception {
        upstream.enqueue(Response.builder().status(302).header("Location", "http://localhost:8000/a?x=1")
                .header("Refresh", "5; url=http://localhost:8000/r"));
        upstream.enqueue(Response.builder().status(302).header("Location", "https://other:8443/b/c"));
        upstream.enqueue(Response.builder().status(302).header("Location", "http://" + FrontProxy.GROUP + "/d"));
        upstream.enqueue(Response.builder().status(301).header("Location", "ftp://files/e"));
        upstream.enqueue(Response.builder().status(302).header("Location", "http://" + FrontProxy.GROUP + "/f"));
        upstream.enqueue(Response.builder().status(302).header("Location", "/g"));
        UpstreamGroup group = UpstreamGroup.builder(FrontProxy.GROUP).server(upstream.address()).build();
        ProxyServer proxy = upstreams.proxy(p -> p
                .route("/own/", r -> r.upstream(group)
                        .redirectRewrite("http://localhost:8000/", "/app/")
                        .redirectRewrite("~*^HTTPS?://[^/]+(?<rest>/.*)$", "/from-$rest$1"))
                .route("/both/", r -> r.upstream(group).redirectRewrite(true)
                        .redirectRewrite("/", "/$request_method/")));
        RawClient client = FrontProxy.client(upstreams, proxy);

        RawClient.Reply prefix = client.send(RawClient.get("/own/1")).readResponse();
        RawClient.Reply regex = client.send(RawClient.get("/own/2")).readResponse();
        RawClient.Reply ownUrl = client.send(RawClient.get("/own/3")).readResponse();
        RawClient.Reply none = client.send(RawClient.get("/own/4")).readResponse();
        RawClient.Reply byDefault = client.send(RawClient.get("/both/5")).readResponse();
        RawClient.Reply byVariable = client.send(RawClient.get("/both/6")).readResponse();

        assertEquals("/app/a?x=1", prefix.header("Location"), "the first line that matches replaces its prefix");
        assertEquals("5; url=/app/r", prefix.header("Refresh"));
        assertEquals("/from-/b/c/b/c", regex.header("Location"), "a regex replaces the whole URL, its groups by name"
                + " and by number");
        assertEquals("/from-/d/d", ownUrl.header("Location"), "own lines replace the default");
        assertEquals("ftp://files/e", none.header("Location"), "no line matches: left as it is");
        assertEquals("/f", byDefault.header("Location"), "the default kept among own lines, at its place");
        assertEquals("/GET/g", byVariable.header("Location"), "variables in the replacement are the request's");
    }

    @Test
    void aRewrittenRedirectThatWouldLeaveTheHostStaysOnIt() throws Exception {
        String upstreamUrl = "http://" + FrontProxy.GROUP;
        upstream.enqueue(Response.builder().status(302).header("Location", upstreamUrl + "//evil.example/a")
                .header("Refresh", "0; url=" + upstreamUrl + "/\\evil.example/b"));
        upstream.enqueue(Response.builder().status(302).header("Location", "http://app/x//evil.example/c"));
        upstream.enqueue(Response.builder().status(302).header("Location", upstreamUrl + "/\t/evil.example/d"));
        UpstreamGroup group = UpstreamGroup.builder(FrontProxy.GROUP).server(upstream.address()).build();
        ProxyServer proxy = upstreams.proxy(p -> p
                .route("/", r -> r.upstream(group))
                .route("/re/", r -> r.upstream(group).redirectRewrite("~^http://app/x(/.*)$", "$1")));
        RawClient client = FrontProxy.client(upstreams, proxy);

        RawClient.Reply byDefault = client.send(RawClient.get("/a")).readResponse();
        RawClient.Reply byRegex = client.send(RawClient.get("/re/c")).readResponse();
        RawClient.Reply tabbed = client.send(RawClient.get("/d")).readResponse();

        assertEquals("/%2Fevil.example/a", byDefault.header("Location"), "a browser reads //evil.example as a host");
        assertEquals("0; url=/%5Cevil.example/b", byDefault.header("Refresh"), "and /\\evil.example as well");
        assertEquals("/%2Fevil.example/c", byRegex.header("Location"));
        assertEquals("/%09/evil.example/d", tabbed.header("Location"), "a browser drops a tab from a URL");
    }

    @Test
    void aRedirectLineThatCannotWorkIsRefusedAtBuild() {
        UpstreamGroup group = UpstreamGroup.builder(FrontProxy.GROUP).server(upstream.address()).build();
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> Route.builder("/").redirectRewrite("~^(http", "/")).getMessage()
                .startsWith("redirectRewrite \"~^(http\": not a regex"));
        assertEquals("redirectRewrite \"~^http://x(/.*)$\": the replacement uses $2 but the regex captures 1 group(s)",
                assertThrows(IllegalArgumentException.class,
                        () -> Route.builder("/").redirectRewrite("~^http://x(/.*)$", "$2")).getMessage());
        assertEquals("redirectRewrite \"~^http://(?<host>[^/]+)\": the group name host is the variable $host already",
                assertThrows(IllegalArgumentException.class,
                        () -> Route.builder("/").redirectRewrite("~^http://(?<host>[^/]+)", "/$host")).getMessage());
        assertThrows(IllegalArgumentException.class, () -> new ProxyRedirect(null, null,
                ValueTemplate.parse("x", "/")));
        assertEquals("route ^/u/(.*)$: redirectRewrite default cannot be used with a passUri that names variables,"
                + " as nginx's proxy_redirect default", assertThrows(IllegalArgumentException.class,
                        () -> Route.builder("~ ^/u/(.*)$").upstream(group).passUri("/x/$1").redirectRewrite(true)
                                .build()).getMessage());
    }

    @Test
    void aConnectionOptionNamingTheResponsesFramingLeavesItFramedForTheClient() throws Exception {
        upstream.enqueue(Response.builder().header("Connection", "Content-Length").header("Content-Length", "02")
                .body("ok"));
        upstream.enqueue(Response.builder().header("Connection", "Transfer-Encoding").body("chunks").chunked(3));
        ProxyServer proxy = FrontProxy.start(upstreams, upstream);
        RawClient client = FrontProxy.client(upstreams, proxy);

        client.send(RawClient.get("/a"));
        RawClient.Reply first = client.readResponse();
        client.send(RawClient.get("/b"));
        RawClient.Reply second = client.readResponse();
        client.send(RawClient.get("/c"));

        assertEquals("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", undated(first.rawString()));
        assertEquals("chunked", second.header("Transfer-Encoding"));
        assertEquals("chunks", second.bodyString());
        assertEquals(forwardedGet("/c"), client.readResponse().bodyString());
    }

    @Test
    void clientAskingToCloseGetsConnectionCloseAndAClose() throws Exception {
        ProxyServer proxy = FrontProxy.start(upstreams, upstream);
        RawClient client = FrontProxy.client(upstreams, proxy);

        client.send("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");

        assertEquals("close", client.readResponse().header("Connection"));
        assertEquals(RawClient.End.EOF, client.readUntilClose(Duration.ofSeconds(3)).end());
        assertNull(upstream.requests().get(0).header("Connection"));
    }

    @ParameterizedTest(name = "proxy_buffering {0}")
    @ValueSource(booleans = {true, false})
    void bodyDelimitedByTheUpstreamsCloseGoesChunkedAndTheClientConnectionStays(boolean buffering) throws Exception {
        upstream.enqueue(Response.builder().body("until the end").bodyUntilClose());
        ProxyServer proxy = FrontProxy.start(upstreams, upstream, s -> { }, r -> r.buffering(buffering));
        RawClient client = FrontProxy.client(upstreams, proxy);

        client.send(RawClient.get("/a"));
        RawClient.Reply reply = client.readResponse();
        client.send(RawClient.get("/b"));

        assertEquals("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nd\r\nuntil the end\r\n0\r\n\r\n",
                undated(reply.rawString()));
        assertEquals(forwardedGet("/b"), client.readResponse().bodyString());
    }

    @Test
    void bodyDelimitedByTheUpstreamsCloseGoesToAnHttp10ClientUntilTheProxyCloses() throws Exception {
        upstream.enqueue(Response.builder().body("until the end").bodyUntilClose());
        ProxyServer proxy = FrontProxy.start(upstreams, upstream);
        RawClient client = FrontProxy.client(upstreams, proxy);

        client.send("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
        RawClient.Received all = client.readUntilClose(Duration.ofSeconds(3));

        assertEquals(RawClient.End.EOF, all.end());
        assertEquals("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end", undated(all.string()));
    }

    @Test
    void bodyTheUpstreamBreaksOffBeforeItsCloseLacksTheLastChunk() throws Exception {
        upstream.enqueue(Response.builder().body("until the end").bodyUntilClose().resetMidBody(5));
        ProxyServer proxy = FrontProxy.start(upstreams, upstream);
        RawClient client = FrontProxy.client(upstreams, proxy);

        client.send(RawClient.get("/"));
        RawClient.Received all = client.readUntilClose(Duration.ofSeconds(3));

        assertEquals(RawClient.End.EOF, all.end());
        assertEquals("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nuntil\r\n", undated(all.string()));
    }

    @Test
    void upstreamClosingItsConnectionDoesNotCloseTheClients() throws Exception {
        upstream.enqueue(Response.builder().body("bye").closeAfterResponse());
        ProxyServer proxy = FrontProxy.start(upstreams, upstream);
        RawClient client = FrontProxy.client(upstreams, proxy);

        client.send(RawClient.get("/a"));
        RawClient.Reply first = client.readResponse();
        client.send(RawClient.get("/b"));

        assertNull(first.header("Connection"));
        assertEquals("bye", first.bodyString());
        assertEquals(forwardedGet("/b"), client.readResponse().bodyString());
        assertEquals(2, upstream.connectionsAccepted());
    }

    /**
     * {@code raw} without the {@code Date} field the proxy added, which must be there once, in IMF-fixdate form
     * (RFC 9110 section 5.6.7), and within a few seconds of now.
     */
    private static String undated(String raw) {
        Matcher date = Pattern.compile("\r\nDate: ([A-Z][a-z]{2}, \\d{2} [A-Z][a-z]{2} \\d{4} \\d{2}:\\d{2}:\\d{2} GMT)"
                + "(?=\r\n)").matcher(raw);
        assertTrue(date.find(), raw);
        Instant sent = ZonedDateTime.parse(date.group(1), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        assertTrue(Duration.between(sent, Instant.now()).abs().getSeconds() < 60, date.group(1));
        String rest = raw.substring(0, date.start()) + raw.substring(date.end());
        assertFalse(rest.contains("\r\nDate:"), raw);
        return rest;
    }
}
