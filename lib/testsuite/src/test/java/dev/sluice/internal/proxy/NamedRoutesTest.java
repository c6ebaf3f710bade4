package dev.sluice.internal.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.Answer;
import dev.sluice.ErrorPage;
import dev.sluice.ProxyHandler;
import dev.sluice.ProxyRequest;
import dev.sluice.ProxyServer;
import dev.sluice.Route;
import dev.sluice.testing.RawClient;
import dev.sluice.testing.RecordedRequest;
import dev.sluice.testing.ScriptedUpstream;
import dev.sluice.testing.ScriptedUpstream.Response;
import dev.sluice.testing.Upstreams;
import dev.sluice.upstream.UpstreamGroup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Named routes, nginx's {@code location @NAME}: reached only by a reroute, from an {@code error_page} (with the
 * status it keeps, forces or leaves to the route) or a handler, with the request's target unchanged.
 */
class NamedRoutesTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    @RegisterExtension
    final Upstreams upstreams = new Upstreams();

    private final ScriptedUpstream fallback = upstreams.scripted()
            .defaultResponse(Response.builder().status(200).body("from the fallback").build());
    private final UpstreamGroup fallbackGroup = UpstreamGroup.builder("fallback").server(fallback.address()).build();

    /** A group whose one server refuses every connection: each request to it fails with 502. */
    private UpstreamGroup closedGroup() {
        ScriptedUpstream closed = upstreams.scripted();
        String address = closed.address();
        closed.close();
        return UpstreamGroup.builder("down").server(address).build();
    }

    @Test
    void anErrorPageOfANamedRouteProxiesTheRequestAgainWithItsTargetMethodAndBody() throws Exception {
        UpstreamGroup down = closedGroup();
        ProxyServer proxy = upstreams.proxy(p -> p
                .route("/", r -> r.upstream(down).errorPage(502, new ErrorPage(0, null, null, "@backup")))
                .route("@backup", r -> r.upstream(fallbackGroup).setHeader("X-Route", "backup")));
        RawClient client = upstreams.rawClient(proxy.port());

        client.send("POST /orders?id=7 HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello");
        RawClient.Reply reply = client.readResponse();
        client.send(RawClient.get("/next"));
        RawClient.Reply next = client.readResponse();

        assertEquals(200, reply.status(), "error_page 502 = @backup: the named route's own status");
        assertEquals("from the fallback", reply.bodyString());
        assertEquals(200, next.status(), "the connection serves its next request");
        RecordedRequest seen = fallback.takeRequest(WAIT);
        assertEquals("POST", seen.method());
        assertEquals("/orders?id=7", seen.target(), "a named route keeps the request's target");
        assertEquals("hello", seen.bodyUtf8(), "a body read whole goes to the named route's peer");
        assertEquals("backup", seen.header("X-Route"));
    }

    @Test
    void aPostNoFileAnswersReadsItsBodyAndGoesToTheErrorPagesNamedRouteAsAFrontController(@TempDir Path root)
            throws Exception {
        ProxyServer proxy = upstreams.proxy(p -> p
                .route("/", r -> r.root(root).errorPage(404, new ErrorPage(0, null, null, "@app")))
                .route("@app", r -> r.upstream(fallbackGroup)));
        RawClient client = upstreams.rawClient(proxy.port());

        client.send("POST /signup HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nform\r\n0\r\n\r\n");
        RawClient.Reply reply = client.readResponse();

        assertEquals(200, reply.status(), "error_page 404 = @app for a POST no file answers, as nginx");
        assertEquals("from the fallback", reply.bodyString());
        RecordedRequest seen = fallback.takeRequest(WAIT);
        assertEquals("POST /signup form", seen.method() + " " + seen.target() + " " + seen.bodyUtf8());
    }

    @Test
    void aBodyTooLargeIsNeverReadAndItsErrorPagesRouteAnswersAsNginxDiscardsIt(@TempDir Path root) throws Exception {
        Files.writeString(root.resolve("413.html"), "too large for us");
        ProxyServer proxy = upstreams.proxy(p -> p.clientMaxBodySize(8)
                .route("/", r -> r.upstream(fallbackGroup).errorPage(413, new ErrorPage(413, null, null, "/413.html")))
                .route("~ \\.html$", r -> r.root(root)));
        RawClient client = upstreams.rawClient(proxy.port());

        client.send("POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\n" + "x".repeat(100));
        RawClient.Reply reply = client.readResponse();

        assertEquals(413, reply.status());
        assertEquals("too large for us", reply.bodyString(), "the page's own route serves it");
        assertEquals("close", reply.header("Connection"), "the body is never read");
        assertEquals(0, fallback.requestCount());
    }

    @Test
    void anErrorPageForcesItsStatusOrKeepsTheErrorsWhateverTheNamedRouteAnswers() throws Exception {
        UpstreamGroup down = closedGroup();
        ProxyServer proxy = upstreams.proxy(p -> p
                .route("/forced", r -> r.upstream(down).errorPage(502, new ErrorPage(200, null, null, "@failed")))
                .route("/kept", r -> r.upstream(down).errorPage(502, new ErrorPage(502, null, null, "@backup")))
                .route("@failed", r -> r.returns(503, "no backend servers"))
                .route("@backup", r -> r.upstream(fallbackGroup)));
        RawClient client = upstreams.rawClient(proxy.port());

        client.send(RawClient.get("/forced"));
        RawClient.Reply forced = client.readResponse();
        client.send(RawClient.get("/kept"));
        RawClient.Reply kept = client.readResponse();

        assertEquals(200, forced.status(), "error_page 502 =200 @failed");
        assertEquals("no backend servers", forced.bodyString());
        assertEquals(502, kept.status(), "error_page 502 @backup keeps 502 for the named route's response");
        assertEquals("from the fallback", kept.bodyString());
    }

    @Test
    void aRoutesOwnErrorOrRedirectKeepsItsStatusAsNginxsSpecialResponses() throws Exception {
        UpstreamGroup down = closedGroup();
        ProxyServer proxy = upstreams.proxy(p -> p
                .route("/home", r -> r.upstream(down).errorPage(502, new ErrorPage(502, null, null, "@home")))
                .route("/gone", r -> r.upstream(down).errorPage(502, new ErrorPage(200, null, null, "@gone")))
                .route("@home", r -> r.returns(302, "/"))
                .route("@gone", r -> r.returns(410, "")));
        RawClient client = upstreams.rawClient(proxy.port());

        client.send(RawClient.get("/home"));
        RawClient.Reply home = client.readResponse();
        client.send(RawClient.get("/gone"));
        RawClient.Reply gone = client.readResponse();

        assertEquals(302, home.status(), "error_page 502 @home; location @home { return 302 /; }, as nginx");
        assertEquals("/", home.header("Location"));
        assertEquals(410, gone.status(), "an error of the route's own keeps its status over =200");
    }

    @Test
    void anErrorPagesUriIsRoutedAsAGetLikeNginxsInternalRedirect() throws Exception {
        UpstreamGroup down = closedGroup();
        ProxyServer proxy = upstreams.proxy(p -> p
                .route("/", r -> r.upstream(down).errorPage(502, new ErrorPage(502, null, null, "/50x.php")))
                .route("~ \\.php$", r -> r.upstream(fallbackGroup)));
        RawClient client = upstreams.rawClient(proxy.port());

        client.send("POST /orders HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nhi");
        RawClient.Reply reply = client.readResponse();

        assertEquals(502, reply.status(), "error_page 502 /50x.php keeps 502");
        assertEquals("from the fallback", reply.bodyString(), "the route of /50x.php serves it, not a file");
        RecordedRequest seen = fallback.takeRequest(WAIT);
        assertEquals("GET /50x.php", seen.method() + " " + seen.target());
    }

    @Test
    void anInterceptedStatusGoesToANamedRouteThatRedirectsAsOauth2ProxysSignIn() throws Exception {
        ScriptedUpstream app = upstreams.scripted().defaultResponse(Response.builder().status(401).body("no").build());
        UpstreamGroup appGroup = UpstreamGroup.builder("app").server(app.address()).build();
        ProxyServer proxy = upstreams.proxy(p -> p
                .route("/", r -> r.upstream(appGroup).interceptErrors(true)
                        .errorPage(401, new ErrorPage(0, null, null, "@signin")))
                .route("@signin", r -> r.returns(302, "/oauth2/sign_in?rd=$request_uri")));
        RawClient client = upstreams.rawClient(proxy.port());

        client.send(RawClient.get("/private?x=1"));
        RawClient.Reply reply = client.readResponse();

        assertEquals(302, reply.status());
        assertEquals("/oauth2/sign_in?rd=/private?x=1", reply.header("Location"));
    }

    @Test
    void aNamedRoutesOwnErrorGetsNoErrorPageAsNginxsRecursiveErrorPagesOff() throws Exception {
        UpstreamGroup down = closedGroup();
        UpstreamGroup alsoDown = closedGroup();
        ProxyServer proxy = upstreams.proxy(p -> p
                .route("/", r -> r.upstream(down).errorPage(502, new ErrorPage(0, null, null, "@backup")))
                .route("@backup", r -> r.upstream(alsoDown).errorPage(502, new ErrorPage(0, null, null, "@backup"))));
        RawClient client = upstreams.rawClient(proxy.port());

        client.send(RawClient.get("/x"));
        RawClient.Reply reply = client.readResponse();

        assertEquals(502, reply.status());
        assertTrue(reply.bodyString().contains("502 Bad Gateway"), "nginx's own page: " + reply.bodyString());
    }

    @Test
    void aNamedRouteMatchesNoPathAndAHandlerMayRerouteToIt() throws Exception {
        ProxyServer proxy = upstreams.proxy(p -> p
                .route("/", r -> r.upstream(fallbackGroup).handler(new ProxyHandler() {
                    @Override
                    public Answer onRequest(ProxyRequest request) {
                        return request.path().startsWith("/v1/") ? Answer.reroute("@legacy")
                                : request.path().equals("/lost") ? Answer.reroute("@nowhere") : null;
                    }
                }))
                .route("@legacy", r -> r.returns(410, "retired")));
        RawClient client = upstreams.rawClient(proxy.port());

        client.send(RawClient.get("/@legacy"));
        assertEquals(200, client.readResponse().status(), "no path reaches a named route");
        client.send(RawClient.get("/v1/items"));
        RawClient.Reply legacy = client.readResponse();
        client.send(RawClient.get("/lost"));
        RawClient.Reply lost = client.readResponse();

        assertEquals(410, legacy.status());
        assertEquals("retired", legacy.bodyString());
        assertEquals(500, lost.status(), "a reroute to a named route the server lacks, as nginx's");
    }

    @Test
    void aRouteNamingANamedRouteItsServerLacksIsRefusedAtStart() {
        UpstreamGroup group = UpstreamGroup.builder("g").server("127.0.0.1:1").build();
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> upstreams.proxy(p -> p
                .route("/", r -> r.upstream(group).errorPage(502, new ErrorPage(0, null, null, "@gone")))));
        assertEquals("route / names @gone, which no route of its server is", refused.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Route.builder("@").upstream(group).build());
        assertThrows(IllegalArgumentException.class, () -> Route.builder("@a b").upstream(group).build());
        assertThrows(IllegalArgumentException.class, () -> Route.builder("@app").upstream(group).passUri("/x").build(),
                "nginx refuses a URI part in a named location's proxy_pass");
        assertThrows(IllegalArgumentException.class, () -> new ErrorPage(302, null, null, "@a b"));
    }
}
