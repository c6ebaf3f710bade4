package dev.sluice.upstream;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Map;
import java.util.Objects;

/**
 * One address a discovery source announces for a server line (a DNS record, a Kubernetes endpoint, a registry
 * entry): where to connect, with what weight, and whether it takes requests. Immutable; the group's peers follow the
 * endpoints their source gives it ({@link UpstreamGroup#setEndpoints}, {@link UpstreamGroup#updateEndpoints}).
 *
 * @param address the resolved socket address to connect to (an IP and port, or a Unix socket)
 * @param weight the peer's {@code weight}, or 0 for the server line's own (the default)
 * @param backup whether the peer serves only while every primary peer is unavailable, as an SRV record of a lower
 *     priority; false by default (then the line's {@code backup} decides)
 * @param condition whether the endpoint takes new requests; {@link Condition#READY} by default
 * @param zone the zone the endpoint runs in, empty when unknown; shown in the status document
 * @param metadata whatever else the source knows of it (pod name, node, labels), empty by default
 */
public record Endpoint(SocketAddress address, int weight, boolean backup, Condition condition, String zone,
        Map<String, String> metadata) {

    /**
     * Whether an endpoint takes requests, as Kubernetes' EndpointSlice conditions say it: ready ones do,
     * terminating ones drain (the requests in flight finish, no new one comes, their idle connections close), and
     * the others are not members at all.
     */
    public enum Condition {
        /** Takes requests: a peer like any configured one. */
        READY,
        /** Shutting down: drains, then leaves the group once no request is in flight to it. */
        TERMINATING,
        /** Not ready (starting, or failing its readiness check): not a member; a request in flight ends normally. */
        NOT_READY
    }

    /** Checks the parts: a resolved address, a weight from 0 to 1,000,000, no null. */
    public Endpoint {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(condition, "condition");
        Objects.requireNonNull(zone, "zone");
        metadata = Map.copyOf(Objects.requireNonNull(metadata, "metadata"));
        if (address instanceof InetSocketAddress && ((InetSocketAddress) address).isUnresolved()) {
            throw new IllegalArgumentException("an endpoint's address must be resolved: " + address);
        }
        if (weight < 0 || weight > 1_000_000) {
            throw new IllegalArgumentException("endpoint weight must be between 0 and 1000000: " + weight
                    + " (" + address + ")");
        }
    }

    /** A ready endpoint at {@code address} with the line's weight, no zone and no metadata. */
    public static Endpoint ready(SocketAddress address) {
        return new Endpoint(address, 0, false, Condition.READY, "", Map.of());
    }

    /** This endpoint with weight {@code weight} (0: the server line's). */
    public Endpoint withWeight(int weight) {
        return new Endpoint(address, weight, backup, condition, zone, metadata);
    }

    /** This endpoint as a backup one, or not. */
    public Endpoint withBackup(boolean backup) {
        return new Endpoint(address, weight, backup, condition, zone, metadata);
    }

    /** This endpoint in condition {@code condition}. */
    public Endpoint withCondition(Condition condition) {
        return new Endpoint(address, weight, backup, condition, zone, metadata);
    }

    /** This endpoint in zone {@code zone}. */
    public Endpoint withZone(String zone) {
        return new Endpoint(address, weight, backup, condition, zone, metadata);
    }

    /** This endpoint with {@code metadata} instead of its own. */
    public Endpoint withMetadata(Map<String, String> metadata) {
        return new Endpoint(address, weight, backup, condition, zone, metadata);
    }
}
