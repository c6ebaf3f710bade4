package dev.sluice.kubernetes;

import static dev.sluice.kubernetes.SliceJson.slice;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.sluice.upstream.Endpoint;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The line's endpoints over all of a Service's slices: the port chosen, and an address in two slices. */
class SliceSetTest {

    private static SliceSet set(PortChoice port, SliceJson... slices) throws JsonException {
        SliceSet set = new SliceSet(port);
        for (SliceJson slice : slices) {
            set.put(Slice.from(JsonObject.of(Json.parse(slice.json().getBytes(StandardCharsets.UTF_8)), "slice")));
        }
        return set;
    }

    private static List<String> addresses(SliceSet set) {
        return set.endpoints().stream().map(e -> e.address().toString().substring(1) + " " + e.condition()).toList();
    }

    @Test
    void theOnlyPortIsTheDefaultNamedOrNot() throws Exception {
        SliceSet unnamed = set(PortChoice.only(), slice("web-a").port("", 8080).ready("10.0.0.1"));
        SliceSet named = set(PortChoice.only(), slice("web-a").port("http", 8081).ready("10.0.0.1"));

        assertEquals(List.of("10.0.0.1:8080 READY"), addresses(unnamed));
        assertEquals(List.of("10.0.0.1:8081 READY"), addresses(named));
    }

    @Test
    void severalPortsAndNoneChosenIsAnErrorThatNamesThem() throws Exception {
        SliceSet set = set(PortChoice.only(), slice("web-a").port("http", 8080).port("metrics", 9090)
                .ready("10.0.0.1"));

        IllegalStateException e = assertThrows(IllegalStateException.class, set::endpoints);

        assertEquals("the Service has ports [http, metrics]: choose one with port(...)", e.getMessage());
    }

    @Test
    void aPortByNumberIsTheEndpointsPort() throws Exception {
        SliceSet set = set(PortChoice.numbered(9090), slice("web-a").port("http", 8080).port("metrics", 9090)
                .ready("10.0.0.1"));

        assertEquals(List.of("10.0.0.1:9090 READY"), addresses(set));
    }

    @Test
    void eachSliceGivesTheNamedPortItsOwnNumber() throws Exception {
        SliceSet set = set(PortChoice.named("http"), slice("web-a").port("http", 8080).ready("10.0.0.1"),
                slice("web-b").port("http", 8081).ready("10.0.0.2"), slice("web-c").port("grpc", 9000)
                        .ready("10.0.0.3"));

        assertEquals(List.of("10.0.0.1:8080 READY", "10.0.0.2:8081 READY"), addresses(set),
                "a slice without the port gives nothing");
    }

    @Test
    void anAddressInTwoSlicesCountsOnceInItsBetterCondition() throws Exception {
        SliceSet set = set(PortChoice.named("http"), slice("web-a").port("http", 8080).terminating("10.0.0.1")
                .notReady("10.0.0.2"), slice("web-b").port("http", 8080).ready("10.0.0.1").terminating("10.0.0.2"));

        assertEquals(List.of("10.0.0.1:8080 READY", "10.0.0.2:8080 TERMINATING"), addresses(set));
    }

    @Test
    void aListReplacesEverySliceAndADeletionRemovesOne() throws Exception {
        SliceSet set = set(PortChoice.named("http"), slice("web-a").port("http", 8080).ready("10.0.0.1"),
                slice("web-b").port("http", 8080).ready("10.0.0.2"));

        set.remove("web-a");
        List<Endpoint> afterDeletion = set.endpoints();
        set.replaceAll(List.of());

        assertEquals(1, afterDeletion.size());
        assertEquals(List.of(), set.endpoints());
    }
}
