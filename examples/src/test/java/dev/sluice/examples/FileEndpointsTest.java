package dev.sluice.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.ProxyServer;
import dev.sluice.testing.RawClient;
import dev.sluice.testing.ScriptedUpstream;
import dev.sluice.testing.ScriptedUpstream.Response;
import dev.sluice.testing.Upstreams;
import dev.sluice.upstream.Endpoint;
import dev.sluice.upstream.PeerState;
import dev.sluice.upstream.UpstreamGroup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** A discovery source of one's own: the proxy follows a file of endpoints as a deploy script rewrites it. */
class FileEndpointsTest {

    @RegisterExtension
    final Upstreams upstreams = new Upstreams();

    @TempDir
    Path dir;

    @Test
    void theProxyFollowsTheFileTerminatingEndpointsDrainAndABadFileChangesNothing() throws Exception {
        ScriptedUpstream a = upstreams.scripted().defaultResponse(Response.ok("a"));
        ScriptedUpstream b = upstreams.scripted().defaultResponse(Response.ok("b"));
        ScriptedUpstream c = upstreams.scripted().defaultResponse(Response.ok("c"));
        Path file = Files.writeString(dir.resolve("web.endpoints"), a.address() + "\n" + b.address() + "\n");
        UpstreamGroup web = UpstreamGroup.builder("web").discover("file:web", new FileEndpoints(file)).build();
        ProxyServer proxy = upstreams.proxy(p -> p.route("/", r -> r.upstream(web)));
        assertTrue(await(() -> web.peers().size() == 2), "the file's endpoints joined");
        assertEquals(Set.of("a", "b"), answers(proxy, 4));

        Files.writeString(file, "# a is being replaced\n" + a.address() + " terminating\n" + b.address() + "\n"
                + c.address() + " weight=2\n");
        List<String> next = List.of(b.address(), c.address());
        assertTrue(await(() -> web.peers().stream().map(PeerState::name).toList().equals(next)),
                "the idle terminating endpoint left at once, the new one joined");
        assertEquals(Set.of("b", "c"), answers(proxy, 6));

        Files.writeString(file, "not an endpoint\n");
        Thread.sleep(1_500); // a read or two of the bad file
        assertEquals(next, web.peers().stream().map(PeerState::name).toList());
    }

    @Test
    void aLineOfTheFileIsReadAsAnEndpoint() throws Exception {
        Path file = Files.writeString(dir.resolve("e"), "10.0.0.1:8080 weight=3 terminating\n\n# comment\n");

        Endpoint endpoint = FileEndpoints.read(file).get(0);

        assertEquals(3, endpoint.weight());
        assertEquals(Endpoint.Condition.TERMINATING, endpoint.condition());
        Files.writeString(file, "10.0.0.1:8080 drained\n");
        assertThrows(IllegalArgumentException.class, () -> FileEndpoints.read(file));
    }

    private Set<String> answers(ProxyServer proxy, int requests) throws Exception {
        Set<String> seen = new HashSet<>();
        try (RawClient client = RawClient.connect(proxy.port())) {
            for (int i = 0; i < requests; i++) {
                seen.add(client.send(RawClient.get("/" + i)).readResponse().bodyString());
            }
        }
        return seen;
    }

    private static boolean await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }
}
