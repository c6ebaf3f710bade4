package dev.sluice.internal.proxy;

import dev.sluice.Route;
import dev.sluice.ValueTemplate;
import dev.sluice.upstream.Selection;
import dev.sluice.upstream.UpstreamGroup;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * The balancer selections of one client connection, one per group its requests went to, reused request after
 * request so that choosing a peer allocates nothing; with the bytes of a hash balancer's key ({@code hash $key}).
 */
final class Selections {

    private final Map<UpstreamGroup, Selection> byGroup = new IdentityHashMap<>(4);
    private final byte[] clientAddress;
    private final StringBuilder scratch;
    private byte[] keyBytes = new byte[64];

    /** {@code clientAddress}: the client's address bytes, for ip_hash; {@code scratch}: the connection's own. */
    Selections(byte[] clientAddress, StringBuilder scratch) {
        this.clientAddress = clientAddress;
        this.scratch = scratch;
    }

    /**
     * The selection for a new request to {@code group} under {@code route}, reset, and keyed when its balancer
     * hashes: by {@code handlerKey} when a handler chose one, else by the route's key.
     */
    Selection begin(UpstreamGroup group, Route route, ValueTemplate.Variables variables, String handlerKey) {
        Selection selection = byGroup.get(group);
        if (selection == null) {
            selection = group.newSelection();
            byGroup.put(group, selection);
        }
        selection.reset().clientAddress(clientAddress).maxTries(route.nextUpstream().tries());
        if (group.balancer().usesHashKey()) {
            scratch.setLength(0);
            if (handlerKey != null) {
                scratch.append(handlerKey);
            } else {
                route.hashKey().appendTo(scratch, variables);
            }
            hashKey(selection);
        }
        return selection;
    }

    private void hashKey(Selection selection) {
        int length = scratch.length();
        if (keyBytes.length < length) {
            keyBytes = new byte[Math.max(length, keyBytes.length * 2)];
        }
        for (int i = 0; i < length; i++) {
            keyBytes[i] = (byte) scratch.charAt(i);
        }
        selection.hashKey(keyBytes, 0, length);
    }
}
