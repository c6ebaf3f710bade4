package dev.sluice.internal.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.sluice.ProxyServer;
import dev.sluice.Route;
import dev.sluice.testing.RawClient;
import dev.sluice.testing.RecordedRequest;
import dev.sluice.testing.ScriptedUpstream;
import dev.sluice.testing.Upstreams;
import dev.sluice.upstream.UpstreamGroup;
import java.time.Duration;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Routes match the request's path as nginx's {@code $uri} holds it — slashes merged, dot-segments resolved,
 * %XX decoded — while the upstream receives the client's target unchanged; a path that climbs above the root or
 * holds a broken %-escape is answered 400 by the proxy and never reaches an upstream.
 */
class PathNormalisationTest {

    @RegisterExtension
    final Upstreams upstreams = new Upstreams();

    private final ScriptedUpstream api = upstreams.scripted().identity();
    private final ScriptedUpstream admin = upstreams.scripted().identity();

    private RawClient client(Consumer<Route.Builder> adminOptions) throws Exception {
        ProxyServer proxy = upstreams.manage(ProxyServer.builder().listen("127.0.0.1:0").workers(1)
                .route("/api", r -> r.upstream(UpstreamGroup.builder("api").server(api.address()).build()))
                .route("/admin", r -> adminOptions.accept(
                        r.upstream(UpstreamGroup.builder("admin").server(admin.address()).build())))
                .start());
        return FrontProxy.client(upstreams, proxy);
    }

    private RawClient client() throws Exception {
        return client(r -> { });
    }

    /** Reads the reply to {@code target}, the {@code index}-th request the admin upstream received. */
    private void assertServedByAdminWithRawTarget(RawClient client, int index, String target) throws Exception {
        RawClient.Reply reply = client.readResponse();
        assertEquals(200, reply.status(), target);
        assertEquals(String.valueOf(admin.port()), reply.bodyString(), target);
        assertEquals(0, api.requestCount(), target);
        assertEquals(target, admin.requests().get(index).target(), target);
    }

    private void assertRefusedWith400(String target) throws Exception {
        RawClient client = client();

        client.send(RawClient.get(target));
        RawClient.Reply reply = client.readResponse();

        assertEquals(400, reply.status(), target);
        assertEquals("close", reply.header("Connection"), target);
        assertEquals(RawClient.End.EOF, client.readUntilClose(Duration.ofSeconds(2)).end(), target);
        assertEquals(0, api.requestCount() + admin.requestCount(), target);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/v/../../x", "/v/%2e%2e/%2e%2e/x", "/api/../../x", "/api/%2e%2e/%2E%2E/x", "/..",
        "/api/..%2F..%2Fx", "/api/%2e./../x", "/api/./../..", "http://h/api/../../x", "http://h/.."})
    void aPathThatClimbsAboveTheRootIs400AndNeverReachesAnUpstream(String target) throws Exception {
        assertRefusedWith400(target);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/api/%zz", "/api/%", "/api/%2", "/api/%g0", "/api/x%00y"})
    void aBrokenOrNulPercentEscapeInThePathIs400AndNeverReachesAnUpstream(String target) throws Exception {
        assertRefusedWith400(target);
    }

    @Test
    void theQueryIsNeitherDecodedNorChecked() throws Exception {
        RawClient client = client();

        client.send(RawClient.get("/api?%zz=%&a=/../../..") + RawClient.get("/api/..?/api"));

        assertEquals(String.valueOf(api.port()), client.readResponse().bodyString());
        assertEquals("/api?%zz=%&a=/../../..", api.requests().get(0).target());
        assertEquals(404, client.readResponse().status(), "/api/.. is /, which no route serves");
    }

    @Test
    void aPathRoutesByItsNormalisedFormWhileTheUpstreamReceivesTheRawTarget() throws Exception {
        RawClient client = client();

        client.send(RawClient.get("/api/../admin/x"));

        assertServedByAdminWithRawTarget(client, 0, "/api/../admin/x");
    }

    @Test
    void repeatedSlashesAreMergedBeforeRouting() throws Exception {
        RawClient client = client();

        client.send(RawClient.get("//admin///x") + RawClient.get("/./admin/./x/."));

        assertServedByAdminWithRawTarget(client, 0, "//admin///x");
        assertServedByAdminWithRawTarget(client, 1, "/./admin/./x/.");
    }

    @Test
    void percentEscapesAreDecodedBeforeRoutingDotsAndSlashesIncluded() throws Exception {
        RawClient client = client();

        client.send(RawClient.get("/api/%2e%2e/admin/x") + RawClient.get("/%61dmin/x")
                + RawClient.get("/api%2F..%2Fadmin") + RawClient.get("/api/%2E%2E/admin?next=/api"));

        assertServedByAdminWithRawTarget(client, 0, "/api/%2e%2e/admin/x");
        assertServedByAdminWithRawTarget(client, 1, "/%61dmin/x");
        assertServedByAdminWithRawTarget(client, 2, "/api%2F..%2Fadmin");
        assertServedByAdminWithRawTarget(client, 3, "/api/%2E%2E/admin?next=/api");
    }

    @Test
    void anAbsoluteFormTargetRoutesByItsNormalisedPathAndForwardsItsRawPath() throws Exception {
        RawClient client = client();

        client.send(RawClient.get("http://h/api/../admin/x?y=1"));
        RawClient.Reply reply = client.readResponse();

        assertEquals(String.valueOf(admin.port()), reply.bodyString());
        assertEquals("/api/../admin/x?y=1", admin.requests().get(0).target());
    }

    @Test
    void anEscapedQuestionMarkStaysInThePath() throws Exception {
        RawClient client = client();

        client.send(RawClient.get("/admin%3F/x") + RawClient.get("/api%3f/../admin"));

        assertServedByAdminWithRawTarget(client, 0, "/admin%3F/x");
        assertServedByAdminWithRawTarget(client, 1, "/api%3f/../admin");
    }

    @Test
    void theUriVariableIsTheNormalisedPathWithSpacesEscapedAndRequestUriTheRawTarget() throws Exception {
        RawClient client = client(r -> r.setHeader("X-Uri", "$uri").setHeader("X-Request-Uri", "$request_uri"));

        client.send(RawClient.get("/api/..//admin/%2e/a%20b%2Fc?q=%2e%2e"));

        assertEquals(200, client.readResponse().status());
        RecordedRequest received = admin.requests().get(0);
        assertEquals("/admin/a%20b/c", received.header("X-Uri"));
        assertEquals("/api/..//admin/%2e/a%20b%2Fc?q=%2e%2e", received.header("X-Request-Uri"));
    }

    @Test
    void aControlByteDecodedIntoTheUriVariableCannotSplitAHeader() throws Exception {
        RawClient client = client(r -> r.setHeader("X-Uri", "$uri"));

        client.send(RawClient.get("/admin/%0d%0aX-Injected:%20yes%09%7f%20"));

        assertEquals(200, client.readResponse().status());
        RecordedRequest received = admin.requests().get(0);
        assertEquals("/admin/%0D%0AX-Injected:%20yes%09%7F%20", received.header("X-Uri"));
        assertNull(received.header("X-Injected"));
    }
}
