package dev.sluice.kubernetes;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.notMatching;
import static dev.sluice.kubernetes.SliceJson.added;
import static dev.sluice.kubernetes.SliceJson.bookmark;
import static dev.sluice.kubernetes.SliceJson.deleted;
import static dev.sluice.kubernetes.SliceJson.error;
import static dev.sluice.kubernetes.SliceJson.list;
import static dev.sluice.kubernetes.SliceJson.modified;
import static dev.sluice.kubernetes.SliceJson.slice;
import static dev.sluice.kubernetes.SliceJson.status;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.stubbing.StubMapping;
import dev.sluice.testing.Upstreams;
import dev.sluice.upstream.Endpoint;
import dev.sluice.upstream.EndpointSource;
import dev.sluice.upstream.Outcome;
import dev.sluice.upstream.PeerState;
import dev.sluice.upstream.Selection;
import dev.sluice.upstream.UpstreamGroup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A line following Service {@code default/web} through a scripted API server: the list, then watch events, bookmarks,
 * 410s and disconnects, and the line's peers after each.
 */
class SliceWatcherTest {

    private static final String LINE = "k8s:default/web";

    @RegisterExtension
    final Upstreams upstreams = new Upstreams();

    private final ScriptedApiServer api = new ScriptedApiServer(upstreams.wireMock());

    /** A group with the line, following {@code source} until the test ends. */
    private UpstreamGroup follow(EndpointSource source) {
        UpstreamGroup group = UpstreamGroup.builder("web").discover(LINE, source).build();
        upstreams.manage(source.follow(group, group.servers().get(0)));
        return group;
    }

    private UpstreamGroup follow(EndpointSlices.Builder builder) {
        return follow(builder.apiServer(api.uri()).token(() -> "").build());
    }

    private UpstreamGroup followWeb() {
        return follow(EndpointSlices.service("default", "web"));
    }

    private static List<String> peers(UpstreamGroup group) {
        return group.peers().stream().map(PeerState::name).toList();
    }

    @Test
    void theListGivesTheLineItsReadyEndpointsAtThePort() throws Exception {
        api.list(list("100", slice("web-a").port("http", 8080).ready("10.0.0.1").notReady("10.0.0.2")
                .endpoint("10.0.0.3", null)));

        UpstreamGroup group = followWeb();

        assertTrue(await(() -> peers(group).equals(List.of("10.0.0.1:8080", "10.0.0.3:8080"))), peers(group)
                .toString());
        assertTrue(await(() -> !api.watchedFrom().isEmpty()), "then watches");
        assertEquals("100", api.watchedFrom().get(0), "from the list's version");
    }

    @Test
    void addedModifiedAndDeletedSlicesChangeTheLineInTurn() throws Exception {
        List<String> left = new CopyOnWriteArrayList<>();
        api.list(list("100"))
                .watch("100", added(slice("web-a").rv("101").port("http", 8080).ready("10.0.0.1").ready("10.0.0.2")),
                        added(slice("web-b").rv("102").port("http", 8080).ready("10.0.1.1")),
                        modified(slice("web-a").rv("103").port("http", 8080).ready("10.0.0.2").ready("10.0.0.3")),
                        deleted(slice("web-b").rv("104").port("http", 8080).ready("10.0.1.1")));

        UpstreamGroup group = followWeb();
        group.whenPeersLeave(peer -> left.add(peer.name()));

        assertTrue(await(() -> peers(group).equals(List.of("10.0.0.2:8080", "10.0.0.3:8080"))), peers(group)
                .toString());
        assertEquals(List.of("10.0.0.1:8080", "10.0.1.1:8080"), left, "modified, then deleted");
    }

    @Test
    void aTerminatingEndpointDrainsAndANotReadyOneLeaves() throws Exception {
        api.list(list("100", slice("web-a").rv("100").port("http", 8080).ready("10.0.0.1").ready("10.0.0.2")));
        UpstreamGroup group = followWeb();
        assertTrue(await(() -> peers(group).size() == 2), peers(group).toString());
        Selection inFlight = group.newSelection();
        PeerState busy = inFlight.prefer(group.peers().get(0)).select();

        api.watch("100", modified(slice("web-a").rv("101").port("http", 8080).terminating("10.0.0.1")
                .notReady("10.0.0.2")));

        assertTrue(await(busy::isDraining), "the endpoint with a request in flight drains");
        await(() -> peers(group).size() == 1); // the drain and the leave are two changes: the leave may come second
        assertEquals(List.of("10.0.0.1:8080"), peers(group), "the not ready one left");
        assertEquals(Endpoint.Condition.TERMINATING, busy.endpoint().orElseThrow().condition());
        inFlight.report(Outcome.SUCCESS);
        assertEquals(List.of(), peers(group), "drained, it leaves");
    }

