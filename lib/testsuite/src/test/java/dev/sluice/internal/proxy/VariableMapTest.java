package dev.sluice.internal.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.sluice.ProxyServer;
import dev.sluice.testing.RawClient;
import dev.sluice.testing.RecordedRequest;
import dev.sluice.testing.ScriptedUpstream;
import dev.sluice.testing.Upstreams;
import dev.sluice.upstream.Sticky;
import dev.sluice.upstream.UpstreamGroup;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** nginx's {@code map}: a variable chosen by the value of another, named in a route's values. */
class VariableMapTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    @RegisterExtension
    final Upstreams upstreams = Upstreams.inMemory();

    private final ScriptedUpstream upstream = upstreams.scripted();
    private final UpstreamGroup group = UpstreamGroup.builder("app").server(upstream.address()).build();

    @Test
    void anExactKeyIgnoringCaseThenTheFirstRegexThenTheDefaultChooseTheValue() throws Exception {
        ProxyServer proxy = upstreams.proxy(p -> p
                .map("api_version", "$cookie_version", m -> m
                        .entry("Beta", "v2")
                        .entry("~^rc(?<n>[0-9]+)$", "rc$n-$1")
                        .entry("~*^RC", "rc")
                        .entry("default", "v1"))
                .map("tier", "$api_version", m -> m.entry("v2", "new").entry("default", "old-$api_version"))
                .route("/", r -> r.upstream(group).passUri("/$api_version$uri").setHeader("X-Tier", "$tier")));
        RawClient client = upstreams.rawClient(proxy.port());

        for (String cookie : new String[] {"version=beta", "version=rc7", "version=rcX", ""}) {
            client.send("GET /x HTTP/1.1\r\nHost: a\r\n" + (cookie.isEmpty() ? "" : "Cookie: " + cookie + "\r\n")
                    + "\r\n");
            assertEquals(200, client.readResponse().status());
        }

        assertSeen("/v2/x", "new");
        assertSeen("/rc7-7/x", "old-rc7-7");
        assertSeen("/rc/x", "old-rc");
        assertSeen("/v1/x", "old-v1");
    }

    private void assertSeen(String target, String tier) throws InterruptedException {
        RecordedRequest request = upstream.takeRequest(WAIT);
        assertEquals(target, request.target());
        assertEquals(tier, request.header("X-Tier"));
    }

    @Test
    void aMapIsNamedOnlyAfterItIsDeclaredAndMayNotTakeAVariablesNameOrBeDeclaredTwice() {
        assertEquals("setHeader X uses an unknown variable $later", assertThrows(IllegalArgumentException.class,
                () -> ProxyServer.builder().route("/", r -> r.upstream(group).setHeader("X", "$later"))
                        .map("later", "$uri", m -> { })).getMessage());
        assertEquals("map $host: a map's name is letters, digits and '_', and not one of the proxy's variables",
                assertThrows(IllegalArgumentException.class,
                        () -> ProxyServer.builder().map("host", "$uri", m -> { })).getMessage());
        assertEquals("map $m is declared twice", assertThrows(IllegalArgumentException.class,
                () -> ProxyServer.builder().map("m", "$uri", m -> { }).map("m", "$uri", m -> { })).getMessage());
        assertEquals("map $m: the key \"A\" is given twice", assertThrows(IllegalArgumentException.class,
                () -> ProxyServer.builder().map("m", "$uri", m -> m.entry("a", "1").entry("A", "2"))).getMessage());
        assertEquals("map $m: duplicate default", assertThrows(IllegalArgumentException.class, () -> ProxyServer
                .builder().map("m", "$uri", m -> m.entry("default", "1").entry("default", "2"))).getMessage());
        assertEquals("map $m ~^(x: not a regex: Unclosed group", assertThrows(IllegalArgumentException.class,
                () -> ProxyServer.builder().map("m", "$uri", m -> m.entry("~^(x", "y"))).getMessage());
        assertEquals("map $m ~^(x)$: the value uses $2 but the regex captures 1 group(s)",
                assertThrows(IllegalArgumentException.class,
                        () -> ProxyServer.builder().map("m", "$uri", m -> m.entry("~^(x)$", "$2"))).getMessage());
    }

    @Test
    void stickyRouteFollowsTheRouteAMapFindsInTheSessionCookieAsNginxPlusDocumentsIt() throws Exception {
        ScriptedUpstream b = upstreams.scripted();
        UpstreamGroup sticky = UpstreamGroup.builder("backend")
                .server(upstream.address(), s -> s.route("a"))
                .server(b.address(), s -> s.route("b"))
                .sticky(Sticky.route("$route_cookie", "$route_uri"))
                .build();
        ProxyServer proxy = upstreams.proxy(p -> p
                .map("route_cookie", "$cookie_jsessionid", m -> m.entry("~.+\\.(?P<route>\\w+)$", "$route"))
                .map("route_uri", "$request_uri", m -> m.entry("~jsessionid=.+\\.(?P<route>\\w+)$", "$route"))
                .route("/", r -> r.upstream(sticky)));
        RawClient client = upstreams.rawClient(proxy.port());

        for (int i = 0; i < 3; i++) {
            client.send("GET /x HTTP/1.1\r\nHost: a\r\nCookie: jsessionid=abc.b\r\n\r\n");
            assertEquals(200, client.readResponse().status());
            client.send(RawClient.get("/y;jsessionid=def.a"));
            assertEquals(200, client.readResponse().status());
        }

        assertEquals(3, b.requestCount(), "the cookie's route");
        assertEquals(3, upstream.requestCount(), "the URI's route");
    }

    @Test
    void aStickyGroupNamingAMapTheProxyLacksIsRefusedAtStart() {
        UpstreamGroup sticky = UpstreamGroup.builder("backend").server(upstream.address(), s -> s.route("a"))
                .sticky(Sticky.route("$route_cookie")).build();
        assertEquals("upstream \"backend\": sticky uses an unknown variable $route_cookie",
                assertThrows(IllegalArgumentException.class, () -> ProxyServer.builder().listen("127.0.0.1:0")
                        .route("/", r -> r.upstream(sticky)).start()).getMessage());
    }

    @Test
    void anEmptyValueIsLookedForAmongTheKeysAloneAndOtherBytesMatchAsNginxsDo() throws Exception {
        ProxyServer proxy = upstreams.proxy(p -> p
                .map("m", "$http_x_k", m -> m.entry("~^$", "regex").entry("~.*", "any")
                        .entry("\u00e9t\u00e9", "summer").entry("default", "none"))
                .route("/", r -> r.returns(200, "$m")));
        RawClient client = upstreams.rawClient(proxy.port());

        assertEquals("none", answer(client, "X-K:"), "no regex runs on an empty value, as nginx's map");
        assertEquals("summer", answer(client, "X-K: \u00c3\u00a9t\u00c3\u00a9"),
                "a key is its UTF-8 bytes, as nginx reads it (the client sends the bytes C3 A9 for each \u00e9)");
        assertEquals("any", answer(client, "X-K: \u00c3\u0089T\u00c3\u0089"), "only ASCII letters fold");
    }

    /** Each value and what nginx 1.22.1's map with the same keys answered for it (2026-12-06, this machine). */
    @ParameterizedTest
    @CsvSource({"example.com, dot", "EXAMPLE.com., dot", "x.example.com, dot", "a.example.com, dot",
            "b.a.example.com, stara", "c.b.a.example.com, stara", "www.a.example.com, stara", "www.example.com, dot",
            "www.example.org, exactwww", "www.example.co.uk, tail", "www.example, d", "re.example.com, dot",
            "re.x, regex", "example.org, d", "'', d", "., d"})
    void hostnamesKeysAreWildcardsTriedAfterTheExactKeysAndBeforeTheRegexesAsNginxs(String host, String expected)
            throws Exception {
        ProxyServer proxy = upstreams.proxy(p -> p
                .map("v", "$http_x_h", m -> m.hostnames().entry("default", "d").entry(".example.com", "dot")
                        .entry("*.a.example.com", "stara").entry("www.example.*", "tail")
                        .entry("www.example.org", "exactwww").entry("~^re\\.", "regex"))
                .route("/", r -> r.returns(200, "$v")));

        assertEquals(expected, answer(upstreams.rawClient(proxy.port()), "X-H: " + host));
    }

    @Test
    void theLongestWildcardOfEachKindWinsAndAMalformedOneIsRefusedAsNginxRefusesIt() throws Exception {
        ProxyServer proxy = upstreams.proxy(p -> p
                .map("v", "$http_x_h", m -> m.hostnames().entry("default", "d").entry("*.com", "com")
                        .entry("*.example.com", "ex").entry("www.*", "w").entry("www.example.*", "we"))
                .route("/", r -> r.returns(200, "$v")));
        RawClient client = upstreams.rawClient(proxy.port());

        assertEquals("ex", answer(client, "X-H: x.example.com"));
        assertEquals("com", answer(client, "X-H: a..com"));
        assertEquals("we", answer(client, "X-H: www.example.org"));
        assertEquals("w", answer(client, "X-H: www.other.org"));
        assertEquals("w", answer(client, "X-H: www.example"));
        for (String key : new String[] {"www.*.com", "*example.com", "*"}) {
            assertThrows(IllegalArgumentException.class, () -> ProxyServer.builder()
                    .map("v", "$host", m -> m.hostnames().entry(key, "x")), key);
        }
        assertThrows(IllegalArgumentException.class, () -> ProxyServer.builder()
                .map("v", "$host", m -> m.hostnames().entry(".example.com", "a").entry("*.example.com", "b")),
                "nginx's conflicting parameter");
        ProxyServer plain = upstreams.proxy(p -> p
                .map("v", "$http_x_h", m -> m.entry("*.example.com", "literal").entry("default", "d"))
                .route("/", r -> r.returns(200, "$v")));
        RawClient plainClient = upstreams.rawClient(plain.port());
        assertEquals("literal", answer(plainClient, "X-H: *.example.com"), "without hostnames a key is plain");
        assertEquals("d", answer(plainClient, "X-H: a.example.com"));
    }

    @Test
    void theConfigurationsTextGoesOutInUtf8AndAClientsBytesAsItSentThem() throws Exception {
        ProxyServer proxy = upstreams.proxy(p -> p
                .map("m", "$http_x_k", m -> m.entry("default", "\u00e9-\u00fc"))
                .route("/", r -> r.upstream(group).setHeader("X-M", "$m \u00df"))
                .route("/r", r -> r.returns(200, "$http_x_k \u00df")));
        RawClient client = upstreams.rawClient(proxy.port());

        client.send(RawClient.get("/"));
        RawClient.Reply proxied = client.readResponse();
        client.send("GET /r HTTP/1.1\r\nHost: a\r\nX-K: \u00c3\u00a9\r\n\r\n"); // é in UTF-8, a char a byte
        RawClient.Reply returned = client.readResponse();

        assertEquals(200, proxied.status());
        assertEquals("\u00c3\u00a9-\u00c3\u00bc \u00c3\u009f", upstream.takeRequest(WAIT).header("X-M"),
                "the bytes of \u00e9-\u00fc \u00df in UTF-8, as nginx sends what its configuration holds");
        assertEquals("\u00e9 \u00df", returned.bodyString(),
                "a client's UTF-8 goes back as it came, the configuration's own text in UTF-8 beside it");
    }

    @Test
    void aRegexThatRecursesPerCharacterMatchesAValueAsLongAsAnyTargetTheProxyTakes() throws Exception {
        ProxyServer proxy = upstreams.proxy(p -> p
                .map("m", "$arg_k", m -> m.entry("~^(a|b)*$", "ab").entry("default", "other"))
                .route("~ ^/(a|b)*$", r -> r.returns(200, "$m"))
                .route("/", r -> r.returns(200, "prefix")));
        RawClient client = upstreams.rawClient(proxy.port());

        String half = "ab".repeat(1500);
        client.send(RawClient.get("/" + half + "?k=" + half));
        RawClient.Reply reply = client.readResponse();

        assertEquals(200, reply.status());
        assertEquals("ab", reply.bodyString(), "a 1 MiB stack overflows at this length; the loop's 16 MiB does not");
    }

    /** The answer to {@code GET /} with {@code field}. */
    private static String answer(RawClient client, String field) throws java.io.IOException {
        client.send("GET / HTTP/1.1\r\nHost: a\r\n" + field + "\r\n\r\n");
        RawClient.Reply reply = client.readResponse();
        assertEquals(200, reply.status(), field);
        return reply.bodyString();
    }

    @Test
    void aServersRoutesNameTheMapsDeclaredBeforeIt() throws Exception {
        ProxyServer proxy = upstreams.proxy(p -> p
                .map("lang", "$arg_lang", m -> m.entry("de", "de-DE").entry("default", "en-US"))
                .server("shop.test", s -> s.route("/", r -> r.upstream(group).setHeader("Accept-Language", "$lang"))));
        RawClient client = upstreams.rawClient(proxy.port());

        client.send("GET /?lang=DE HTTP/1.1\r\nHost: shop.test\r\n\r\n");

        assertEquals(200, client.readResponse().status());
        assertEquals("de-DE", upstream.takeRequest(WAIT).header("Accept-Language"));
    }
}
