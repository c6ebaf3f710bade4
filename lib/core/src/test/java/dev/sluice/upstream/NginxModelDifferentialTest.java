package dev.sluice.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.sluice.upstream.NginxModel.Method;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Drives a group and {@link NginxModel}, nginx's balancers written out peer by peer, through the same long random
 * scenarios and requires the same pick at every step and the same state of every peer after it: current and
 * effective weight, active requests, failures and how long a failed peer rests.
 *
 * <p>A scenario draws a configuration (1 to 300 peers, up to 40 for consistent hashing, whose rings take long to
 * build; weights 1 to 10, {@code max_fails}, {@code fail_timeout}, {@code max_conns}, down peers, backups for the
 * methods that take them, repeated server lines for consistent hashing, slow start in some runs), a failure rate
 * (from none, for long steady runs, to very high) and then a few thousand steps: requests that start, fail,
 * succeed or get passed on (NEUTRAL) and are retried on other peers while tries are left, many in flight at once;
 * the clock jumping past failure windows; peers turned down and up, unhealthy and healthy. A failing scenario
 * names its seed.
 */
class NginxModelDifferentialTest {

    @ParameterizedTest(name = "{0}: {1} scenarios of {2} steps, slow start: {3}")
    @CsvSource({
        "ROUND_ROBIN, 150, 2000, false",
        "LEAST_CONN, 150, 2000, false",
        "ROUND_ROBIN, 40, 2000, true",
        "LEAST_CONN, 40, 2000, true",
        "IP_HASH, 40, 1500, false",
        "HASH, 40, 1500, false",
        "CONSISTENT_HASH, 30, 1500, false",
        "RANDOM, 40, 1500, false",
        "RANDOM_TWO, 40, 1500, false",
    })
    void picksAndPeerStateMatchTheModel(Method method, int scenarios, int steps, boolean slowStart) {
        for (int i = 0; i < scenarios; i++) {
            long seed = method.ordinal() * 1_000_003L + i * 7919L + (slowStart ? 1 : 0);
            new Scenario(seed, method, slowStart).run(steps);
        }
    }

    /**
     * Keeps one group busy long enough for its cohorts to fold their steps into their keys a few times (see {@link
     * Cohort#REBASE_STEP}), with a failure now and then so that peers leave and rejoin the heaps.
     */
    @ParameterizedTest
    @EnumSource(value = Method.class, names = {"ROUND_ROBIN", "LEAST_CONN"})
    void longRunsStayExactAcrossStepRebasing(Method method) {
        int[] weights = {3, 1, 4, 1, 5, 9, 2, 6};
        ManualTicker ticker = new ManualTicker();
        UpstreamGroup.Builder builder = UpstreamGroup.builder("long").ticker(ticker)
                .balancer(method.balancer);
        List<NginxModel.Peer> modelPeers = new ArrayList<>();
        for (int i = 0; i < weights.length; i++) {
            int weight = weights[i];
            builder.server("10.0.0." + (i + 1) + ":80", s -> s.weight(weight).maxFails(2).failTimeout(Duration.ofSeconds(1)));
            modelPeers.add(new NginxModel.Peer(i, i, "10.0.0." + (i + 1) + ":80", weight, 2, 1, 0, 0, false));
        }
        UpstreamGroup group = builder.build();
        NginxModel model = new NginxModel(method, modelPeers, List.of(), new SplittableRandom(1));
        Selection selection = group.newSelection();
        long picks = 4 * Cohort.REBASE_STEP + 1000;
        for (long n = 0; n < picks; n++) {
            NginxModel.Request request = model.new Request();
            PeerState picked = selection.reset().select();
            NginxModel.Peer expected = request.get(ticker.nanos());
            assertEquals(expected.id, group.peers().indexOf(picked), method + " pick " + n);
            Outcome outcome = n % 9973 == 0 ? Outcome.FAILURE : Outcome.SUCCESS;
            selection.report(outcome);
            request.free(outcome, ticker.nanos());
            if (n % 97 == 0) {
                ticker.advance(Duration.ofMillis(50));
            }
            if (n % 1000 == 0 || n == picks - 1) {
                for (int i = 0; i < weights.length; i++) {
                    PeerState p = group.peers().get(i);
                    assertEquals(modelPeers.get(i).currentWeight, p.currentWeight(), method + " current weight of " + i + " after " + n);
                    assertEquals(modelPeers.get(i).effectiveWeight, p.effectiveWeight(), method + " effective weight of " + i + " after " + n);
                }
            }
        }
    }

    /** One random configuration and the requests against it, on both the group and the model. */
    private static final class Scenario {