    @Test
    void aBookmarkMovesTheVersionTheNextWatchResumesFrom() throws Exception {
        api.list(list("100", slice("web-a").port("http", 8080).ready("10.0.0.1")))
                .watch("100", bookmark("150"))
                .watch("150", added(slice("web-b").rv("151").port("http", 8080).ready("10.0.1.1")));

        UpstreamGroup group = followWeb();

        assertTrue(await(() -> peers(group).size() == 2), peers(group).toString());
        assertTrue(await(() -> api.watchedFrom().size() >= 3), api.watchedFrom().toString());
        assertEquals(List.of("100", "150", "151"), api.watchedFrom().subList(0, 3));
        assertEquals(1, api.lists().size(), "resumed, never listed again");
    }

    @Test
    void aWatchThatEndsIsResumedFromTheLastVersionWithoutListingAgain() throws Exception {
        api.list(list("100", slice("web-a").rv("100").port("http", 8080).ready("10.0.0.1")))
                .watch("100", added(slice("web-b").rv("101").port("http", 8080).ready("10.0.1.1")))
                .watch("101", modified(slice("web-a").rv("102").port("http", 8080).notReady("10.0.0.1")));

        UpstreamGroup group = followWeb();

        assertTrue(await(() -> peers(group).equals(List.of("10.0.1.1:8080"))), peers(group).toString());
        assertTrue(await(() -> api.watchedFrom().size() >= 3), api.watchedFrom().toString());
        assertEquals(List.of("100", "101", "102"), api.watchedFrom().subList(0, 3));
        assertEquals(1, api.lists().size());
    }

    @Test
    void a410GoneAnswerListsAgain() throws Exception {
        api.list(list("100", slice("web-a").port("http", 8080).ready("10.0.0.1")))
                .watchAnswers("100", ScriptedApiServer.json(410, status(410, "Expired", "too old resource version")))
                .list(list("200", slice("web-a").port("http", 8080).ready("10.0.0.2")));

        UpstreamGroup group = followWeb();

        assertTrue(await(() -> peers(group).equals(List.of("10.0.0.2:8080"))), peers(group).toString());
        assertTrue(await(() -> api.watchedFrom().contains("200")), api.watchedFrom().toString());
        assertEquals(2, api.lists().size());
    }

    @Test
    void a410ErrorEventListsAgain() throws Exception {
        api.list(list("100", slice("web-a").port("http", 8080).ready("10.0.0.1")))
                .watch("100", error(410, "Expired", "too old resource version: 100 (180)"))
                .list(list("200", slice("web-a").port("http", 8080).ready("10.0.0.2")));

        UpstreamGroup group = followWeb();

        assertTrue(await(() -> peers(group).equals(List.of("10.0.0.2:8080"))), peers(group).toString());
        assertEquals(2, api.lists().size());
    }

