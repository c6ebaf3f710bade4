package dev.sluice.internal.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
 * A peer's {@code X-Accel-Redirect}: the application decides, a route of the proxy serves (nginx's protected
 * downloads), and an {@code internal} route is reached by such reroutes alone.
 */
class AccelRedirectTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    @RegisterExtension
    final Upstreams upstreams = new Upstreams();

    @TempDir
    Path files;

    /** Answers each request with {@code X-Accel-Redirect} set to the request's {@code X-Go}. */
    private final ScriptedUpstream app = upstreams.scripted().respondWith(request -> Response.builder().status(200)
            .header("X-Accel-Redirect", request.header("X-Go")).body("app's own body").build());
    private final UpstreamGroup appGroup = UpstreamGroup.builder("app").server(app.address()).build();

    @Test
    void aPeersAccelRedirectIsServedByAnInternalRouteThatNoClientReachesItself() throws Exception {
        Files.writeString(Files.createDirectories(files.resolve("reports")).resolve("q3.txt"), "quarterly figures");
        ProxyServer proxy = upstreams.proxy(p -> p
                .route("/download/", r -> r.upstream(appGroup))
                .route("/protected/", r -> r.alias(files).internal()));
        RawClient client = upstreams.rawClient(proxy.port());

        client.send(go("GET", "/download/q3", "/protected/reports/q3.txt"));
        RawClient.Reply download = client.readResponse();
        client.send(RawClient.get("/protected/reports/q3.txt"));
        RawClient.Reply direct = client.readResponse();

        assertEquals(200, download.status());
        assertEquals("quarterly figures", download.bodyString(), "the file, not the app's body");
        assertEquals("text/plain", download.header("Content-Type"));
        assertNull(download.header("X-Accel-Redirect"));
        assertEquals(404, direct.status(), "an internal route answers rerouted requests alone");
    }

    @Test
    void aNamedRouteTakesTheRequestAsAGetAndAHeadStaysAHead() throws Exception {
        ScriptedUpstream storage = upstreams.scripted().defaultResponse(Response.ok("stored object"));
        UpstreamGroup storageGroup = UpstreamGroup.builder("storage").server(storage.address()).build();
        ProxyServer proxy = upstreams.proxy(p -> p
                .route("/download/", r -> r.upstream(appGroup))
                .route("@storage", r -> r.upstream(storageGroup)));
        RawClient client = upstreams.rawClient(proxy.port());

        client.send(go("DELETE", "/download/7", "@storage"));
        RawClient.Reply deleted = client.readResponse();
        client.send(go("HEAD", "/download/7", "@storage"));
        RawClient.Reply head = client.readHeadResponse();

        assertEquals("stored object", deleted.bodyString());
        RecordedRequest first = storage.takeRequest(WAIT);
        assertEquals("GET", first.method(), "nginx goes on with a GET");
        assertEquals("/download/7", first.target(), "a named route keeps the target");
        assertEquals(200, head.status());
        assertEquals("HEAD", storage.takeRequest(WAIT).method());
    }

    @Test
    void ignoreHeadersTurnsItOffAndABodyOrABadTargetIsNotFollowed() throws Exception {
        ProxyServer proxy = upstreams.proxy(p -> p
                .route("/ignoring/", r -> r.upstream(appGroup).ignoreHeaders("x-accel-redirect"))
                .route("/download/", r -> r.upstream(appGroup))
                .route("/other", r -> r.returns(200, "rerouted")));
        RawClient client = upstreams.rawClient(proxy.port());

        client.send(go("GET", "/ignoring/x", "/other"));
        RawClient.Reply ignored = client.readResponse();
        client.send("POST /download/x HTTP/1.1\r\nHost: a\r\nX-Go: /other\r\nContent-Length: 2\r\n\r\nhi");
        RawClient.Reply withBody = client.readResponse();
        client.send(go("GET", "/download/x", "/other"));
        RawClient.Reply followed = client.readResponse();
        client.send(go("GET", "/download/x", "relative/path"));
        RawClient.Reply bad = client.readResponse();

        assertEquals("app's own body", ignored.bodyString(), "proxy_ignore_headers X-Accel-Redirect");
        assertNull(ignored.header("X-Accel-Redirect"), "never forwarded");
        assertEquals("app's own body", withBody.bodyString(), "a request with a body is not sent on as a GET");
        assertEquals("rerouted", followed.bodyString());
        assertEquals(502, bad.status(), "a target that is neither a path nor a named route");
        assertThrows(IllegalArgumentException.class, () -> Route.builder("/").ignoreHeaders("X-Unknown"));
    }

    /** A request of {@code method} for {@code target} whose peer answers {@code X-Accel-Redirect: accel}. */
    private static String go(String method, String target, String accel) {
        return method + " " + target + " HTTP/1.1\r\nHost: a\r\nX-Go: " + accel + "\r\n\r\n";
    }
}