        private final long seed;
        private final SplittableRandom rnd;
        private final Method method;
        private final ManualTicker ticker = new ManualTicker();
        private final UpstreamGroup group;
        private final NginxModel model;
        private final List<PeerState> peers;
        private final Map<PeerState, Integer> ids = new IdentityHashMap<>();
        private final int maxOpen;
        /** How often an attempt fails: never, rarely (long steady runs between failures) or often. */
        private final int failurePermille;
        private final List<Selection> idle = new ArrayList<>();
        private final List<Selection> open = new ArrayList<>();
        private final Map<Selection, NginxModel.Request> requests = new IdentityHashMap<>();
        private int step;

        Scenario(long seed, Method method, boolean slowStart) {
            this.seed = seed;
            this.rnd = new SplittableRandom(seed);
            this.method = method;
            int most = method == Method.CONSISTENT_HASH ? 40 : 300;
            int n = rnd.nextInt(20) == 0 ? 1 : 2 + rnd.nextInt(1 + rnd.nextInt(most - 1));
            int backups = (method == Method.ROUND_ROBIN || method == Method.LEAST_CONN) && rnd.nextInt(4) == 0 ? 1 + rnd.nextInt(4) : 0;
            long randomSeed = rnd.nextLong();
            UpstreamGroup.Builder builder = UpstreamGroup.builder("diff").ticker(ticker).random(new SplittableRandom(randomSeed))
                    .balancer(method.balancer);
            List<NginxModel.Peer> primary = new ArrayList<>();
            List<NginxModel.Peer> backup = new ArrayList<>();
            for (int id = 0; id < n + backups; id++) {
                boolean isBackup = id >= n;
                String server = method == Method.CONSISTENT_HASH && id > 0 && rnd.nextInt(5) == 0
                        ? primary.get(rnd.nextInt(primary.size())).server
                        : "10." + (id >> 8) + "." + (id & 0xff) + ".1:80";
                int weight = 1 + rnd.nextInt(10);
                int r = rnd.nextInt(20);
                int maxFails = r < 3 ? 0 : r < 13 ? 1 : 2 + rnd.nextInt(2);
                int failTimeout = rnd.nextInt(4);
                int maxConns = rnd.nextInt(10) < 7 ? 0 : 1 + rnd.nextInt(3);
                boolean down = rnd.nextInt(10) == 0;
                long slowStartNanos = slowStart && rnd.nextInt(3) == 0 ? Duration.ofMillis(500 + rnd.nextInt(4500)).toNanos() : 0;
                builder.server(server, s -> {
                    s.weight(weight).maxFails(maxFails).failTimeout(Duration.ofSeconds(failTimeout)).maxConns(maxConns);
                    if (down) {
                        s.down();
                    }
                    if (isBackup) {
                        s.backup();
                    }
                    if (slowStartNanos > 0) {
                        s.slowStart(Duration.ofNanos(slowStartNanos));
                    }
                });
                NginxModel.Peer peer = new NginxModel.Peer(id, isBackup ? id - n : id, server, weight, maxFails, failTimeout, maxConns, slowStartNanos, down);
                (isBackup ? backup : primary).add(peer);
            }
            this.group = builder.build();
            this.model = new NginxModel(method, primary, backup, new SplittableRandom(randomSeed));
            this.peers = group.peers();
            for (int i = 0; i < peers.size(); i++) {
                ids.put(peers.get(i), i);
            }
            this.maxOpen = 1 + rnd.nextInt(Math.min(40, 3 * n + 3));
            this.failurePermille = new int[] {0, 3, 20, 100, 400}[rnd.nextInt(5)];
        }

        void run(int steps) {
            for (step = 0; step < steps; step++) {
                int action = rnd.nextInt(100);
                if (action < 45) {
                    if (open.size() < maxOpen) {
                        start();
                    }
                } else if (action < 88) {
                    if (!open.isEmpty()) {
                        finish(open.remove(rnd.nextInt(open.size())));
                    }
                } else if (action < 94) {
                    long millis = rnd.nextInt(4) == 0 ? rnd.nextInt(5000) : rnd.nextInt(400);
                    ticker.advance(Duration.ofMillis(millis));
                } else if (action < 97) {
                    int i = rnd.nextInt(peers.size());
                    boolean down = !peers.get(i).isDown();
                    peers.get(i).setDown(down);
                    modelPeer(i).down = down;
                } else {
                    int i = rnd.nextInt(peers.size());
                    boolean healthy = !peers.get(i).isHealthy();
                    peers.get(i).setHealthy(healthy);
                    NginxModel.setHealthy(modelPeer(i), healthy, ticker.nanos());
                }
                if (peers.size() <= 40 || step % 16 == 0) {
                    comparePeers();
                }
            }
            while (!open.isEmpty()) {
                Selection s = open.remove(open.size() - 1);
                s.report(Outcome.SUCCESS);
                requests.get(s).free(Outcome.SUCCESS, ticker.nanos());
            }
            comparePeers();
            for (PeerState p : peers) {
                check(p.activeConnections() == 0, "requests still counted on " + p);
            }
        }

