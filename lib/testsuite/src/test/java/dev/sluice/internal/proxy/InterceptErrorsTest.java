package dev.sluice.internal.proxy;

import static dev.sluice.internal.proxy.UpstreamHarness.group;
import static dev.sluice.internal.proxy.UpstreamHarness.peer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.sluice.NextUpstream;
import dev.sluice.NextUpstream.Condition;
import dev.sluice.ErrorPage;
import dev.sluice.Route;
import dev.sluice.observe.ExchangeRecord;
import dev.sluice.testing.RawClient;
import dev.sluice.testing.ScriptedUpstream;
import dev.sluice.testing.ScriptedUpstream.Response;
import dev.sluice.testing.Upstreams;
import dev.sluice.upstream.UpstreamGroup;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code proxy_intercept_errors} with {@code error_page}: a peer's response of status 300 or more that has a page
 * is replaced by the page with its status kept; it is not a failure of the peer; {@code proxy_next_upstream} is
 * decided first; and the peer's connection is reused only when the replaced response had no body to skip. A page
 * also answers the proxy's own error of its status, as nginx's {@code error_page} does.
 */
class InterceptErrorsTest {

    private static final String PAGE = "<p>we are sorry</p>";

    @RegisterExtension
    final Upstreams upstreams = new Upstreams();

    private final UpstreamHarness proxy = new UpstreamHarness(upstreams);

    private ScriptedUpstream answering(int status, String body) {
        return upstreams.scripted().defaultResponse(Response.builder().status(status).body(body).build());
    }

    /** The address of an upstream that was there and is closed: every connection to it is refused, a 502. */
    private String closedAddress() {
        ScriptedUpstream closed = upstreams.scripted();
        String address = closed.address();
        closed.close();
        return address;
    }

    @Test
    void anInterceptedStatusKeepsItsCodeAndGetsThePageInPlaceOfTheBody() throws Exception {
        ScriptedUpstream failing = answering(503, "upstream details nobody should see");
        proxy.start(group(failing.address()), r -> r.interceptErrors(true).errorPage(503, PAGE));

        RawClient.Reply reply = proxy.get("/x");

        assertEquals(503, reply.status());
        assertEquals(PAGE, reply.bodyString());
        assertEquals(String.valueOf(PAGE.length()), reply.header("Content-Length"));
        assertEquals("503", proxy.exchange().upstreamStatus());
    }

    @Test
    void aStatusWithoutAPagePassesAsTheUpstreamSentIt() throws Exception {
        ScriptedUpstream failing = answering(500, "upstream body");
        proxy.start(group(failing.address()), r -> r.interceptErrors(true).errorPage(502, PAGE).errorPage(404, PAGE));

        RawClient.Reply reply = proxy.get("/x");

        assertEquals(500, reply.status());
        assertEquals("upstream body", reply.bodyString());
    }

    @Test
    void withoutInterceptErrorsAPageIsNeverUsed() throws Exception {
        ScriptedUpstream failing = answering(500, "upstream body");
        proxy.start(group(failing.address()), r -> r.errorPage(500, PAGE));

        RawClient.Reply reply = proxy.get("/x");

        assertEquals(500, reply.status());
        assertEquals("upstream body", reply.bodyString());
    }

    @Test
    void thePageAlsoAnswersTheProxysOwnErrorWithoutInterceptErrorsAsNginxsErrorPage() throws Exception {
        String address = closedAddress();
        proxy.start(group(address), r -> r.errorPage(502, PAGE));

        RawClient.Reply reply = proxy.get("/x");

        assertEquals(502, reply.status());
        assertEquals(PAGE, reply.bodyString());
        assertEquals("text/html", reply.header("Content-Type"));
    }

    @Test
    void aPageReadFromAFileHasTheTypeOfItsNameAsNginxServesTheFile(@TempDir Path dir) throws Exception {
        Path json = Files.writeString(dir.resolve("502.json"), "{\"error\":\"try again\"}");
        String address = closedAddress();
        proxy.start(group(address), r -> r.errorPage(502, json));

        RawClient.Reply reply = proxy.get("/x");

        assertEquals(502, reply.status());
        assertEquals("{\"error\":\"try again\"}", reply.bodyString());
        assertEquals("application/json", reply.header("Content-Type"));
        assertEquals("application/octet-stream", ErrorPage.file(404, Files.writeString(dir.resolve("404"), "x"))
                .contentType(), "nginx's default_type for a name without a known extension");
    }

    @Test
    void anErrorPageMayAnswerWithAStatusOfItsOwnOrRedirectAsNginxsEqualsCodeAndUrlForms() throws Exception {
        ScriptedUpstream missing = answering(404, "upstream's own 404");
        proxy.start(group(missing.address()), r -> r.interceptErrors(true)
                .errorPage(404, new ErrorPage(200, PAGE.getBytes(StandardCharsets.UTF_8), null))
                .errorPage(502, new ErrorPage(302, null, "https://status.example.com/")));

        RawClient.Reply reply = proxy.get("/app/route");

        assertEquals(200, reply.status(), "error_page 404 =200 /index.html, a single-page app's fallback");
        assertEquals(PAGE, reply.bodyString());
        assertEquals("404", proxy.exchange().upstreamStatus());
    }

