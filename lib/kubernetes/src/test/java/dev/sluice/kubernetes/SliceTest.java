package dev.sluice.kubernetes;

import static dev.sluice.kubernetes.SliceJson.slice;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.upstream.Endpoint.Condition;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** An EndpointSlice read as a proxy needs it: conditions, address types, ports, and what it refuses. */
class SliceTest {

    private static Slice read(SliceJson slice) throws JsonException {
        return Slice.from(JsonObject.of(Json.parse(slice.json().getBytes(StandardCharsets.UTF_8)), "slice"));
    }

    private static List<Condition> conditions(Slice slice) {
        return slice.members().stream().map(Slice.Member::condition).toList();
    }

    @Test
    void conditionsMapAsKubernetesDefinesThem() throws Exception {
        Slice slice = read(slice("web-a").port("http", 8080)
                .ready("10.0.0.1")
                .endpoint("10.0.0.2", null)
                .endpoint("10.0.0.3", "{}")
                .notReady("10.0.0.4")
                .terminating("10.0.0.5")
                .endpoint("10.0.0.6", "{\"ready\":false,\"serving\":false,\"terminating\":true}"));

        assertEquals(List.of(Condition.READY, Condition.READY, Condition.READY, Condition.NOT_READY,
                Condition.TERMINATING, Condition.TERMINATING), conditions(slice),
                "ready absent is ready; terminating drains whether serving or not");
    }

    @Test
    void eachAddressOfAnEndpointIsAMember() throws Exception {
        Slice slice = read(slice("web-a").addressType("IPv6").port("http", 8080)
                .rawEndpoint("{\"addresses\":[\"fd00::1\",\"fd00::2\"],\"conditions\":{\"ready\":true}}"));

        assertEquals(List.of(InetAddress.getByName("fd00::1"), InetAddress.getByName("fd00::2")),
                slice.members().stream().map(Slice.Member::address).toList());
    }

    @Test
    void anFqdnSliceHasNoMembersAndNoPorts() throws Exception {
        Slice slice = read(slice("web-a").addressType("FQDN").port("http", 8080).ready("web.example.com"));

        assertEquals(new Slice("web-a", List.of(), List.of()), slice);
    }

    @Test
    void onlyTcpPortsWithANumberCount() throws Exception {
        Slice slice = read(slice("web-a").port("http", 8080)
                .rawPort("{\"name\":\"dns\",\"protocol\":\"UDP\",\"port\":53}")
                .rawPort("{\"name\":\"all\",\"protocol\":\"TCP\"}")
                .rawPort("{\"port\":9000}"));

        assertEquals(List.of(new Slice.Port("http", 8080), new Slice.Port("", 9000)), slice.ports(),
                "protocol absent is TCP, name absent is the unnamed port");
    }

    @Test
    void anAddressThatIsNotALiteralOfTheSlicesTypeIsRefused() {
        for (SliceJson bad : List.of(slice("web-a").ready("web.example.com"), slice("web-a").ready("10.0.0.256"),
                slice("web-a").ready("fd00::1"), slice("web-a").addressType("IPv6").ready("10.0.0.1"),
                slice("web-a").addressType("IPv6").ready("g::1"),
                slice("web-a").addressType("IPv6").ready("fd00::1%eth0"))) {
            JsonException e = assertThrows(JsonException.class, () -> read(bad), bad.json());
            assertTrue(e.getMessage().startsWith("EndpointSlice web-a has IPv"), e.getMessage());
        }
    }

    @Test
    void aSliceWithoutANameOrAnAddressTypeIsRefused() {
        String noName = "{\"metadata\":{},\"addressType\":\"IPv4\"}";
        String noType = "{\"metadata\":{\"name\":\"web-a\"}}";

        JsonException name = assertThrows(JsonException.class,
                () -> Slice.from(JsonObject.of(Json.parse(noName.getBytes(StandardCharsets.UTF_8)), "slice")));
        JsonException type = assertThrows(JsonException.class,
                () -> Slice.from(JsonObject.of(Json.parse(noType.getBytes(StandardCharsets.UTF_8)), "slice")));

        assertEquals("slice.metadata.name is missing", name.getMessage());
        assertEquals("slice.addressType is missing", type.getMessage());
    }

    @Test
    void aPortOutOfRangeIsRefused() {
        JsonException e = assertThrows(JsonException.class, () -> read(slice("web-a").port("http", 70000)));

        assertEquals("EndpointSlice web-a has port 70000", e.getMessage());
    }
}