    @Test
    void anApiServerThatGoesDownLeavesTheLineAsItWasAndTheWatchResumesWhenItIsBack() throws Exception {
        api.list(list("100", slice("web-a").rv("100").port("http", 8080).ready("10.0.0.1")));
        UpstreamGroup group = followWeb();
        assertTrue(await(() -> peers(group).size() == 1), peers(group).toString());

        StubMapping down = api.wireMock().stubFor(get(anyUrl()).atPriority(1)
                .willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
        int before = api.watches().size();
        assertTrue(await(() -> api.watches().size() >= before + 2), "tried again");
        assertEquals(List.of("10.0.0.1:8080"), peers(group), "the line keeps its endpoints");

        api.watch("100", added(slice("web-b").rv("101").port("http", 8080).ready("10.0.1.1")));
        api.wireMock().removeStub(down);

        assertTrue(await(() -> peers(group).size() == 2), peers(group).toString());
        assertEquals(1, api.lists().size(), "resumed from where it was");
    }

    @Test
    void theTokenFileIsReadAgainForEachRequest(@TempDir Path dir) throws Exception {
        Path token = Files.writeString(dir.resolve("token"), "first\n");
        api.list(list("100", slice("web-a").port("http", 8080).ready("10.0.0.1")));
        api.wireMock().stubFor(ScriptedApiServer.watch().withHeader("Authorization", notMatching("Bearer rotated"))
                .willReturn(ScriptedApiServer.json(401, status(401, "Unauthorized", "Unauthorized"))));
        api.wireMock().stubFor(ScriptedApiServer.watch().withQueryParam("resourceVersion", equalTo("100"))
                .withHeader("Authorization", equalTo("Bearer rotated"))
                .willReturn(ScriptedApiServer.json(200, added(slice("web-b").rv("101").port("http", 8080)
                        .ready("10.0.1.1")) + "\n")));

        UpstreamGroup group = follow(EndpointSlices.service("default", "web").apiServer(api.uri()).token(token)
                .build());
        assertTrue(await(() -> peers(group).size() == 1), peers(group).toString());
        Files.writeString(token, "rotated\n");

        assertTrue(await(() -> peers(group).size() == 2), peers(group).toString());
        assertEquals("Bearer first", api.lists().get(0).getHeader("Authorization"));
    }

    @Test
    void thePortIsChosenByNameAmongTheServicesPorts() throws Exception {
        api.list(list("100", slice("web-a").port("http", 8080).port("metrics", 9090).ready("10.0.0.1")));

        UpstreamGroup group = follow(EndpointSlices.service("default", "web").port("metrics"));

        assertTrue(await(() -> peers(group).equals(List.of("10.0.0.1:9090"))), peers(group).toString());
    }

    @Test
    void anEndpointsZoneAndPodAreItsPeersEndpoint() throws Exception {
        api.list(list("100", slice("web-a").port("http", 8080).rawEndpoint("{\"addresses\":[\"10.0.0.1\"],"
                + "\"conditions\":{\"ready\":true},\"nodeName\":\"node-1\",\"zone\":\"eu-west-1a\",\"targetRef\":"
                + "{\"kind\":\"Pod\",\"name\":\"web-7d4b9\",\"namespace\":\"default\",\"uid\":\"0a1b\"}}")));

        UpstreamGroup group = followWeb();

        assertTrue(await(() -> peers(group).size() == 1), peers(group).toString());
        Endpoint endpoint = group.peers().get(0).endpoint().orElseThrow();
        assertEquals("eu-west-1a", endpoint.zone());
        assertEquals(Map.of("targetRef.kind", "Pod", "targetRef.name", "web-7d4b9", "targetRef.namespace", "default",
                "nodeName", "node-1"), endpoint.metadata());
    }

    @Test
    void closingStopsTheThreadReadingAWatch() throws Exception {
        api.list(list("100", slice("web-a").port("http", 8080).ready("10.0.0.1")))
                .watchAnswers("100", ScriptedApiServer.json(200, bookmark("100") + "\n" + " ".repeat(4096) + "\n")
                        .withChunkedDribbleDelay(40, 20_000));
        UpstreamGroup group = UpstreamGroup.builder("web").discover(LINE, EndpointSlices.service("default", "web")
                .apiServer(api.uri()).token(() -> "").build()).build();
        AutoCloseable following = upstreams.manage(group.servers().get(0).source().orElseThrow()
                .follow(group, group.servers().get(0)));
        assertTrue(await(() -> !api.watches().isEmpty()), "watching");

        following.close();

        assertTrue(await(() -> thread("sluice-kubernetes-default/web") == null), "the thread ended");
        assertEquals(List.of("10.0.0.1:8080"), peers(group), "closing leaves the line as it is");
    }

    @Test
    void aServiceThatGetsASecondPortWhenNoneWasChosenKeepsTheLineAsItWas() throws Exception {
        api.list(list("100", slice("web-a").rv("100").port("http", 8080).ready("10.0.0.1")))
                .watch("100", modified(slice("web-a").rv("101").port("http", 8080).port("metrics", 9090)
                        .ready("10.0.0.1").ready("10.0.0.2")), bookmark("102"));

        UpstreamGroup group = followWeb();

        assertTrue(await(() -> api.watchedFrom().contains("102")), "followed on");
        assertEquals(List.of("10.0.0.1:8080"), peers(group), "no port guessed, none dropped");
    }

    private static Thread thread(String name) {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals(name)).findFirst()
                .orElse(null);
    }

    static boolean await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            Thread.sleep(10);
        }
        return true;
    }
}
