package dev.sluice.upstream;

/**
 * NGINX Plus's {@code least_time header | last_byte [inflight]}: the eligible peer with the least average response
 * time and the fewest active requests, relative to its weight; several peers on the same score share by smooth
 * weighted round robin among themselves, as {@code least_conn}'s ties do.
 *
 * <p>NGINX Plus does not publish its arithmetic; Sluice's, stated here:
 * <ul>
 * <li>A peer's time is an exponentially weighted moving average of its attempts' time to the response head
 *     ({@code header}) or to the response's last byte ({@code last_byte}), each new attempt weighing
 *     {@value #NEW_SAMPLE_WEIGHT_PERCENT}% ({@link PeerState#recordTimes}); attempts that failed before a response
 *     head do not count (their failures count against {@code max_fails}).</li>
 * <li>Score: time × (active requests + 1) ÷ weight, lowest wins. A peer not measured yet counts as fast as the
 *     fastest measured peer, so that a new peer is neither flooded (it is not "zero") nor starved.</li>
 * <li>A slow average fades: its excess over the fastest peer's halves for every {@value #HALF_LIFE_SECONDS} s
 *     without a new measurement, so that a peer that was slow once gets a request again, and its average is
 *     renewed, instead of being starved for good once the others are faster: with other requests in flight as
 *     soon as its faded time beats their score, and with one request at a time within a minute (200 ms slower
 *     fades to nothing after 28 half-lives).</li>
 * <li>{@code inflight}: a peer's time is at least the mean age of its requests still in flight, so a peer whose
 *     requests hang looks as slow as they are old before any of them ends.</li>
 * </ul>
 */
final class LeastTime implements Balancer.LeastTimeBalancer {

    static final int NEW_SAMPLE_WEIGHT_PERCENT = 25;
    static final int HALF_LIFE_SECONDS = 2;
    private static final long HALF_LIFE_NANOS = HALF_LIFE_SECONDS * 1_000_000_000L;

    static final LeastTime HEADER = new LeastTime(true, false);
    static final LeastTime LAST_BYTE = new LeastTime(false, false);
    private static final LeastTime HEADER_INFLIGHT = new LeastTime(true, true);
    private static final LeastTime LAST_BYTE_INFLIGHT = new LeastTime(false, true);

    private final boolean header;
    private final boolean inflight;

    private LeastTime(boolean header, boolean inflight) {
        this.header = header;
        this.inflight = inflight;
    }

    @Override
    public Balancer inflight() {
        return header ? HEADER_INFLIGHT : LAST_BYTE_INFLIGHT;
    }

    /** Whether the group must track the start of each attempt in flight, for {@code inflight}. */
    boolean tracksInflight() {
        return inflight;
    }

    @Override
    public Picker newPicker(PeerList peers) {
        Tier tier = peers.tier;
        PeerState[] best = new PeerState[tier.size()];
        return selection -> pick(tier, selection, best);
    }

    @Override
    public boolean supportsBackup() {
        return true;
    }

    @Override
    public boolean supportsSlowStart() {
        return true;
    }

    private PeerState pick(Tier tier, Selection selection, PeerState[] best) {
        if (tier.single) {
            return RoundRobin.pick(tier, selection);
        }
        long fastest = Long.MAX_VALUE;
        for (PeerState peer : tier.peers) {
            long time = measured(peer);
            if (time >= 0 && time < fastest && selection.isEligible(peer)) {
                fastest = time;
            }
        }
        if (fastest == Long.MAX_VALUE) {
            fastest = 0;
        }
        long now = selection.nowNanos();
        double bestScore = Double.MAX_VALUE;
        int count = 0;
        for (PeerState peer : tier.peers) {
            if (!selection.isEligible(peer)) {
                continue;
            }
            double score = (double) time(peer, fastest, now) * (peer.conns + 1) / peer.weight;
            if (score < bestScore) {
                bestScore = score;
                count = 0;
            }
            if (score == bestScore) {
                best[count++] = peer;
            }
        }
        if (count <= 1) {
            return count == 0 ? null : best[0];
        }
        return tier.rotation.passAmong(best, count, selection);
    }

    @Override
    public String toString() {
        return "least_time " + (header ? "header" : "last_byte") + (inflight ? " inflight" : "");
    }

    private long measured(PeerState peer) {
        return header ? peer.headerTime : peer.responseTime;
    }

    private long time(PeerState peer, long fastest, long now) {
        long time = measured(peer);
        if (time < 0) {
            time = fastest;
        } else if (time > fastest) {
            long halvings = (now - peer.timedAt) / HALF_LIFE_NANOS;
            time = halvings >= 63 ? fastest : fastest + ((time - fastest) >> halvings);
        }
        if (inflight && peer.conns > 0) {
            long meanAge = (peer.conns * now - peer.inflightStarts) / peer.conns;
            time = Math.max(time, meanAge);
        }
        return time;
    }
}