    @Test
    void anErrorPageThatRedirectsAnswersTheProxysOwnError() throws Exception {
        String address = closedAddress();
        proxy.start(group(address), r -> r.errorPage(502, new ErrorPage(302, null, "https://status.example.com/")));

        RawClient.Reply reply = proxy.get("/x");

        assertEquals(302, reply.status(), "error_page 502 https://status.example.com/");
        assertEquals("https://status.example.com/", reply.header("Location"));
    }

    @Test
    void anErrorPageIsABodyOrALocationWithAStatusThatFitsIt() {
        assertThrows(IllegalArgumentException.class, () -> new ErrorPage(200, null, null));
        assertThrows(IllegalArgumentException.class, () -> new ErrorPage(200, new byte[0], "/x"));
        assertThrows(IllegalArgumentException.class, () -> new ErrorPage(200, null, "x"));
        assertThrows(IllegalArgumentException.class, () -> new ErrorPage(302, null, "/a b"));
        assertThrows(IllegalArgumentException.class, () -> new ErrorPage(302, null, "/x\r\nSet-Cookie: a=b"));
        assertThrows(IllegalArgumentException.class, () -> new ErrorPage(600, new byte[0], null));
        assertThrows(IllegalArgumentException.class, () -> new ErrorPage(200, null, new byte[0], null));
        assertThrows(IllegalArgumentException.class, () -> new ErrorPage(302, "text/html", null, "/x"));
        assertThrows(IllegalArgumentException.class, () -> new ErrorPage(200, "text/html\r\nX: y", new byte[0], null));
    }

    @Test
    void anInterceptedResponseIsNotAFailureOfThePeer() throws Exception {
        ScriptedUpstream failing = answering(500, "boom");
        ScriptedUpstream good = upstreams.scripted().identity();
        UpstreamGroup group = group(failing.address(), good.address());
        proxy.start(group, r -> r.interceptErrors(true).errorPage(500, PAGE));

        assertEquals(500, proxy.get("/x").status());
        proxy.exchange();

        assertEquals(0, peer(group, failing.address()).fails());
        assertEquals(0, peer(group, failing.address()).failures());
    }

    @Test
    void aListedStatusMovesOnBeforeItCouldBeIntercepted() throws Exception {
        ScriptedUpstream failing = answering(500, "boom");
        ScriptedUpstream good = upstreams.scripted().identity();
        proxy.start(group(failing.address(), good.address()),
                r -> r.interceptErrors(true).errorPage(500, PAGE).nextUpstream(NextUpstream.on(Condition.HTTP_500)));

        RawClient.Reply reply = proxy.get("/x");

        assertEquals(200, reply.status());
        assertEquals(String.valueOf(good.port()), reply.bodyString());
        assertEquals("500, 200", proxy.exchange().upstreamStatus());
    }

    @Test
    void theLastTrysListedStatusIsIntercepted() throws Exception {
        ScriptedUpstream a = answering(500, "a");
        ScriptedUpstream b = answering(500, "b");
        proxy.start(group(a.address(), b.address()),
                r -> r.interceptErrors(true).errorPage(500, PAGE).nextUpstream(NextUpstream.on(Condition.HTTP_500)));

        RawClient.Reply reply = proxy.get("/x");

        assertEquals(500, reply.status());
        assertEquals(PAGE, reply.bodyString());
        ExchangeRecord record = proxy.exchange();
        assertEquals("500, 500", record.upstreamStatus());
        assertEquals(500, record.status());
    }

    @ParameterizedTest(name = "body \"{0}\": {1} connections for 3 requests")
    @CsvSource({
        "a body the proxy never reads, 3",
        "'', 1",
    })
    void theConnectionOfAnInterceptedResponseIsReusedOnlyWhenItHadNoBody(String body, int connections)
            throws Exception {
        ScriptedUpstream failing = answering(404, body);
        proxy.start(group(failing.address()), r -> r.interceptErrors(true).errorPage(404, PAGE));

        for (int i = 0; i < 3; i++) {
            assertEquals(PAGE, proxy.get("/x").bodyString());
            proxy.exchange();
        }

        assertEquals(connections, failing.connectionsAccepted());
        assertEquals(3, failing.requestCount());
    }

    @Test
    void aHeadRequestGetsTheInterceptedStatusWithoutThePage() throws Exception {
        ScriptedUpstream failing = answering(500, "boom");
        proxy.start(group(failing.address()), r -> r.interceptErrors(true).errorPage(500, PAGE));

        try (RawClient client = proxy.client()) {
            RawClient.Reply reply = client.send("HEAD /x HTTP/1.1\r\nHost: localhost\r\n\r\n").readHeadResponse();
            assertEquals(500, reply.status());
            assertEquals(String.valueOf(PAGE.length()), reply.header("Content-Length"));
            assertEquals(RawClient.End.TIMEOUT, client.readUntilClose(java.time.Duration.ofMillis(100)).end());
        }
    }
}
