package dev.sluice.upstream;

import static dev.sluice.upstream.Picks.server;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ConcurrencyTest {

    static List<Balancer> balancers() {
        return List.of(Balancer.roundRobin(), Balancer.leastConn(), Balancer.ipHash(), Balancer.hash(),
                Balancer.hash().consistent(), Balancer.random(), Balancer.randomTwo());
    }

    @ParameterizedTest
    @MethodSource("balancers")
    void twoThreadsPickingAndReportingLeaveEveryCounterConsistent(Balancer balancer) throws Exception {
        UpstreamGroup.Builder b = UpstreamGroup.builder("c").balancer(balancer);
        for (int i = 0; i < 6; i++) {
            int w = i + 1;
            b.server(server(i), s -> s.weight(w).maxFails(0));
        }
        UpstreamGroup group = b.build();
        int threads = 2;
        int requestsPerThread = 20_000;
        AtomicLong picks = new AtomicLong();
        AtomicLong failures = new AtomicLong();
        CountDownLatch done = new CountDownLatch(threads);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread worker = new Thread(() -> {
                Selection selection = group.newSelection();
                ThreadLocalRandom random = ThreadLocalRandom.current();
                byte[] client = new byte[4];
                for (int i = 0; i < requestsPerThread; i++) {
                    random.nextBytes(client);
                    selection.reset().clientAddress(client).hashKey("/k/" + random.nextInt(1000));
                    PeerState peer = selection.select();
                    picks.incrementAndGet();
                    boolean fail = random.nextInt(10) == 0;
                    if (fail) {
                        failures.incrementAndGet();
                    }
                    selection.report(fail ? Outcome.FAILURE : Outcome.SUCCESS);
                    if (peer == null) {
                        throw new AssertionError("no peer with max_fails=0");
                    }
                }
                done.countDown();
            });
            workers.add(worker);
            worker.start();
        }
        boolean finished = done.await(60, TimeUnit.SECONDS);
        for (Thread worker : workers) {
            worker.join(1000);
        }
        assertEquals(true, finished, "workers finished in time");
        long requests = 0;
        long failed = 0;
        for (PeerState peer : group.peers()) {
            assertEquals(0, peer.activeConnections(), peer.name());
            requests += peer.requests();
            failed += peer.failures();
        }
        assertEquals(picks.get(), requests);
        assertEquals(failures.get(), failed);
    }

    @Test
    void twoLoopsPickingOnTheirOwnCopiesWhileTheGroupChangesLoseNoCountAndNeverDeadlock() throws Exception {
        UpstreamGroup group = UpstreamGroup.builder("c").resolver(Resolver.none())
                .server(server(0), s -> s.weight(2).maxFails(0))
                .server(server(1), s -> s.maxFails(0))
                .build();
        List<PeerState> everyPeer = new ArrayList<>(group.peers());
        AtomicLong picks = new AtomicLong();
        CountDownLatch done = new CountDownLatch(3);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            int loop = t;
            threads.add(new Thread(() -> {
                Selection selection = group.newSelection(loop);
                for (int i = 0; i < 20_000; i++) {
                    if (selection.reset().select() != null) {
                        picks.incrementAndGet();
                        selection.report(i % 7 == 0 ? Outcome.FAILURE : Outcome.SUCCESS);
                    }
                }
                done.countDown();
            }));
        }
        threads.add(new Thread(() -> {
            PeerState first = group.peers().get(0);
            for (int i = 0; i < 300; i++) {
                first.setDown(i % 2 == 0);
                group.changeServer(first.id(), s -> s.weight(1 + (first.peer().weight() % 3)));
                List<PeerState> added = group.addServer(server(2), s -> s.maxFails(0));
                synchronized (everyPeer) {
                    everyPeer.addAll(added);
                }
                group.removeServer(added.get(0).id());
            }
            first.setDown(false);
            done.countDown();
        }));
        threads.forEach(Thread::start);
        boolean finished = done.await(60, TimeUnit.SECONDS);
        for (Thread thread : threads) {
            thread.join(1000);
        }

        assertEquals(true, finished, "every thread finished in time: no deadlock between the group's and a copy's lock");
        long requests = 0;
        for (PeerState peer : everyPeer) {
            assertEquals(0, peer.activeConnections(), peer.name());
            requests += peer.requests();
        }
        assertEquals(picks.get(), requests, "every pick counted once, in whichever loop and membership it was");
    }

    @Test
    void everyPeerItsSourceTerminatesWhileTwoLoopsPickLeavesOnceTheirRequestsEnd() throws Exception {
        String line = "api.test:8080";
        InetAddress first = InetAddress.getByName("10.2.0.1");
        UpstreamGroup group = UpstreamGroup.builder("c").resolver(host -> List.of(first))
                .server(server(0), s -> s.maxFails(0)).server(line, s -> s.maxFails(0))
                .build();
        List<PeerState> drained = new ArrayList<>();
        AtomicLong loopsRunning = new AtomicLong(2);
        List<Thread> loops = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            int loop = t;
            loops.add(new Thread(() -> {
                Selection selection = group.newSelection(loop);
                for (int i = 0; i < 200_000 && (i < 1_000 || loopsRunning.get() > 0); i++) {
                    if (selection.reset().select() != null) {
                        selection.report(Outcome.SUCCESS);
                    }
                }
            }));
        }
        loops.forEach(Thread::start);
        for (int i = 0; i < 200; i++) {
            InetSocketAddress address = new InetSocketAddress(InetAddress.getByAddress(new byte[] {10, 1, 0, (byte) i}),
                    8080);
            Endpoint endpoint = Endpoint.ready(address);
            PeerState added = group.updateEndpoints(line, List.of(endpoint), Set.of()).stream()
                    .filter(peer -> peer.address().equals(address)).findFirst().orElseThrow();
            Thread.onSpinWait();
            group.updateEndpoints(line, List.of(endpoint.withCondition(Endpoint.Condition.TERMINATING)), Set.of());
            drained.add(added);
        }
        loopsRunning.set(0);
        for (Thread loop : loops) {
            loop.join(30_000);
        }

        for (PeerState peer : drained) {
            assertEquals(0, peer.activeConnections(), peer.name());
            assertEquals(true, peer.isRemoved(), "peer " + peer.id() + " left once no loop had a request on it");
        }
        assertEquals(2, group.peers().size(), "the static line's peer and the source's first one");
    }

    @Test
    void roundRobinSharesStayExactUnderTwoThreads() throws Exception {
        UpstreamGroup group = UpstreamGroup.builder("c")
                .server(server(0), s -> s.weight(3)).server(server(1), s -> s.weight(1))
                .build();
        Thread[] workers = new Thread[2];
        for (int t = 0; t < 2; t++) {
            workers[t] = new Thread(() -> {
                Selection selection = group.newSelection();
                for (int i = 0; i < 10_000; i++) {
                    selection.reset().select();
                    selection.report(Outcome.SUCCESS);
                }
            });
            workers[t].start();
        }
        for (Thread worker : workers) {
            worker.join(30_000);
        }
        assertEquals(15_000, group.peers().get(0).requests());
        assertEquals(5_000, group.peers().get(1).requests());
    }
}
