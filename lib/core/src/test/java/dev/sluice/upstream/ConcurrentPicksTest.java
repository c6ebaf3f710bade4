package dev.sluice.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.upstream.NginxModel.Method;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Many threads pick, fail, retry and report on one group while another turns peers down and up and moves the
 * clock; afterwards every counter must add up, and the group must go on exactly as nginx would from the state
 * it was left in.
 */
class ConcurrentPicksTest {

    private static final int PEERS = 40;
    private static final int THREADS = 4;
    private static final int REQUESTS = 20_000;

    @ParameterizedTest
    @EnumSource(Method.class)
    void countersAddUpAndTheGroupStaysExact(Method method) throws Exception {
        AtomicLong clock = new AtomicLong(Duration.ofHours(1).toNanos());
        UpstreamGroup.Builder builder = UpstreamGroup.builder("busy").ticker(clock::get).balancer(method.balancer);
        SplittableRandom config = new SplittableRandom(method.ordinal());
        List<NginxModel.Peer> modelPeers = new ArrayList<>();
        for (int i = 0; i < PEERS; i++) {
            int weight = 1 + config.nextInt(5);
            int maxConns = config.nextInt(4) == 0 ? 1 + config.nextInt(3) : 0;
            String server = "10.0.0." + (i + 1) + ":80";
            builder.server(server, s -> s.weight(weight).maxFails(2).failTimeout(Duration.ofSeconds(1)).maxConns(maxConns));
            modelPeers.add(new NginxModel.Peer(i, i, server, weight, 2, 1, maxConns, 0, false));
        }
        UpstreamGroup group = builder.build();

        long[] picked = new long[THREADS];
        long[] failed = new long[THREADS];
        AtomicReference<Throwable> error = new AtomicReference<>();
        CyclicBarrier start = new CyclicBarrier(THREADS + 1);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            int id = t;
            threads.add(new Thread(() -> {
                try {
                    SplittableRandom rnd = new SplittableRandom(100 + id);
                    Selection selection = group.newSelection();
                    start.await();
                    for (int r = 0; r < REQUESTS; r++) {
                        selection.reset().hashKey("/k/" + rnd.nextInt(500)).clientAddress(new byte[] {10, 1, (byte) rnd.nextInt(256), 1});
                        for (PeerState peer = selection.select(); peer != null; peer = selection.select()) {
                            picked[id]++;
                            int o = rnd.nextInt(100);
                            Outcome outcome = o < 80 ? Outcome.SUCCESS : o < 95 ? Outcome.FAILURE : Outcome.NEUTRAL;
                            failed[id] += outcome == Outcome.FAILURE ? 1 : 0;
                            selection.report(outcome);
                            if (outcome == Outcome.SUCCESS || selection.triesLeft() == 0) {
                                break;
                            }
                        }
                    }
                } catch (Throwable e) {
                    error.compareAndSet(null, e);
                }
            }));
        }
        threads.forEach(Thread::start);
        start.await();
        SplittableRandom rnd = new SplittableRandom(99);
        while (threads.stream().anyMatch(Thread::isAlive)) {
            PeerState peer = group.peers().get(rnd.nextInt(PEERS));
            if (rnd.nextBoolean()) {
                peer.setDown(!peer.isDown());
            } else {
                peer.setHealthy(!peer.isHealthy());
            }
            peer.currentWeight();
            clock.addAndGet(Duration.ofMillis(rnd.nextInt(50)).toNanos());
            Thread.sleep(0, 200_000);
        }
        for (Thread thread : threads) {
            thread.join();
        }
        if (error.get() != null) {
            throw new AssertionError(error.get());
        }

        long currentWeights = 0;
        long requests = 0;
        long failures = 0;
        for (PeerState peer : group.peers()) {
            assertEquals(0, peer.activeConnections(), peer + " still has requests in flight");
            assertTrue(peer.effectiveWeight() >= 0 && peer.effectiveWeight() <= peer.peer().weight(), peer + " effective weight");
            currentWeights += peer.currentWeight();
            requests += peer.requests();
            failures += peer.failures();
        }
        assertEquals(0, currentWeights, "every smooth pass gives back what it added");
        assertEquals(java.util.Arrays.stream(picked).sum(), requests);
        assertEquals(java.util.Arrays.stream(failed).sum(), failures);
        if (method != Method.RANDOM && method != Method.RANDOM_TWO) {
            continueLikeNginx(method, group, modelPeers, clock);
        }
    }

    /** From the state the threads left, one request at a time, the group must pick as the model does. */
    private static void continueLikeNginx(Method method, UpstreamGroup group, List<NginxModel.Peer> modelPeers, AtomicLong clock) {
        clock.addAndGet(Duration.ofSeconds(5).toNanos());
        for (int i = 0; i < PEERS; i++) {
            PeerState peer = group.peers().get(i);
            NginxModel.Peer m = modelPeers.get(i);
            m.currentWeight = peer.currentWeight();
            m.effectiveWeight = peer.effectiveWeight();
            m.fails = peer.fails();
            m.down = peer.isDown();
            m.healthy = peer.isHealthy();
        }
        NginxModel model = new NginxModel(method, modelPeers, List.of(), new SplittableRandom(1));
        Selection selection = group.newSelection();
        SplittableRandom rnd = new SplittableRandom(5);
        for (int n = 0; n < 3000; n++) {
            byte[] key = ("/k/" + rnd.nextInt(500)).getBytes(StandardCharsets.US_ASCII);
            byte[] client = {10, 1, (byte) rnd.nextInt(256), 1};
            NginxModel.Request request = model.new Request();
            request.key = key;
            request.client = client;
            PeerState peer = selection.reset().hashKey(key, 0, key.length).clientAddress(client).select();
            NginxModel.Peer expected = request.get(clock.get());
            assertEquals(expected == null ? -1 : expected.id, group.peers().indexOf(peer), method + " pick " + n);
            if (peer != null) {
                selection.report(Outcome.SUCCESS);
                request.free(Outcome.SUCCESS, clock.get());
            }
        }
        for (int i = 0; i < PEERS; i++) {
            assertEquals(modelPeers.get(i).currentWeight, group.peers().get(i).currentWeight(), "current weight of " + i);
            assertEquals(modelPeers.get(i).effectiveWeight, group.peers().get(i).effectiveWeight(), "effective weight of " + i);
        }
    }
}