        private void start() {
            Selection s = idle.isEmpty() ? group.newSelection() : idle.remove(idle.size() - 1).reset();
            NginxModel.Request r = model.new Request();
            requests.put(s, r);
            if (rnd.nextInt(5) == 0) {
                int maxTries = 1 + rnd.nextInt(3);
                s.maxTries(maxTries);
                r.maxTries = maxTries;
            }
            if (rnd.nextInt(10) != 0) {
                byte[] key = ("/k/" + rnd.nextInt(200)).getBytes(StandardCharsets.US_ASCII);
                s.hashKey(key, 0, key.length);
                r.key = key;
            }
            int family = rnd.nextInt(10);
            byte[] client = new byte[family == 0 ? 0 : family == 1 ? 16 : 4];
            rnd.nextBytes(client);
            if (client.length == 4) {
                client[0] = 10;
                client[1] = (byte) rnd.nextInt(3);
            }
            s.clientAddress(client);
            r.client = client;
            select(s, r);
        }

        private void finish(Selection s) {
            NginxModel.Request r = requests.get(s);
            int o = rnd.nextInt(1000);
            Outcome outcome = o < failurePermille ? Outcome.FAILURE : o < failurePermille + 50 ? Outcome.NEUTRAL : Outcome.SUCCESS;
            s.report(outcome);
            r.free(outcome, ticker.nanos());
            check(s.triesLeft() == r.tries, "tries left " + s.triesLeft() + ", model " + r.tries);
            if (s.triesLeft() > 0 && rnd.nextInt(10) < 6) {
                select(s, r);
            } else {
                idle.add(s);
            }
        }

        private void select(Selection s, NginxModel.Request r) {
            PeerState picked = s.select();
            NginxModel.Peer expected = r.get(ticker.nanos());
            int got = picked == null ? -1 : ids.get(picked);
            int want = expected == null ? -1 : expected.id;
            check(got == want, "picked " + got + ", model picked " + want);
            if (picked != null) {
                comparePeer(got, ticker.nanos());
            }
            if (picked == null) {
                idle.add(s);
            } else {
                open.add(s);
            }
        }

        private NginxModel.Peer modelPeer(int id) {
            return id < model.primary.length ? model.primary[id] : model.backup[id - model.primary.length];
        }

        private void comparePeers() {
            long now = ticker.nanos();
            for (int i = 0; i < peers.size(); i++) {
                comparePeer(i, now);
            }
        }

        private void comparePeer(int i, long now) {
            PeerState p = peers.get(i);
            NginxModel.Peer m = modelPeer(i);
            {
                if (p.currentWeight() != m.currentWeight || p.effectiveWeight() != m.effectiveWeight
                        || p.activeConnections() != m.conns || p.fails() != m.fails
                        || p.requests() != m.requests || p.failures() != m.failures
                        || m.fails >= m.maxFails && p.unavailableFor().toNanos() != resting(m, now)) {
                    fail(where() + ": peer " + i + " is cw=" + p.currentWeight() + " ew=" + p.effectiveWeight()
                            + " conns=" + p.activeConnections() + " fails=" + p.fails() + " requests=" + p.requests()
                            + " failures=" + p.failures() + " resting=" + p.unavailableFor().toNanos()
                            + ", model cw=" + m.currentWeight + " ew=" + m.effectiveWeight + " conns=" + m.conns
                            + " fails=" + m.fails + " requests=" + m.requests + " failures=" + m.failures
                            + " resting=" + resting(m, now));
                }
            }
        }

        private static long resting(NginxModel.Peer m, long now) {
            if (m.maxFails == 0 || m.fails < m.maxFails) {
                return 0;
            }
            return Math.max(0, (m.checked + m.failTimeout + 1) * 1_000_000_000L - now);
        }

        private void check(boolean ok, String what) {
            if (!ok) {
                fail(where() + ": " + what);
            }
        }

        private String where() {
            return method + " scenario seed " + seed + " (" + peers.size() + " peers), step " + step;
        }
    }
}
