package dev.sluice.kubernetes;

import dev.sluice.upstream.Endpoint;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What one {@code discovery.k8s.io/v1} EndpointSlice says, as a proxy needs it: its TCP ports and its endpoints'
 * addresses with their conditions. A slice of addressType {@code FQDN} (or one this reader does not know) has
 * neither: a proxy connects to addresses, not names.
 *
 * @param name the slice's name, unique in its namespace
 * @param ports the TCP ports that have a number ({@code protocol} absent means TCP; a port without a number means
 *     "all ports", which says nothing a proxy can connect to)
 * @param members one per address of each endpoint
 */
record Slice(String name, List<Port> ports, List<Member> members) {

    private static final Pattern IPV4 = Pattern.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d"
            + "|1\\d\\d|[1-9]?\\d)){3}");
    /** What an IPv6 literal is made of, starting as the JDK needs to parse it as one rather than look it up. */
    private static final Pattern IPV6 = Pattern.compile("[0-9a-fA-F:][0-9a-fA-F:.]*:[0-9a-fA-F:.]*");

    /** A port of the slice: its name ({@code ""} for the single unnamed port of a Service) and number. */
    record Port(String name, int number) {
    }

    /**
     * One address of an endpoint, in the condition its {@code conditions} give it: {@code terminating} true drains,
     * whether it still serves or not; else {@code ready} true or absent (Kubernetes: "interpret as ready") takes
     * requests; else it is not a member.
     *
     * @param metadata {@code targetRef.kind}, {@code targetRef.name}, {@code targetRef.namespace} and {@code
     *     nodeName}, those the endpoint has
     */
    record Member(InetAddress address, Endpoint.Condition condition, String zone, Map<String, String> metadata) {

        /** This member as the endpoint at {@code port}. */
        Endpoint at(int port) {
            return Endpoint.ready(new InetSocketAddress(address, port)).withCondition(condition).withZone(zone)
                    .withMetadata(metadata);
        }
    }

    /** Reads an EndpointSlice object; an error names the first field that is not as the API defines it. */
    static Slice from(JsonObject slice) throws JsonException {
        String name = slice.requiredObject("metadata").requiredString("name");
        String addressType = slice.requiredString("addressType");
        if (!addressType.equals("IPv4") && !addressType.equals("IPv6")) {
            return new Slice(name, List.of(), List.of());
        }
        List<Port> ports = new ArrayList<>();
        for (JsonObject port : slice.objects("ports")) {
            String protocol = port.string("protocol");
            Long number = port.integer("port");
            if ((protocol == null || protocol.equals("TCP")) && number != null) {
                if (number < 1 || number > 65535) {
                    throw new JsonException("EndpointSlice " + name + " has port " + number);
                }
                String portName = port.string("name");
                ports.add(new Port(portName == null ? "" : portName, number.intValue()));
            }
        }
        List<Member> members = new ArrayList<>();
        for (JsonObject endpoint : slice.objects("endpoints")) {
            Endpoint.Condition condition = condition(endpoint.object("conditions"));
            String zone = endpoint.string("zone");
            Map<String, String> metadata = metadata(endpoint);
            for (String address : endpoint.strings("addresses")) {
                members.add(new Member(address(address, addressType, name), condition, zone == null ? "" : zone,
                        metadata));
            }
        }
        return new Slice(name, List.copyOf(ports), List.copyOf(members));
    }

    private static Endpoint.Condition condition(JsonObject conditions) throws JsonException {
        if (conditions == null) {
            return Endpoint.Condition.READY;
        }
        if (Boolean.TRUE.equals(conditions.bool("terminating"))) {
            return Endpoint.Condition.TERMINATING;
        }
        return Boolean.FALSE.equals(conditions.bool("ready")) ? Endpoint.Condition.NOT_READY
                : Endpoint.Condition.READY;
    }

    private static Map<String, String> metadata(JsonObject endpoint) throws JsonException {
        Map<String, String> metadata = new LinkedHashMap<>();
        JsonObject target = endpoint.object("targetRef");
        if (target != null) {
            for (String field : List.of("kind", "name", "namespace")) {
                put(metadata, "targetRef." + field, target.string(field));
            }
        }
        put(metadata, "nodeName", endpoint.string("nodeName"));
        return metadata;
    }

    private static void put(Map<String, String> metadata, String key, String value) {
        if (value != null) {
            metadata.put(key, value);
        }
    }

    /** The IP literal {@code text} of a slice of {@code addressType}, never looked up as a name. */
    private static InetAddress address(String text, String addressType, String slice) throws JsonException {
        boolean literal = (addressType.equals("IPv4") ? IPV4 : IPV6).matcher(text).matches();
        if (literal) {
            try {
                return InetAddress.getByName(text); // a literal: parsed, not resolved
            } catch (UnknownHostException e) {
                // not an IPv6 literal after all
            }
        }
        throw new JsonException("EndpointSlice " + slice + " has " + addressType + " address \"" + text + "\"");
    }
}
