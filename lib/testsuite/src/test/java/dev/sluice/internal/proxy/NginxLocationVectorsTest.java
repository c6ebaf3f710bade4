package dev.sluice.internal.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.Answer;
import dev.sluice.ProxyHandler;
import dev.sluice.ProxyRequest;
import dev.sluice.ProxyServer;
import dev.sluice.Route;
import dev.sluice.VirtualServer;
import dev.sluice.testing.RawClient;
import dev.sluice.testing.Upstreams;
import dev.sluice.upstream.UpstreamGroup;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Route and virtual server selection held against nginx's: the same location and server blocks as routes that
 * answer their name (a few regex locations: a text of their captures, by number and by name), and each request of
 * {@code nginx-locations/locations.tsv} and {@code server-names.tsv} must get the location and the server a real
 * nginx chose, and the location's text as nginx answered it ({@code
 * lib/testsuite/src/test/nginx/generate-routing-vectors.sh} made the files). In memory, end to end through path
 * normalisation and Host parsing.
 */
class NginxLocationVectorsTest {

    @RegisterExtension
    final Upstreams upstreams = Upstreams.inMemory();

    @Test
    void everyRequestGetsTheLocationNginxChose() throws Exception {
        List<String[]> locations = rows("/nginx-locations/locations.tsv", "location");
        List<String[]> requests = rows("/nginx-locations/locations.tsv", "request");
        assertTrue(locations.size() >= 10 && requests.size() >= 30, "the vectors file is complete");
        ProxyServer proxy = upstreams.proxy(p -> {
            for (String[] location : locations) {
                p.route(location[2], r -> r.returns(200, location[3]));
            }
        });
        RawClient client = upstreams.rawClient(proxy.port());

        List<String> wrong = new ArrayList<>();
        for (String[] request : requests) {
            client.send("GET " + request[1] + " HTTP/1.1\r\nHost: a\r\n\r\n");
            String chosen = client.readResponse().bodyString();
            if (!chosen.equals(request[2])) {
                wrong.add(request[1] + ": nginx " + request[2] + ", sluice " + chosen);
            }
        }
        assertEquals(List.of(), wrong);
    }

    @Test
    void everyHostGetsTheServerNginxChose() throws Exception {
        List<String[]> servers = rows("/nginx-locations/server-names.tsv", "server");
        List<String[]> hosts = rows("/nginx-locations/server-names.tsv", "host");
        assertTrue(servers.size() >= 8 && hosts.size() >= 20, "the vectors file is complete");
        ProxyServer proxy = upstreams.proxy(p -> {
            for (String[] server : servers) {
                p.server(server[2], s -> s.route("/", r -> r.answer(Answer.of(200, server[1]))));
            }
        });
        RawClient client = upstreams.rawClient(proxy.port());

        List<String> wrong = new ArrayList<>();
        for (String[] host : hosts) {
            client.send(host[1].equals("-") ? "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"
                    : "GET / HTTP/1.1\r\nHost: " + host[1] + "\r\n\r\n");
            String chosen = client.readResponse().bodyString();
            if (!chosen.equals(host[2])) {
                wrong.add(host[1] + ": nginx " + host[2] + ", sluice " + chosen);
            }
        }
        assertEquals(List.of(), wrong);
    }

