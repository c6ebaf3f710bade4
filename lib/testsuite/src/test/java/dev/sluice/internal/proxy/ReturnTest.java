package dev.sluice.internal.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.Answer;
import dev.sluice.MediaTypes;
import dev.sluice.ProxyHandler;
import dev.sluice.ProxyRequest;
import dev.sluice.ProxyServer;
import dev.sluice.Route;
import dev.sluice.ValueTemplate;
import dev.sluice.testing.RawClient;
import dev.sluice.testing.RawClient.Reply;
import dev.sluice.testing.ScriptedUpstream;
import dev.sluice.testing.Upstreams;
import dev.sluice.upstream.UpstreamGroup;
import java.io.IOException;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** nginx's {@code return}, {@code Route.Builder.returns}, and the variables a handler evaluates with {@code ProxyRequest.value}. */
class ReturnTest {

    @RegisterExtension
    final Upstreams upstreams = new Upstreams();

    private Reply get(Consumer<ProxyServer.Builder> proxy, String request) throws IOException {
        RawClient client = upstreams.rawClient(upstreams.proxy(proxy).port());
        client.send(request);
        return client.readResponse();
    }

    @Test
    void aRedirectsLocationIsMadeOfTheRequestsVariables() throws IOException {
        Reply reply = get(p -> p.route("/", r -> r.returns(301, "https://$host$request_uri")),
                "GET /a/b?x=1 HTTP/1.1\r\nHost: example.test\r\n\r\n");
        assertEquals(301, reply.status());
        assertEquals("https://example.test/a/b?x=1", reply.header("Location"));
    }

    @Test
    void aTextIsTheBodyAndARegexRoutesCapturesFillIt() throws IOException {
        Reply reply = get(p -> p.route("~ ^/users/(\\d+)$", r -> r.returns(200, "user $1 from $remote_addr\n")),
                RawClient.get("/users/42"));
        assertEquals(200, reply.status());
        assertEquals("application/octet-stream", reply.header("Content-Type"),
                "a path without an extension: the stock nginx.conf's default_type");
        assertEquals("user 42 from 127.0.0.1\n", reply.bodyString());
    }

    @Test
    void aRedirectCarriesNginxsPageAndAStatusNginxHasNoPageForGoesWithAnEmptyBody() throws IOException {
        Reply moved = get(p -> p.route("/", r -> r.returns(301, "/new")), RawClient.get("/"));
        Reply teapot = get(p -> p.route("/", r -> r.answer(Answer.of(418))), RawClient.get("/"));
        Reply proxyAuth = get(p -> p.route("/", r -> r.answer(Answer.of(407))), RawClient.get("/"));

        assertEquals(301, moved.status());
        assertEquals("/new", moved.header("Location"));
        assertEquals("text/html", moved.header("Content-Type"));
        assertTrue(moved.bodyString().contains("<center><h1>301 Moved Permanently</h1></center>"), moved.bodyString());
        for (Reply empty : new Reply[] {teapot, proxyAuth}) {
            assertEquals("", empty.bodyString(), "nginx has no page for " + empty.status());
            assertEquals("0", empty.header("Content-Length"));
            assertEquals(null, empty.header("Content-Type"));
        }
        assertEquals(418, teapot.status());
        assertEquals(407, proxyAuth.status());
    }

    @Test
    void aNoContentGoesWithoutTypeAndANotModifiedWithTheTypeAndLengthOfWhatItDoesNotSend() throws IOException {
        Reply none = get(p -> p.route("/", r -> r.returns(204, "x")), RawClient.get("/a.css"));
        RawClient client = upstreams.rawClient(upstreams.proxy(p -> p.route("/", r -> r.returns(304, "y"))).port());
        client.send(RawClient.get("/a.css") + RawClient.get("/b.css"));
        Reply notModified = client.readHeadResponse();
        Reply next = client.readHeadResponse();

        assertEquals(204, none.status());
        assertEquals(null, none.header("Content-Type"), "nginx clears a 204's type");
        assertEquals(null, none.header("Content-Length"));
        assertEquals(304, notModified.status());
        assertEquals("text/css", notModified.header("Content-Type"));
        assertEquals("1", notModified.header("Content-Length"), "the length of the text it does not send");
        assertEquals(304, next.status(), "no body went out: the next response follows the head");
    }

