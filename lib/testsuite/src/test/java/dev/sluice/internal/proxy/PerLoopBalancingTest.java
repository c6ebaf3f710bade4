package dev.sluice.internal.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sluice.ProxyServer;
import dev.sluice.testing.RawClient;
import dev.sluice.testing.ScriptedUpstream;
import dev.sluice.testing.ScriptedUpstream.Response;
import dev.sluice.testing.Upstreams;
import dev.sluice.upstream.UpstreamGroup;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A proxy of two event loops balances each loop's requests with the loop's own state, as two nginx workers do
 * without {@code zone}, or with one shared state when the group shares it. Connections go to the loops in turn.
 */
class PerLoopBalancingTest {

    @RegisterExtension
    final Upstreams upstreams = new Upstreams();

    /** What each of four connections, one after another and one request each, got through two loops. */
    private List<String> answers(Consumer<UpstreamGroup.Builder> state) throws Exception {
        ScriptedUpstream a = upstreams.scripted().defaultResponse(Response.ok("a"));
        ScriptedUpstream b = upstreams.scripted().defaultResponse(Response.ok("b"));
        UpstreamGroup.Builder group = UpstreamGroup.builder("backend").server(a.address()).server(b.address());
        state.accept(group);
        UpstreamGroup built = group.build();
        ProxyServer proxy = upstreams.manage(ProxyServer.builder().listen("127.0.0.1:0").workers(2)
                .route("/", r -> r.upstream(built)).start());
        List<String> answers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            try (RawClient client = RawClient.connect(proxy.port()).timeout(Duration.ofSeconds(10))) {
                client.send("GET / HTTP/1.1\r\nHost: test\r\n\r\n");
                answers.add(client.readResponse().bodyString());
            }
        }
        assertEquals(4, built.peers().stream().mapToLong(peer -> peer.requests()).sum(),
                "the group's peers count every loop's requests");
        return answers;
    }

    @Test
    void eachLoopStartsItsOwnRoundRobinByDefault() throws Exception {
        assertEquals(List.of("a", "a", "b", "b"), answers(group -> { }),
                "connections 1 and 2 are each their loop's first request, 3 and 4 each loop's second");
    }

    @Test
    void aGroupWithSharedStateRunsOneRoundRobinOverBothLoops() throws Exception {
        assertEquals(List.of("a", "b", "a", "b"), answers(UpstreamGroup.Builder::sharedState));
    }
}