    private List<String[]> rows(String resource, String kind) throws Exception {
        List<String[]> rows = new ArrayList<>();
        try (InputStream in = getClass().getResourceAsStream(resource)) {
            assertNotNull(in, resource);
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                String[] fields = line.split("\t");
                if (fields[0].equals(kind)) {
                    rows.add(fields);
                }
            }
        }
        return rows;
    }

    @Test
    void aProxyingRouteEndingInASlashSendsItsPathWithoutTheSlashThereAsNginxsAutoRedirect() throws Exception {
        UpstreamGroup group = UpstreamGroup.builder("g").server(upstreams.scripted().identity().address()).build();
        ProxyServer proxy = upstreams.proxy(p -> p
                .route("/api/", r -> r.upstream(group))
                .route("/files/", r -> r.answer(Answer.of(200, "files")))
                .route("/both/", r -> r.upstream(group))
                .route("= /both", r -> r.answer(Answer.of(200, "exact")))
                .route("~ ^/api", r -> r.answer(Answer.of(200, "regex")))
                .route("/", r -> r.answer(Answer.of(200, "root")))
                .handler(new ProxyHandler() {
                    @Override
                    public Answer onRequest(ProxyRequest request) {
                        throw new AssertionError("the redirect runs no hooks: " + request.path());
                    }
                }));
        RawClient client = upstreams.rawClient(proxy.port());

        client.send(RawClient.get("/api?x=1"));
        RawClient.Reply redirect = client.readResponse();
        client.send(RawClient.get("/api"));
        RawClient.Reply bare = client.readResponse();
        client.send(RawClient.get("/api?"));
        RawClient.Reply emptyQuery = client.readResponse();

        assertEquals(301, redirect.status());
        assertEquals("/api/?x=1", redirect.header("Location"));
        assertEquals("/api/", bare.header("Location"));
        assertEquals("/api/", emptyQuery.header("Location"), "$is_args is empty for an empty query, as nginx's");
        for (String[] expected : List.of(new String[] {"/files", "root"}, new String[] {"/both", "exact"},
                new String[] {"/apix", "regex"})) {
            client.send(RawClient.get(expected[0]));
            assertEquals(expected[1], client.readResponse().bodyString(), expected[0]);
        }
    }

    @Test
    void aModifierWithoutAPathOrABadRegexIsRefusedNamingTheLocation() {
        IllegalArgumentException regex = assertThrows(IllegalArgumentException.class, () -> Route.builder("~ (a"));
        assertTrue(regex.getMessage().startsWith("route \"~ (a\": not a regex"), regex.getMessage());
        IllegalArgumentException path = assertThrows(IllegalArgumentException.class, () -> Route.builder("= x"));
        assertTrue(path.getMessage().startsWith("route \"= x\": the path must start with '/'"), path.getMessage());
    }

    @Test
    void aRegexKeepsItsTrailingWhitespaceAndAPosixClassMustBeOneOfPcres() {
        UpstreamGroup group = UpstreamGroup.builder("g").server("127.0.0.1:1").build();
        Pattern tab = Route.builder("~ ^/tab\t").upstream(group).build().pattern();
        assertTrue(tab.matcher("/tab\t").find());
        assertFalse(tab.matcher("/tabx").find(), "the tab is part of the regex");
        IllegalArgumentException posix = assertThrows(IllegalArgumentException.class,
                () -> Route.builder("~ ^/[[:digits:]]"));
        assertTrue(posix.getMessage().contains("unknown POSIX class name \"digits\""), posix.getMessage());
    }

    @Test
    void aServerNameThatIsNoNameWildcardOrRegexIsRefused() {
        for (String bad : List.of("a.*.com", "*.a.*", "w*w.a.com", "~(x")) {
            assertThrows(IllegalArgumentException.class, () -> VirtualServer.builder(bad), bad);
        }
        assertEquals(List.of("*.a.com", "a.*", ".a.com", "~^A$"), VirtualServer.builder("*.A.com a.* .a.com ~^A$")
                .route("/", r -> r.answer(Answer.of(200))).build().names());
    }

    @Test
    void aRegexRouteTakesNoPlainPassUriAsNginxTakesNoUriPartThere() {
        UpstreamGroup group = UpstreamGroup.builder("g").server("127.0.0.1:1").build();
        assertThrows(IllegalArgumentException.class,
                () -> Route.builder("~ ^/a").upstream(group).passUri("/b/").build());
    }

    @Test
    void theSameLocationTwiceIsRefusedButAPrefixAndAnExactOfOnePathAreTwo() {
        ProxyServer.Builder builder = ProxyServer.builder()
                .route("/a", r -> r.answer(Answer.of(200)))
                .route("= /a", r -> r.answer(Answer.of(200)));
        assertThrows(IllegalArgumentException.class, () -> builder.route("= /a", r -> r.answer(Answer.of(204))));
    }
}
