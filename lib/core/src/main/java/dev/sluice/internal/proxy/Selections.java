package dev.sluice.internal.proxy;

import dev.sluice.Route;
import dev.sluice.ValueTemplate;
import dev.sluice.internal.http.ResponseHead;
import dev.sluice.upstream.PeerState;
import dev.sluice.upstream.Selection;
import dev.sluice.upstream.UpstreamGroup;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * The balancer selections of one client connection, one per group its requests went to, reused request after
 * request so that choosing a peer allocates nothing; with the bytes of a hash balancer's key ({@code hash $key})
 * and the request's sticky session ({@code sticky}).
 */
final class Selections {

    private final Map<UpstreamGroup, Selection> byGroup = new IdentityHashMap<>(4);
    /** The connection's event loop, whose own copy of a group's state it picks from. */
    private final LoopContext loop;
    private final byte[] clientAddress;
    private final StringBuilder scratch;
    private byte[] keyBytes = new byte[64];
    /** Made for the connection's first request to a sticky group. */
    private StickyBinding sticky;

    /** {@code loop}: the connection's event loop; {@code clientAddress}: the client's address bytes, for
     * ip_hash; {@code scratch}: the connection's own. */
    Selections(LoopContext loop, byte[] clientAddress, StringBuilder scratch) {
        this.loop = loop;
        this.clientAddress = clientAddress;
        this.scratch = scratch;
    }

    /**
     * The selection for a new request to {@code group} under {@code route}, reset, keyed when its balancer
     * hashes (by {@code handlerKey} when a handler chose one, else by the route's key), and bound to the peer its
     * sticky session names, if any.
     */
    Selection begin(UpstreamGroup group, Route route, ValueTemplate.Variables variables, String handlerKey) {
        Selection selection = byGroup.get(group);
        if (selection == null) {
            selection = loop.newSelection(group);
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
        if (group.sticky() != null) {
            sticky = sticky == null ? new StickyBinding() : sticky;
            selection.prefer(sticky.bind(group, variables));
        }
        return selection;
    }

    /**
     * {@code peer} of a sticky {@code group} answered with {@code head}, relayed with {@code edits} (or null): the
     * edits with the sticky cookie added when one must be set; a session learned. Others' edits go through as they are.
     */
    FieldEdits answered(UpstreamGroup group, PeerState peer, ResponseHead head, FieldEdits edits) {
        return group.sticky() == null ? edits : sticky.answered(group, peer, head, edits);
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
