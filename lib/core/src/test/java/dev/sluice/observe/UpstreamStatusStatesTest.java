package dev.sluice.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sluice.upstream.PeerState;
import dev.sluice.upstream.Resolver;
import dev.sluice.upstream.UpstreamGroup;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The {@code state} NGINX Plus's status document gives a peer, from its flags, checks and failures. */
class UpstreamStatusStatesTest {

    private static String state(UpstreamGroup group) {
        Matcher m = Pattern.compile("\"state\":\"([a-z]+)\"").matcher(UpstreamStatus.of(List.of(group)).json());
        m.find();
        return m.group(1);
    }

    @Test
    void eachStateNginxPlusNames() {
        UpstreamGroup group = UpstreamGroup.builder("s").resolver(Resolver.none()).server("10.0.0.1:80")
                .server("10.0.0.2:80").build();
        PeerState peer = group.peers().get(0);
        assertEquals("up", state(group));

        peer.setHealthy(false);
        assertEquals("checking", state(group), "unhealthy before any check: a mandatory check has not passed yet");
        peer.recordCheck(false, 1, 1);
        assertEquals("unhealthy", state(group));
        peer.recordCheck(true, 1, 1);
        assertEquals("up", state(group));

        peer.setDown(true);
        assertEquals("down", state(group));
        peer.setDown(false);

        group.newSelection().prefer(peer).select(); // a request in flight keeps it from leaving at once
        group.drainServer(peer.id());
        assertEquals("draining", state(group));
    }
}
