package dev.sluice.internal.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.Answer;
import dev.sluice.ProxyHandler;
import dev.sluice.ProxyRequest;
import dev.sluice.ProxyServer;
import dev.sluice.Route;
import dev.sluice.UpstreamRequest;
import dev.sluice.UpstreamResponse;
import dev.sluice.observe.ExchangeRecord;
import dev.sluice.testing.RawClient;
import dev.sluice.testing.RecordedRequest;
import dev.sluice.testing.ScriptedUpstream;
import dev.sluice.testing.ScriptedUpstream.Response;
import dev.sluice.testing.Upstreams;
import dev.sluice.upstream.Balancer;
import dev.sluice.upstream.UpstreamGroup;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Each phase of a route's {@link ProxyHandler}, on an in-memory network. */
class ProxyHandlerTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    @RegisterExtension
    final Upstreams upstreams = Upstreams.inMemory();

    private final ScriptedUpstream stable = upstreams.scripted();
    private final UpstreamGroup stableGroup = UpstreamGroup.builder("stable").server(stable.address()).build();

    // ---------------------------------------------------------------- onRequest

    @Test
    void aRequestTheHandlerAnswersNeverReachesAPeerAndTheConnectionServesTheNext() throws Exception {
        RawClient client = proxy(r -> r.handler(new ProxyHandler() {
            @Override
            public Answer onRequest(ProxyRequest request) {
                return request.header("Authorization") != null ? null
                        : Answer.builder(401).header("WWW-Authenticate", "Bearer").build();
            }
        }));

        client.send(RawClient.get("/private"));
        RawClient.Reply refused = client.readResponse();
        client.send("GET /private HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer t\r\n\r\n");

        assertEquals(401, refused.status());
        assertEquals("Bearer", refused.header("WWW-Authenticate"));
        assertTrue(refused.bodyString().contains("401 Unauthorized"), "nginx's page for the status");
        assertEquals(200, client.readResponse().status());
        assertEquals(1, stable.requestCount());
    }

    @Test
    void aHandlerThatThrowsCostsOne500AndTheConnectionGoesOn() throws Exception {
        RawClient client = proxy(r -> r.handler(new ProxyHandler() {
            @Override
            public Answer onRequest(ProxyRequest request) {
                if (request.path().equals("/boom")) {
                    throw new IllegalStateException("a bug in the handler");
                }
                return null;
            }
        }));

        client.send(RawClient.get("/boom"));
        RawClient.Reply failed = client.readResponse();
        client.send(RawClient.get("/fine"));

        assertEquals(500, failed.status());
        assertEquals("keep-alive", failed.header("Connection"));
        assertEquals(200, client.readResponse().status());
        assertEquals("/fine", stable.takeRequest(WAIT).target());
    }

    @Test
    void theRequestViewShowsPathQueryHeadersClientAndRoute() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        RawClient client = proxy(r -> r.handler(new ProxyHandler() {
            @Override
            public Answer onRequest(ProxyRequest request) {
                seen.add(request.method() + " " + request.target() + " " + request.path() + " " + request.query()
                        + " " + request.headers("X-A") + " " + request.clientAddress() + " " + request.routePrefix());
                return Answer.of(204);
            }
        }));

        client.send("GET /a/../b?x=1 HTTP/1.1\r\nHost: h\r\nX-A: 1\r\nX-A: 2\r\n\r\n");

        RawClient.Reply reply = client.readResponse();
        assertEquals(204, reply.status());
        assertNull(reply.header("Content-Length"), "a 204 has none, as nginx sends it");
        assertEquals(List.of("GET /a/../b?x=1 /b x=1 [1, 2] 127.0.0.1 /"), seen);
    }

    // ---------------------------------------------------------------- answers that come later

    @Test
    void aLaterAnswerHoldsTheRequestWithoutBlockingAndResumesOnItsLoop() throws Exception {
        CompletableFuture<Answer> check = new CompletableFuture<>();
        List<String> threads = new CopyOnWriteArrayList<>();
        RawClient client = proxy(r -> r.handler(new ProxyHandler() {
            @Override
            public Answer onRequest(ProxyRequest request) {
                return Answer.after(check);
            }

            @Override
            public UpstreamGroup chooseUpstream(ProxyRequest request, UpstreamGroup configured) {
                threads.add(Thread.currentThread().getName());
                return configured;
            }
        }));

        client.send(RawClient.get("/checked"));
        upstreams.network().settle(WAIT);
        assertEquals(RawClient.End.TIMEOUT, client.readUntilClose(Duration.ofMillis(1)).end(), "still waiting");
        assertEquals(0, stable.requestCount());
        check.complete(null);

        assertEquals(200, client.readResponse().status());
        assertEquals(1, threads.size());
        assertTrue(threads.get(0).startsWith("sluice-loop-"), threads.get(0));
    }

    @Test
    void aLaterAnswerIsSentAsItCame() throws Exception {
        RawClient client = proxy(r -> r.handler(new ProxyHandler() {
            @Override
            public Answer onRequest(ProxyRequest request) {
                return Answer.after(CompletableFuture.supplyAsync(() -> Answer.of(403)));
            }
        }));

        client.send(RawClient.get("/"));

        assertEquals(403, client.readResponse().status());
        assertEquals(0, stable.requestCount());
    }

    @Test
    void aLaterAnswerThatFailsOrNeverComesCostsA500() throws Exception {
        RawClient client = proxy(r -> r.hookTimeout(Duration.ofSeconds(5)).handler(new ProxyHandler() {
            @Override
            public Answer onRequest(ProxyRequest request) {
                return Answer.after(request.path().equals("/fails")
                        ? CompletableFuture.failedFuture(new IllegalStateException("auth service down"))
                        : new CompletableFuture<>());
            }
        }));

        client.send(RawClient.get("/fails"));
        assertEquals(500, client.readResponse().status());
        client.send(RawClient.get("/never"));
        upstreams.network().advance(Duration.ofSeconds(4));
        assertEquals(RawClient.End.TIMEOUT, client.readUntilClose(Duration.ofMillis(1)).end(), "within hookTimeout");
        upstreams.network().advance(Duration.ofSeconds(2));

        assertEquals(500, client.readResponse().status());
        assertEquals(0, stable.requestCount());
    }

    // ---------------------------------------------------------------- chooseUpstream

    @Test
    void aCanaryHeaderSendsTheRequestToAGroupNoRouteNames() throws Exception {
        ScriptedUpstream canary = upstreams.scripted();
        UpstreamGroup canaryGroup = UpstreamGroup.builder("canary").server(canary.address()).build();
        RawClient client = proxy(r -> r.handler(new ProxyHandler() {
            @Override
            public UpstreamGroup chooseUpstream(ProxyRequest request, UpstreamGroup configured) {
                return "1".equals(request.header("X-Canary")) ? canaryGroup : configured;
            }
        }));

        client.send("GET /one HTTP/1.1\r\nHost: a\r\nX-Canary: 1\r\n\r\n");
        assertEquals(200, client.readResponse().status());
        client.send(RawClient.get("/two"));
        assertEquals(200, client.readResponse().status());

        RecordedRequest toCanary = canary.takeRequest(WAIT);
        assertEquals("/one", toCanary.target());
        assertEquals("canary", toCanary.header("Host"), "$proxy_host follows the chosen group");
        assertEquals("/two", stable.takeRequest(WAIT).target());
    }

    // ---------------------------------------------------------------- upstreamRequest

    @Test
    void theHandlerEditsTheMethodTargetAndFieldsThePeerGets() throws Exception {
        RawClient client = proxy(r -> r.setHeader("X-Set", "route").handler(new ProxyHandler() {
            @Override
            public void upstreamRequest(ProxyRequest request, UpstreamRequest upstream) {
                upstream.method("PUT").target("/v2" + request.target()).setHeader("X-Set", "handler")
                        .addHeader("X-Added", "1").removeHeader("Cookie");
            }
        }));

        client.send("GET /items?page=2 HTTP/1.1\r\nHost: a\r\nCookie: secret\r\nX-Set: client\r\n\r\n");
        assertEquals(200, client.readResponse().status());

        RecordedRequest got = stable.takeRequest(WAIT);
        assertEquals("PUT", got.method());
        assertEquals("/v2/items?page=2", got.target());
        assertEquals(List.of("handler"), got.headerValues("X-Set"));
        assertEquals("1", got.header("X-Added"));
        assertNull(got.header("Cookie"));
    }

    @Test
    void aHandlerMayNotEditTheFieldsThatFrameTheMessage() throws Exception {
        RawClient client = proxy(r -> r.handler(new ProxyHandler() {
            @Override
            public void upstreamRequest(ProxyRequest request, UpstreamRequest upstream) {
                upstream.removeHeader("Content-Length");
            }
        }));

        client.send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nhi");

        assertEquals(500, client.readResponse().status());
        assertEquals(0, stable.requestCount());
    }

    // ---------------------------------------------------------------- upstreamResponse

    @Test
    void theHandlerEditsTheResponseFieldsTheClientGets() throws Exception {
        stable.enqueue(Response.builder().header("X-Powered-By", "php").header("X-Keep", "1").body("ok"));
        RawClient client = proxy(r -> r.handler(new ProxyHandler() {
            @Override
            public Answer upstreamResponse(ProxyRequest request, UpstreamResponse response) {
                response.removeHeader("X-Powered-By").setHeader("Strict-Transport-Security", "max-age=60");
                return null;
            }
        }));

        client.send(RawClient.get("/"));
        RawClient.Reply reply = client.readResponse();

        assertEquals("ok", reply.bodyString());
        assertNull(reply.header("X-Powered-By"));
        assertEquals("1", reply.header("X-Keep"));
        assertEquals("max-age=60", reply.header("Strict-Transport-Security"));
    }

    @Test
    void theHandlerReplacesAResponseWithItsOwnAnswer() throws Exception {
        stable.enqueue(Response.builder().status(503).body("down"));
        RawClient client = proxy(r -> r.handler(new ProxyHandler() {
            @Override
            public Answer upstreamResponse(ProxyRequest request, UpstreamResponse response) {
                return response.status() == 503 ? Answer.of(200, "maintenance page") : null;
            }
        }));

        client.send(RawClient.get("/"));
        RawClient.Reply reply = client.readResponse();

        assertEquals(200, reply.status());
        assertEquals("maintenance page", reply.bodyString());
        assertEquals("text/plain", reply.header("Content-Type"));
    }

    @Test
    void aResponseHookThatThrowsIs502AndDoesNotBlameThePeer() throws Exception {
        RawClient client = proxy(r -> r.handler(new ProxyHandler() {
            @Override
            public Answer upstreamResponse(ProxyRequest request, UpstreamResponse response) {
                throw new IllegalStateException("a bug in the handler");
            }
        }));

        client.send(RawClient.get("/"));

        assertEquals(502, client.readResponse().status());
        assertEquals(0, stableGroup.peers().get(0).fails());
    }

    // ---------------------------------------------------------------- done

    @Test
    void doneSeesEachExchangeAsTheAccessLogDoes() throws Exception {
        List<ExchangeRecord> records = new CopyOnWriteArrayList<>();
        RawClient client = proxy(r -> r.handler(new ProxyHandler() {
            @Override
            public void done(ProxyRequest request, ExchangeRecord record) {
                records.add(record);
            }
        }));

        client.send(RawClient.get("/logged"));
        assertEquals(200, client.readResponse().status());
        upstreams.network().settle(WAIT);

        assertEquals(1, records.size());
        ExchangeRecord record = records.get(0);
        assertEquals("/logged", record.target());
        assertEquals(200, record.status());
        assertEquals("", record.serverName(), "the default server");
        assertEquals("/", record.location());
        assertEquals("stable", record.upstream());
    }

    @Test
    void theRecordNamesTheVirtualServerTheLocationAndTheGroupTheHandlerChose() throws Exception {
        ScriptedUpstream canary = upstreams.scripted();
        UpstreamGroup canaryGroup = UpstreamGroup.builder("canary").server(canary.address()).build();
        List<ExchangeRecord> records = new CopyOnWriteArrayList<>();
        ProxyServer proxy = upstreams.proxy(p -> p.server("api.test *.api.test", s -> s.route("^~ /v1/",
                r -> r.upstream(stableGroup).handler(new ProxyHandler() {
                    @Override
                    public UpstreamGroup chooseUpstream(ProxyRequest request, UpstreamGroup configured) {
                        return canaryGroup;
                    }

                    @Override
                    public void done(ProxyRequest request, ExchangeRecord record) {
                        records.add(record);
                    }
                }))));
        RawClient client = upstreams.rawClient(proxy.port());

        client.send("GET /v1/x HTTP/1.1\r\nHost: eu.api.test\r\n\r\n");
        assertEquals(200, client.readResponse().status());
        upstreams.network().settle(WAIT);

        ExchangeRecord record = records.get(0);
        assertEquals("api.test", record.serverName());
        assertEquals("^~ /v1/", record.location());
        assertEquals("canary", record.upstream());
    }

    // ---------------------------------------------------------------- return and proxy_pass with a URI

    @Test
    void aRouteThatAnswersNeedsNoUpstream() throws Exception {
        ProxyServer proxy = upstreams.proxy(p -> p
                .route("/health", r -> r.answer(Answer.of(200, "up")))
                .route("/old/", r -> r.answer(Answer.redirect(301, "https://example.com/new/")))
                .route("/", r -> r.upstream(stableGroup)));
        RawClient client = upstreams.rawClient(proxy.port());

        client.send(RawClient.get("/health"));
        RawClient.Reply health = client.readResponse();
        client.send(RawClient.get("/old/page"));
        RawClient.Reply moved = client.readResponse();

        assertEquals("up", health.bodyString());
        assertEquals(301, moved.status());
        assertEquals("https://example.com/new/", moved.header("Location"));
        assertEquals(0, stable.requestCount());
    }

    @Test
    void passUriReplacesTheRoutePrefixAsProxyPassWithAUriDoes() throws Exception {
        ProxyServer proxy = upstreams.proxy(p -> p
                .route("/api/", r -> r.upstream(stableGroup).passUri("/"))
                .route("/v1/", r -> r.upstream(stableGroup).passUri("/legacy/v1/")));
        RawClient client = upstreams.rawClient(proxy.port());

        for (String target : List.of("/api/items?x=1", "/v1/users", "/api/a/../b", "/api/x%20y%3F",
                "/api/%5C..%5Cadmin%22%3C%3E%5E%60%7B%7C%7D", "/api/a?")) {
            client.send(RawClient.get(target));
            assertEquals(200, client.readResponse().status());
        }

        assertEquals("/items?x=1", stable.takeRequest(WAIT).target());
        assertEquals("/legacy/v1/users", stable.takeRequest(WAIT).target());
        assertEquals("/b", stable.takeRequest(WAIT).target(), "the normalised path, as nginx's $uri");
        assertEquals("/x%20y%3F", stable.takeRequest(WAIT).target(), "escaped again as nginx escapes it");
        assertEquals("/%5C..%5Cadmin%22%3C%3E%5E%60%7B%7C%7D", stable.takeRequest(WAIT).target(),
                "no backslash or other character a request target may not hold goes out raw");
        assertEquals("/a", stable.takeRequest(WAIT).target(), "an empty query is dropped, as $is_args$args drops it");
    }

    @Test
    void aRegexRoutesPassUriNamesItsCapturesAndReplacesTheWholeTarget() throws Exception {
        ProxyServer proxy = upstreams.proxy(p -> p
                .route("~ ^/users/(\\d+)$", r -> r.upstream(stableGroup).passUri("/profile?id=$1"))
                .route("~ ^/files/(.+)/(.+)$", r -> r.upstream(stableGroup).passUri("/store/$2/$1$is_args$args")));
        RawClient client = upstreams.rawClient(proxy.port());

        for (String target : List.of("/users/42?dropped=1", "/files/a/b.txt?v=2", "/files/x%20y/z")) {
            client.send(RawClient.get(target));
            assertEquals(200, client.readResponse().status());
        }

        assertEquals("/profile?id=42", stable.takeRequest(WAIT).target(), "the client's query goes only via $args");
        assertEquals("/store/b.txt/a?v=2", stable.takeRequest(WAIT).target());
        assertEquals("/store/z/x%20y", stable.takeRequest(WAIT).target(), "a captured space is escaped again");
    }

    @Test
    void capturesAreVariablesOfTheRequestHeadersAndEmptyWhereTheRouteIsNoRegex() throws Exception {
        ProxyServer proxy = upstreams.proxy(p -> p
                .route("~* ^/Tenant/([a-z]+)/", r -> r.upstream(stableGroup).setHeader("X-Tenant", "t-$1"))
                .route("/", r -> r.upstream(stableGroup).setHeader("X-Tenant", "t-$1")));
        RawClient client = upstreams.rawClient(proxy.port());

        client.send(RawClient.get("/tenant/acme/orders"));
        assertEquals(200, client.readResponse().status());
        client.send(RawClient.get("/other"));
        assertEquals(200, client.readResponse().status());

        assertEquals("t-acme", stable.takeRequest(WAIT).header("X-Tenant"));
        assertEquals("t-", stable.takeRequest(WAIT).header("X-Tenant"), "no regex route, no capture: empty as nginx");
    }

    @Test
    void namedCapturesAndPathVariablesMakeTheWholeTarget() throws Exception {
        ProxyServer proxy = upstreams.proxy(p -> p
                .route("~ ^/(?P<tenant_id>[a-z]+)/items/(?<item>[0-9]+)$", r -> r.upstream(stableGroup)
                        .passUri("/items/$item?tenant=${tenant_id}").setHeader("X-Tenant", "t-$tenant_id"))
                .route("~ ^/old/(?<rest>.*)$", r -> r.returns(301, "/new/$rest"))
                .route("~ ^/go/(?<to>.*)$", r -> r.returns(302, "/$to"))
                .route("/raw/", r -> r.upstream(stableGroup).passUri("$request_uri"))
                .route("/path/", r -> r.upstream(stableGroup).passUri("${uri}$is_args$args")));
        RawClient client = upstreams.rawClient(proxy.port());

        client.send(RawClient.get("/acme/items/42"));
        assertEquals(200, client.readResponse().status());
        client.send(RawClient.get("/old/a/b"));
        RawClient.Reply moved = client.readResponse();
        client.send(RawClient.get("/go/%5Cevil.example"));
        RawClient.Reply away = client.readResponse();
        client.send(RawClient.get("/raw/%41/../b?q=1"));
        assertEquals(200, client.readResponse().status());
        client.send(RawClient.get("/path/%41/../b?q=1"));
        assertEquals(200, client.readResponse().status());

        RecordedRequest request = stable.takeRequest(WAIT);
        assertEquals("/items/42?tenant=acme", request.target());
        assertEquals("t-acme", request.header("X-Tenant"));
        assertEquals(301, moved.status());
        assertEquals("/new/a/b", moved.header("Location"));
        assertEquals("/%5Cevil.example", away.header("Location"), "a browser reads /\\evil.example as another host");
        assertEquals("/raw/%41/../b?q=1", stable.takeRequest(WAIT).target(), "$request_uri: as the client sent it");
        assertEquals("/path/b?q=1", stable.takeRequest(WAIT).target(), "$uri: normalised");
    }

    @Test
    void aGroupNameThatIsAVariableAnUnknownNameOrAUriOfNoPathIsRefusedAtBuild() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Route.builder("~ ^/(?<host>[a-z]+)/"))
                .getMessage().contains("the group name host is the variable $host already"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> Route.builder("~ ^/(?<id>[0-9]+)/").setHeader("X-Id", "$ids")).getMessage()
                .contains("unknown variable $ids"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> Route.builder("/plain/").setHeader("X-Id", "$id")).getMessage()
                .contains("unknown variable $id"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> Route.builder("/plain/").passUri("$host/x")).getMessage()
                .startsWith("passUri must be a path starting with '/' (or with $request_uri or $uri)"));
    }

    @Test
    void aPassUriNamingACaptureTheRouteCannotHaveIsRefusedAtBuild() {
        Route.Builder prefix = Route.builder("/users/").upstream(stableGroup).passUri("/p/$1");
        assertTrue(assertThrows(IllegalArgumentException.class, prefix::build).getMessage()
                .contains("passUri uses $1 but the route is not a regex route"));
        Route.Builder oneGroup = Route.builder("~ ^/u/(\\d+)").upstream(stableGroup).passUri("/p/$2");
        assertTrue(assertThrows(IllegalArgumentException.class, oneGroup::build).getMessage()
                .contains("passUri uses $2 but the regex captures 1 group(s)"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> Route.builder("~ ^/u/(\\d+)").passUri("/p/$10")).getMessage()
                .contains("the captures are $1 to $9"));
    }

    @Test
    void aServerHandlerServesEachRouteOfItsServerThatHasNoHandlerOfItsOwn() throws Exception {
        ProxyHandler serverWide = new ProxyHandler() {
            @Override
            public void upstreamRequest(ProxyRequest request, UpstreamRequest upstream) {
                upstream.setHeader("X-Hook", "server");
            }
        };
        ProxyHandler routeOwn = new ProxyHandler() {
            @Override
            public void upstreamRequest(ProxyRequest request, UpstreamRequest upstream) {
                upstream.setHeader("X-Hook", "route");
            }
        };
        ProxyHandler apiGate = new ProxyHandler() {
            @Override
            public Answer onRequest(ProxyRequest request) {
                return Answer.of(401);
            }
        };
        ProxyServer proxy = upstreams.proxy(p -> p.handler(serverWide)
                .route("/plain", r -> r.upstream(stableGroup))
                .route("/own", r -> r.upstream(stableGroup).handler(routeOwn))
                .route("= /health", r -> r.answer(Answer.of(204)))
                .server("api.test", s -> s.handler(apiGate).route("/", r -> r.upstream(stableGroup)))
                .server("other.test", s -> s.route("/", r -> r.upstream(stableGroup))));
        RawClient client = upstreams.rawClient(proxy.port());

        client.send(RawClient.get("/plain"));
        assertEquals(200, client.readResponse().status());
        client.send(RawClient.get("/own"));
        assertEquals(200, client.readResponse().status());
        client.send(RawClient.get("/health"));
        assertEquals(204, client.readResponse().status(), "a route that answers every request keeps its answer");
        client.send("GET / HTTP/1.1\r\nHost: api.test\r\n\r\n");
        assertEquals(401, client.readResponse().status(), "a virtual server's own handler");
        client.send("GET / HTTP/1.1\r\nHost: other.test\r\n\r\n");
        assertEquals(200, client.readResponse().status());

        assertEquals("server", stable.takeRequest(WAIT).header("X-Hook"));
        assertEquals("route", stable.takeRequest(WAIT).header("X-Hook"));
        assertNull(stable.takeRequest(WAIT).header("X-Hook"), "the default server's handler is not another's");
        assertEquals(3, stable.requestCount());
    }

    @Test
    void aHashKeyTheHandlerChoosesPicksThePeerThatKeyPicksForTheRoute() throws Exception {
        List<ScriptedUpstream> peers = List.of(upstreams.scripted().identity(), upstreams.scripted().identity(),
                upstreams.scripted().identity());
        UpstreamGroup.Builder hashed = UpstreamGroup.builder("hashed").balancer(Balancer.hash());
        peers.forEach(peer -> hashed.server(peer.address()));
        UpstreamGroup group = hashed.build();
        ProxyHandler byTenant = new ProxyHandler() {
            @Override
            public void upstreamRequest(ProxyRequest request, UpstreamRequest upstream) {
                upstream.hashKey(request.header("X-Tenant"));
            }
        };
        ProxyServer proxy = upstreams.proxy(p -> p
                .route("/by-uri/", r -> r.upstream(group).hashKey("$arg_key"))
                .route("/by-tenant/", r -> r.upstream(group).handler(byTenant)));
        RawClient client = upstreams.rawClient(proxy.port());

        Set<String> peersSeen = new HashSet<>();
        for (int i = 0; i < 12; i++) {
            String key = "tenant-" + i;
            client.send(RawClient.get("/by-uri/x?key=" + key));
            String byRoute = client.readResponse().bodyString();
            client.send("GET /by-tenant/any/" + i + " HTTP/1.1\r\nHost: a\r\nX-Tenant: " + key + "\r\n\r\n");
            assertEquals(byRoute, client.readResponse().bodyString(), key);
            peersSeen.add(byRoute);
        }
        assertTrue(peersSeen.size() > 1, "the keys spread over the peers: " + peersSeen);
    }

    // ---------------------------------------------------------------- a handler that reads the body

    private static final ProxyHandler NO_ADMINS = new ProxyHandler() {
        @Override
        public Answer onRequest(ProxyRequest request) {
            String body = StandardCharsets.UTF_8.decode(request.body()).toString();
            return body.contains("\"role\":\"admin\"") ? Answer.of(403) : null;
        }
    };

    @Test
    void aHandlerThatReadsTheBodyDecidesOnItAndWhatItLetsThroughGoesUpstreamAsSent() throws Exception {
        RawClient client = proxy(r -> r.handler(NO_ADMINS).handlerReadsBody(1024));

        client.send(post("Content-Length: 16", "{\"role\":\"admin\"}"));
        RawClient.Reply refused = client.readResponse();
        client.send(post("Content-Length: 15", "{\"role\":\"user\"}"));
        RawClient.Reply passed = client.readResponse();
        client.send(post("Transfer-Encoding: chunked", "5\r\n{\"a\":\r\n3\r\n\"b\"\r\n1\r\n}\r\n0\r\n\r\n"));
        RawClient.Reply chunked = client.readResponse();

        assertEquals(403, refused.status());
        assertEquals(200, passed.status(), "the connection serves the next request: the body was read");
        assertEquals(200, chunked.status());
        assertEquals("{\"role\":\"user\"}", stable.takeRequest(WAIT).bodyUtf8());
        assertEquals("{\"a\":\"b\"}", stable.takeRequest(WAIT).bodyUtf8());
        assertEquals(2, stable.requestCount());
    }

    @Test
    void aBodyLongerThanTheHandlerReadsIs413AndReachesNoPeer() throws Exception {
        ProxyServer proxy = upstreams.proxy(p -> p.route("/", r -> r.upstream(stableGroup).handler(NO_ADMINS)
                .handlerReadsBody(8)));
        RawClient declared = upstreams.rawClient(proxy.port());
        declared.send(post("Content-Length: 9", "123456789"));
        assertEquals(413, declared.readResponse().status());

        RawClient chunked = upstreams.rawClient(proxy.port());
        chunked.send(post("Transfer-Encoding: chunked", "5\r\n12345\r\n5\r\n67890\r\n0\r\n\r\n"));
        assertEquals(413, chunked.readResponse().status());
        assertEquals(0, stable.requestCount());
    }

    @Test
    void theBodyIsTheHandlersInEveryPhaseEmptyWithoutOneAndNullWhereTheRouteReadsNone() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        ProxyHandler recorder = new ProxyHandler() {
            @Override
            public Answer onRequest(ProxyRequest request) {
                return Answer.after(CompletableFuture.supplyAsync(() -> null)); // decides later, on another thread
            }

            @Override
            public void upstreamRequest(ProxyRequest request, UpstreamRequest upstream) {
                seen.add(request.path() + "=" + (request.body() == null ? "null"
                        : StandardCharsets.UTF_8.decode(request.body()).toString()));
            }
        };
        ProxyServer proxy = upstreams.proxy(p -> p
                .route("/reads/", r -> r.upstream(stableGroup).handler(recorder).handlerReadsBody(64))
                .route("/", r -> r.upstream(stableGroup).handler(recorder)));
        RawClient client = upstreams.rawClient(proxy.port());

        client.send("POST /reads/a HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nhi");
        assertEquals(200, client.readResponse().status());
        client.send(RawClient.get("/reads/b"));
        assertEquals(200, client.readResponse().status());
        client.send("POST /other HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nhi");
        assertEquals(200, client.readResponse().status());

        assertEquals(List.of("/reads/a=hi", "/reads/b=", "/other=null"), seen);
        assertEquals("hi", stable.takeRequest(WAIT).bodyUtf8());
    }

    @Test
    void aHandlerCannotReadABodyThatStreams() {
        Route.Builder streaming = Route.builder("/").upstream(stableGroup).requestBuffering(false)
                .handlerReadsBody(1024);
        assertTrue(assertThrows(IllegalArgumentException.class, streaming::build).getMessage()
                .contains("a handler that reads the body needs requestBuffering on"));
    }

    // ---------------------------------------------------------------- reroute

    @Test
    void aRerouteRoutesTheRequestAgainWithItsMethodFieldsAndBodyAsNginxsInternalRedirect() throws Exception {
        ProxyServer proxy = upstreams.proxy(p -> p
                .route("/old/", r -> r.upstream(stableGroup).handler(new ProxyHandler() {
                    @Override
                    public Answer onRequest(ProxyRequest request) {
                        return Answer.reroute("/new/" + request.path().substring("/old/".length()) + "?v=2");
                    }
                }))
                .route("/new/", r -> r.upstream(stableGroup).setHeader("X-Uri", "$uri $args $request_uri")));
        RawClient client = upstreams.rawClient(proxy.port());

        client.send("POST /old/items?v=1 HTTP/1.1\r\nHost: a\r\nX-Kept: yes\r\nContent-Length: 4\r\n\r\nbody");
        RawClient.Reply reply = client.readResponse();
        client.send(RawClient.get("/new/direct"));
        RawClient.Reply next = client.readResponse();

        assertEquals(200, reply.status());
        assertEquals(200, next.status(), "the connection serves the next request");
        RecordedRequest rerouted = stable.takeRequest(WAIT);
        assertEquals("POST", rerouted.method());
        assertEquals("/new/items?v=2", rerouted.target());
        assertEquals("yes", rerouted.header("X-Kept"));
        assertEquals("body", rerouted.bodyUtf8());
        assertEquals("/new/items v=2 /old/items?v=1", rerouted.header("X-Uri"),
                "$uri and $args are the new target's, $request_uri the client's");
    }

    @Test
    void aRerouteCycleIs500OneToNoRouteIs404AndOneFromTheResponseHookIs502() throws Exception {
        ProxyHandler rerouting = new ProxyHandler() {
            @Override
            public Answer onRequest(ProxyRequest request) {
                return Answer.reroute(request.path().equals("/cycle") ? "/cycle" : "/nowhere");
            }
        };
        ProxyServer proxy = upstreams.proxy(p -> p
                .route("= /cycle", r -> r.upstream(stableGroup).handler(rerouting))
                .route("= /lost", r -> r.upstream(stableGroup).handler(rerouting))
                .route("= /late", r -> r.upstream(stableGroup).handler(new ProxyHandler() {
                    @Override
                    public Answer upstreamResponse(ProxyRequest request, UpstreamResponse response) {
                        return Answer.reroute("/cycle");
                    }
                })));
        RawClient client = upstreams.rawClient(proxy.port());

        client.send(RawClient.get("/cycle"));
        assertEquals(500, client.readResponse().status(), "nginx's limit of 10 internal redirects");
        client.send(RawClient.get("/lost"));
        assertEquals(404, client.readResponse().status());
        client.send(RawClient.get("/late"));
        assertEquals(502, client.readResponse().status(), "a reroute answers onRequest only");
        assertThrows(IllegalArgumentException.class, () -> Answer.reroute("relative"));
        assertThrows(IllegalArgumentException.class, () -> Answer.reroute("/a b"));
        assertThrows(IllegalArgumentException.class, () -> Answer.reroute("/a\r\nX: y"));
    }

    private static String post(String framing, String body) {
        return "POST /submit HTTP/1.1\r\nHost: a\r\n" + framing + "\r\n\r\n" + body;
    }

    // ---------------------------------------------------------------- fixture

    private RawClient proxy(Consumer<Route.Builder> route) throws Exception {
        ProxyServer proxy = upstreams.proxy(p -> p.route("/", r -> route.accept(r.upstream(stableGroup))));
        return upstreams.rawClient(proxy.port());
    }
}