    @Test
    void aTextsTypeIsTheOneTheRoutesMediaTypesGiveTheRequestsPath() throws IOException {
        MediaTypes plain = MediaTypes.nginx().toBuilder().defaultType("text/plain").build();
        Consumer<ProxyServer.Builder> proxy = p -> p.route("/", r -> r.returns(200, "{}").mediaTypes(plain))
                .route("/empty", r -> r.returns(200, "").mediaTypes(plain));

        Reply json = get(proxy, RawClient.get("/status.JSON"));
        Reply text = get(proxy, RawClient.get("/status"));
        Reply empty = get(proxy, RawClient.get("/empty"));

        assertEquals("application/json", json.header("Content-Type"), "nginx types a return by $uri's extension");
        assertEquals("text/plain", text.header("Content-Type"), "else by default_type");
        assertEquals("{}", text.bodyString());
        assertEquals(200, empty.status());
        assertEquals("text/plain", empty.header("Content-Type"), "an empty text is an empty body of the type");
        assertEquals("0", empty.header("Content-Length"));
    }

    @Test
    void anEmptyDefaultTypeSendsNoContentTypeAsNginxsDefaultTypeOfNothing() throws IOException {
        MediaTypes none = MediaTypes.nginx().toBuilder().defaultType("").build();
        Consumer<ProxyServer.Builder> proxy = p -> p.route("/", r -> r.returns(200, "x").mediaTypes(none));

        Reply untyped = get(proxy, RawClient.get("/status"));
        Reply typed = get(proxy, RawClient.get("/status.json"));

        assertEquals(200, untyped.status());
        assertEquals(null, untyped.header("Content-Type"));
        assertEquals("x", untyped.bodyString());
        assertEquals("application/json", typed.header("Content-Type"));
    }

    @Test
    void anEmptyTextGivesNginxsOwnPageForAnErrorAndNoBodyOtherwise() throws IOException {
        Reply gone = get(p -> p.route("/", r -> r.returns(410, "")), RawClient.get("/"));
        Reply empty = get(p -> p.route("/", r -> r.returns(204, "")), RawClient.get("/"));
        assertEquals(410, gone.status());
        assertTrue(gone.bodyString().contains("<title>410 Gone</title>"), gone.bodyString());
        assertEquals(204, empty.status());
        assertEquals("", empty.bodyString());
    }

    @Test
    void aHandlerEvaluatesTemplatesWithTheVariablesProxySetHeaderSees() throws IOException {
        ValueTemplate template = ValueTemplate.parse("test", "$request_method $uri $arg_q $http_x_name");
        ProxyHandler handler = new ProxyHandler() {
            @Override
            public Answer onRequest(ProxyRequest request) {
                return Answer.of(200, request.value(template));
            }
        };
        ScriptedUpstream upstream = upstreams.scripted();
        UpstreamGroup group = UpstreamGroup.builder("g").server(upstream.address()).build();
        Reply reply = get(p -> p.route("/", r -> r.upstream(group).handler(handler)),
                "GET /a/../b?q=find HTTP/1.1\r\nHost: h\r\nX-Name: named\r\n\r\n");
        assertEquals("GET /b find named", reply.bodyString());
    }

    @Test
    void aReturnIsRefusedWithAStatusNginxWouldNotSendOrBesideAHandler() {
        assertEquals("return status must be between 200 and 599: 700",
                assertThrows(IllegalArgumentException.class, () -> Route.builder("/").returns(700, "")).getMessage());
        assertThrows(IllegalArgumentException.class, () -> Route.builder("/").returns(301, "/x\r\nSet-Cookie: a=b"));
        assertThrows(IllegalArgumentException.class,
                () -> Route.builder("/").handler(new ProxyHandler() { }).returns(200, "x"));
        assertThrows(IllegalArgumentException.class, () -> Route.builder("/").returns(200, "$nope"));
    }
}
