package dev.sluice.internal.proxy;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.testing.RawClient;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Clients that each send GET requests one after another on a keepalive connection to a proxy (a new one when the
 * proxy closes it after {@code keepalive_requests}), until stopped or {@value #MOST_REQUESTS} each; what did not get
 * a 200 is kept. For tests that change a group under load.
 */
final class SteadyLoad implements AutoCloseable {

    private static final int MOST_REQUESTS = 5_000;
    private static final long PATIENCE_SECONDS = 30;

    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicInteger sent = new AtomicInteger();
    private final AtomicInteger[] sentBy;
    private final ExecutorService clients;
    private final List<Future<List<String>>> failures = new ArrayList<>();

    SteadyLoad(int port, int clientCount) {
        sentBy = new AtomicInteger[clientCount];
        clients = Executors.newFixedThreadPool(clientCount);
        for (int i = 0; i < clientCount; i++) {
            AtomicInteger mine = sentBy[i] = new AtomicInteger();
            failures.add(clients.submit(() -> load(port, mine)));
        }
    }

    /** Requests answered so far, by all clients. */
    int sent() {
        return sent.get();
    }

    /** Waits until the clients sent {@code more} requests beyond those sent now. */
    void awaitMore(int more) throws InterruptedException {
        awaitSent(sent, sent.get() + more);
    }

    /** Waits until each client finished two more requests than it had: whatever it had in flight is over. */
    void awaitEachClientDone() throws InterruptedException {
        for (AtomicInteger client : sentBy) {
            awaitSent(client, client.get() + 2);
        }
    }

    /** Stops the clients and returns the requests that did not get a 200. */
    List<String> stopAndFailures() throws Exception {
        stop.set(true);
        List<String> failed = new ArrayList<>();
        for (Future<List<String>> f : failures) {
            failed.addAll(f.get(PATIENCE_SECONDS, TimeUnit.SECONDS));
        }
        return failed;
    }

    @Override
    public void close() throws InterruptedException {
        stop.set(true);
        clients.shutdownNow();
        assertTrue(clients.awaitTermination(PATIENCE_SECONDS, TimeUnit.SECONDS));
    }

    private List<String> load(int port, AtomicInteger mine) throws Exception {
        List<String> failed = new ArrayList<>();
        RawClient client = RawClient.connect(port);
        try {
            for (int i = 0; i < MOST_REQUESTS && !stop.get(); i++) {
                RawClient.Reply reply = client.send(RawClient.get("/" + i)).readResponse();
                if (reply.status() != 200) {
                    failed.add("/" + i + " got " + reply.status());
                }
                sent.incrementAndGet();
                mine.incrementAndGet();
                if ("close".equalsIgnoreCase(reply.header("Connection"))) {
                    client.close(); // keepalive_requests reached: a client connects again, as browsers do
                    client = RawClient.connect(port);
                }
            }
        } finally {
            client.close();
        }
        return failed;
    }

    private static void awaitSent(AtomicInteger sent, int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(PATIENCE_SECONDS);
        while (sent.get() < count && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertTrue(sent.get() >= count, "the clients sent " + sent.get() + " of " + count);
    }
}
