package dev.sluice.internal.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.ProxyServer;
import dev.sluice.testing.RawClient;
import dev.sluice.testing.ScriptedUpstream;
import dev.sluice.testing.ScriptedUpstream.Response;
import dev.sluice.testing.Upstreams;
import dev.sluice.upstream.PeerState;
import dev.sluice.upstream.UpstreamGroup;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Servers added, drained and removed while clients keep sending, on loopback sockets: not one request fails, a
 * drained or removed server gets no new request, an added one gets its share.
 */
class RuntimeMembershipUnderLoadTest {

    private static final int CLIENTS = 4;
    private static final int MOST_REQUESTS = 5_000;

    @RegisterExtension
    final Upstreams upstreams = new Upstreams();

    @Test
    void addingDrainingAndRemovingServersUnderLoadFailsNoRequest() throws Exception {
        ScriptedUpstream a = upstreams.scripted().defaultResponse(Response.ok("a"));
        ScriptedUpstream b = upstreams.scripted().defaultResponse(Response.ok("b"));
        ScriptedUpstream c = upstreams.scripted().defaultResponse(Response.ok("c"));
        ScriptedUpstream d = upstreams.scripted().defaultResponse(Response.ok("d"));
        UpstreamGroup group = UpstreamGroup.builder("backend").server(a.address()).server(b.address())
                .server(c.address()).build();
        ProxyServer proxy = upstreams.proxy(p -> p.route("/", r -> r.upstream(group)));
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger sent = new AtomicInteger();
        AtomicInteger[] sentBy = new AtomicInteger[CLIENTS];
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        List<Future<List<String>>> failures = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            AtomicInteger mine = sentBy[i] = new AtomicInteger();
            failures.add(clients.submit(() -> load(proxy.port(), stop, sent, mine)));
        }
        try {
            awaitSent(sent, 200);
            PeerState added = group.addServer(d.address(), s -> s.weight(2)).get(0);
            awaitSent(sent, 600);
            PeerState drained = group.peers().get(0);
            group.drainServer(drained.id());
            awaitSent(sent, 1000);
            group.removeServer(group.peers().get(0).id()); // b
            awaitEachClientDone(sentBy); // every request picked before the removal has reached its server
            int beforeB = b.requestCount();
            int beforeA = a.requestCount();
            awaitSent(sent, sent.get() + 400);
            stop.set(true);

            List<String> failed = new ArrayList<>();
            for (Future<List<String>> f : failures) {
                failed.addAll(f.get(30, TimeUnit.SECONDS));
            }
            assertEquals(List.of(), failed);
            assertTrue(drained.isRemoved(), "the drained server left once idle");
            assertEquals(beforeA, a.requestCount(), "nothing went to the drained server after it left");
            assertEquals(beforeB, b.requestCount(), "nothing went to the removed server after it left");
            assertTrue(d.requestCount() > 100, "the added server got its share: " + d.requestCount());
            assertEquals(List.of(c.address(), d.address()), group.peers().stream().map(PeerState::server).toList());
            assertEquals(added, group.peers().get(1));
        } finally {
            stop.set(true);
            clients.shutdownNow();
            assertTrue(clients.awaitTermination(30, TimeUnit.SECONDS));
        }
    }

    /** Sends requests one after another until told to stop; returns the ones that did not get a 200. */
    private List<String> load(int port, AtomicBoolean stop, AtomicInteger sent, AtomicInteger mine) throws Exception {
        List<String> failed = new ArrayList<>();
        try (RawClient client = RawClient.connect(port)) {
            for (int i = 0; i < MOST_REQUESTS && !stop.get(); i++) {
                RawClient.Reply reply = client.send(RawClient.get("/" + i)).readResponse();
                if (reply.status() != 200) {
                    failed.add("/" + i + " got " + reply.status());
                }
                sent.incrementAndGet();
                mine.incrementAndGet();
            }
        }
        return failed;
    }

    /** Waits until each client finished two more requests than it had: whatever it had in flight is over. */
    private static void awaitEachClientDone(AtomicInteger[] sentBy) throws InterruptedException {
        for (AtomicInteger client : sentBy) {
            awaitSent(client, client.get() + 2);
        }
    }

    private static void awaitSent(AtomicInteger sent, int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (sent.get() < count && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertTrue(sent.get() >= count, "the clients sent " + sent.get() + " of " + count);
    }
}
