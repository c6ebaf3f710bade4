package dev.sluice.upstream;

import java.net.SocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;

/**
 * A named group of peers and the method that balances requests among them: nginx's {@code upstream NAME { ... }}
 * block. Immutable in its configuration; the live state of each peer is in its {@link PeerState}.
 *
 * <pre>{@code
 * UpstreamGroup backend = UpstreamGroup.builder("backend")
 *     .balancer(Balancer.leastConn())
 *     .server("10.0.0.1:8080", s -> s.weight(3).maxFails(3).failTimeout(Duration.ofSeconds(30)))
 *     .server("10.0.0.2:8080")
 *     .server("10.0.0.3:8080", s -> s.backup())
 *     .build();
 * }</pre>
 *
 * <p>Requests pick peers through a {@link Selection} from {@link #newSelection()}. Picks and reports from any
 * number of threads are serialised by one lock per group, as nginx serialises them with its upstream zone's
 * lock, so every counter stays consistent.
 *
 * <p>A proxy's event loops pick through {@link #newSelection(int)} instead: by default each loop balances with its
 * own copy of the peers' balancing state (current and effective weights, active requests, failures), as each nginx
 * worker does with an upstream block that has no {@code zone}, so that loops never wait for one another or share
 * a cache line. {@link Builder#sharedState()} gives every loop the one shared state instead, as {@code zone} does.
 * Either way, the group's {@link #peers()} show the whole group (requests and responses added up over the loops),
 * and every change at run time (a peer set down, a server added, drained or removed) reaches every loop.
 */
public final class UpstreamGroup {

    final Object lock = new Object();
    /** The group users see: this one, or the group whose state this event loop's copy keeps for itself. */
    final UpstreamGroup origin;
    /** The event loop this copy is for, numbered from 0; -1 for the group itself. */
    final int loop;
    /** The loops' own copies of the balancing state; null when every loop shares this one, and in a copy. */
    private final LoopCopies copies;
    /** What the builder was told, checked; the same for the group and its loops' copies. */
    final GroupSettings settings;
    final String name;
    final Balancer balancer;
    final Ticker ticker;
    /** The ticker as the holder of {@link #lock} reads it. */
    final Now now;
    final RandomGenerator random;
    /** The tiers, their pickers and the peers; replaced under the lock when the membership changes. */
    volatile Membership members;
    private final boolean byLoad;
    /** The changes of the peers at run time, and the server lines they follow. */
    final MembershipChanges changes = new MembershipChanges(this);
    /** Whether selections add up the start of each attempt in flight per peer, for {@code least_time inflight}. */
    final boolean tracksInflight;
    /** What NGINX Plus's {@code sticky} values find; null without sticky, and in a copy. */
    private final StickyPeers stickyPeers;
    /** NGINX Plus's {@code queue}, or null; always null in a copy. */
    final RequestQueue queue;
    private final Keepalive keepalive;
    private final boolean ntlm;
    private final Sticky sticky;

    /** The group {@code settings} describe, with a peer per address of each server line. */
    private UpstreamGroup(GroupSettings settings) {
        this(settings, null, -1, settings.random);
        rebuild(settings.firstPeers(changes.lines));
        if (!settings.stateRead) { // a state file read just now holds this very list
            saveState();
        }
    }

    /**
     * Event loop {@code loop}'s copy of {@code origin}'s balancing state: a group of the same configuration whose
     * peers are twins of the origin's (see {@link LoopCopies}). Origin's lock held.
     */
    private UpstreamGroup(UpstreamGroup origin, int loop) {
        this(origin.settings, origin, loop, origin.random instanceof RandomGenerator.SplittableGenerator splittable
                ? splittable.split() : new SplittableRandom(origin.random.nextLong()));
        List<PeerState> twins = new ArrayList<>();
        for (PeerState original : origin.members.peers) {
            twins.add(original.newTwin(this));
        }
        rebuild(twins);
    }

    /** The fields of the group ({@code origin} null) or of a loop's copy of {@code origin}, without peers yet. */
    private UpstreamGroup(GroupSettings settings, UpstreamGroup origin, int loop, RandomGenerator random) {
        this.origin = origin == null ? this : origin;
        this.loop = loop;
        this.settings = settings;
        this.name = settings.name;
        this.balancer = settings.balancer;
        this.ticker = settings.ticker;
        this.now = new Now(ticker);
        this.random = random;
        this.keepalive = settings.keepalive;
        this.ntlm = settings.ntlm;
        this.sticky = settings.sticky;
        this.queue = origin != null || settings.queueSize == 0 ? null : new RequestQueue(settings.queueSize);
        this.stickyPeers = origin != null || sticky == null ? null : new StickyPeers(sticky, ticker);
        this.byLoad = balancer instanceof LeastConn;
        this.tracksInflight = balancer instanceof LeastTime && ((LeastTime) balancer).tracksInflight();
        this.copies = origin != null || settings.sharedState || queue != null ? null : new LoopCopies(this);
    }

    /** Event loop {@code loop}'s copy of this group's state. Lock held. */
    UpstreamGroup newCopy(int loop) {
        return new UpstreamGroup(this, loop);
    }

    /** A new membership of {@code list}, and the sticky index of it; the loops' copies follow. Lock held, or not
     * yet shared. */
    void rebuild(List<PeerState> list) {
        members = new Membership(list, balancer, now, byLoad);
        if (stickyPeers != null) {
            stickyPeers.index(members.peers);
        }
        copiesFollow();
    }

    /** Each loop's copy takes this group's peers as they are now. Lock held. */
    void copiesFollow() {
        if (copies != null) {
            copies.follow();
        }
    }

    /**
     * This group's own peer for {@code peer}, a peer of this group or of its origin or of one of the origin's copies;
     * null when it is of another group or has no twin here (it left before this copy was made).
     */
    PeerState own(PeerState peer) {
        PeerState original = peer.original;
        if (original.group != origin) {
            return null;
        }
        return loop < 0 ? original : original.family.twin(loop);
    }

    /** Whether no request is in flight to {@code original}, in this group or any loop's copy. Lock held. */
    boolean idle(PeerState original) {
        return original.conns == 0 && (copies == null || copies.idle(original));
    }

    /** Hands the server list to the state file, if the group has one, to be written off this thread. Lock held. */
    void saveState() {
        if (origin == this && settings.state != null) {
            settings.state.save(name, members.peers);
        }
    }

    /** Starts a group named {@code name}, as {@code upstream NAME}. */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** The group's name, which nginx also writes in {@code $upstream_addr} when no peer is live. */
    public String name() {
        return name;
    }

    /** The balancing method. */
    public Balancer balancer() {
        return balancer;
    }

    /**
     * NGINX Plus's API {@code POST .../servers}: adds a server line at run time, one peer per address its name
     * resolves to (with the group's {@link Builder#resolver resolver}, so this may block on a look-up: call it off
     * the event loops). The balancer starts again from the new membership, as nginx's round robin does (every
     * current weight 0); requests in flight are not disturbed.
     *
     * @return the new peers, with their ids
     * @throws IllegalArgumentException for a parameter the balancing method does not support, or a name that
     *     does not resolve
     */
    public List<PeerState> addServer(String address, Consumer<Peer.Builder> parameters) {
        return changes.addServer(address, parameters);
    }

    /**
     * Sets the endpoints server line {@code server} (its address or name as written) stands for now, a complete
     * snapshot from its discovery source (a DNS answer, a Kubernetes Service's EndpointSlices): an endpoint listed and
     * ready joins as a peer with the line's parameters (and the endpoint's weight, if it gives one) or keeps its
     * peer's state; a terminating one drains; one not ready, or no longer listed, leaves (its requests in flight end
     * normally). The balancer starts again from the new membership when it changed, as after {@link #addServer}; an
     * empty snapshot leaves the line without peers until the next one.
     *
     * @return the line's peers after the change
     * @throws IllegalArgumentException when the group has no server line {@code server}
     */
    public List<PeerState> setEndpoints(String server, Collection<Endpoint> endpoints) {
        return changes.setEndpoints(server, List.copyOf(endpoints));
    }

    /**
     * Changes some endpoints of server line {@code server}, as a discovery source that sends deltas announces them:
     * each of {@code changed} as {@link #setEndpoints} treats a listed endpoint, each address of {@code removed}
     * leaving; the line's other peers stay as they are.
     *
     * @return the line's peers after the change
     * @throws IllegalArgumentException when the group has no server line {@code server}
     */
    public List<PeerState> updateEndpoints(String server, Collection<Endpoint> changed,
            Collection<? extends SocketAddress> removed) {
        return changes.updateEndpoints(server, List.copyOf(changed), Set.copyOf(removed));
    }

    /**
     * Tells {@code listener} of each peer that starts to drain or leaves the group from now on, once, on the thread
     * that made the change, after it: a proxy closes the idle connections such a peer keeps in its pools. Keep it
     * short and never blocking. Closing what it returns stops the telling.
     */
    public AutoCloseable whenPeersLeave(Consumer<PeerState> listener) {
        return changes.whenPeersLeave(Objects.requireNonNull(listener, "listener"));
    }

    /**
     * NGINX Plus's API {@code PATCH .../servers/ID}: changes the parameters of peer {@code id} (weight, max_fails,
     * fail_timeout, max_conns, slow_start, down, backup, route), starting from its current ones; the balancer
     * starts again from the new membership. Requests in flight are not disturbed.
     *
     * @return the peer, or null when the group has no peer {@code id}
     * @throws IllegalArgumentException for a parameter the balancing method does not support
     */
    public PeerState changeServer(int id, Consumer<Peer.Builder> changes) {
        PeerState state = peer(id);
        return state == null ? null : this.changes.changeServer(state, changes);
    }

    /**
     * NGINX Plus's API {@code DELETE .../servers/ID}: removes peer {@code id} now; requests in flight to it end
     * normally. Returns false when the group has no peer {@code id}.
     */
    public boolean removeServer(int id) {
        return changes.removeServer(id);
    }

    /**
     * NGINX Plus's {@code drain}: peer {@code id} gets only the requests bound to it (a sticky session, an ntlm
     * connection) from now until it is removed ({@link #removeServer}), once its sessions are over. Returns false
     * when the group has no peer {@code id}.
     */
    public boolean drainServer(int id) {
        return changes.drainServer(id);
    }

    /** Every server line, as configured and then added at run time; a line's peers share its {@link Peer}. */
    public List<Peer> servers() {
        return changes.servers();
    }

    /** How the group turns server names into addresses. */
    public Resolver resolver() {
        return settings.resolver;
    }

    /** The peer with id {@code id}, or null. */
    public PeerState peer(int id) {
        return members.peer(id);
    }

    /** Every peer: the primary ones in configuration order, then the backups; peers added at run time last. */
    public List<PeerState> peers() {
        return members.peers;
    }

    /** How idle connections to this group's peers are kept for reuse. */
    public Keepalive keepalive() {
        return keepalive;
    }

    /** The time source this group reads for {@code fail_timeout} and {@code slow_start}. */
    public Ticker ticker() {
        return ticker;
    }

    /** The active health checks of the group's peers, or null when it has none. */
    public HealthCheck healthCheck() {
        return settings.healthCheck;
    }

    /** Whether NTLM-authenticated upstream connections stay with their client connection ({@code ntlm}). */
    public boolean ntlm() {
        return ntlm;
    }

    /** Session persistence ({@code sticky}), or null when the group has none. */
    public Sticky sticky() {
        return sticky;
    }

    /**
     * The peer a request's sticky value binds it to, or null: for {@code cookie} the value is a peer's {@link
     * PeerState#stickyId()}, for {@code route} a route name (or something ending in {@code .route}), for {@code
     * learn} a session learned with {@link #learnSession}. The caller still checks that the peer is eligible: {@link
     * Selection#prefer(PeerState)} does.
     */
    public PeerState stickyPeer(String value) {
        return stickyPeers == null || value.isEmpty() ? null : stickyPeers.peer(value);
    }

    /** {@code sticky learn}: session {@code value}, set by {@code peer}'s response, binds later requests to it. */
    public void learnSession(String value, PeerState peer) {
        if (stickyPeers != null && !value.isEmpty()) {
            stickyPeers.learn(value, peer.original);
        }
    }

    /** How long a request may wait in the {@link Builder#queue queue}; zero when the group has none. */
    public Duration queueTimeout() {
        return queue == null ? Duration.ZERO : settings.queueTimeout;
    }

    /**
     * NGINX Plus's API {@code DELETE .../upstreams/NAME}: sets the statistics of every peer (requests, responses,
     * bytes, failures, health checks counted, down time) and the queue's overflows back to none; what the peers are
     * doing now, and the time averages {@code least_time} picks by, stay.
     */
    public void resetStatistics() {
        for (PeerState peer : peers()) {
            peer.resetStatistics();
        }
        if (queue != null) {
            synchronized (lock) {
                queue.overflows = 0;
            }
        }
    }

    /** NGINX Plus's {@code queue} object of the group: requests waiting now, the limit, and how many found it full. */
    public Optional<QueueStatus> queueStatus() {
        if (queue == null) {
            return Optional.empty();
        }
        synchronized (lock) {
            return Optional.of(new QueueStatus(queue.size(), queue.maxSize, queue.overflows));
        }
    }

    /**
     * A snapshot of a group's queue, in NGINX Plus's API terms.
     *
     * @param size requests waiting
     * @param maxSize the most that may wait
     * @param overflows requests refused because the queue was full
     */
    public record QueueStatus(int size, int maxSize, long overflows) {
    }

    /** Admits the first request in the queue, if there is one, after a peer came back. Lock held. */
    Selection admitFromQueue() {
        return queue == null ? null : queue.admitFirst();
    }

    /**
     * A new selection for one request at a time, on the group's shared state; keep it and {@link Selection#reset()}
     * it for the next one.
     */
    public Selection newSelection() {
        return new Selection(this, ticker);
    }

    /**
     * A new selection for the requests of event loop {@code loop} (numbered from 0), one request at a time. With
     * per-loop state (the default) it picks from that loop's own copy of the balancing state, made at the first
     * such call, under that copy's own lock: threads that share a number share its copy and wait for each other,
     * so give each thread that picks its own number. With {@link Builder#sharedState() shared state} it is {@link
     * #newSelection()}.
     */
    public Selection newSelection(int loop) {
        return newSelection(loop, ticker);
    }

    /**
     * {@link #newSelection(int)} for a loop that keeps its own reading of this group's {@link #ticker()}, taken once
     * per turn of the loop, as nginx's workers read {@code ngx_current_msec}: the selection's picks and reports read
     * {@code turnClock} instead of the ticker (a system clock read costs more than a pick). {@code turnClock} must
     * give earlier readings of this group's ticker, taken on the thread that uses the selection; the group's time
     * never goes back for one that lags.
     */
    public Selection newSelection(int loop, Ticker turnClock) {
        if (loop < 0) {
            throw new IllegalArgumentException("loop must not be negative: " + loop);
        }
        Objects.requireNonNull(turnClock, "turnClock");
        return new Selection(copies == null ? this : copies.of(loop), turnClock);
    }

    /** Whether every event loop picks from this group's one shared state ({@link Builder#sharedState()}). */
    public boolean sharesState() {
        return copies == null;
    }

    @Override
    public String toString() {
        return "upstream " + name + " " + members.peers;
    }

    /** Builds an {@link UpstreamGroup}; {@link #build()} checks the whole configuration and names what is wrong. */
    public static final class Builder {

        private final GroupSettings settings;

        private Builder(String name) {
            this.settings = new GroupSettings(name);
        }

        /** The balancing method; default {@link Balancer#roundRobin()}, as nginx. */
        public Builder balancer(Balancer balancer) {
            settings.balancer = Objects.requireNonNull(balancer, "balancer");
            return this;
        }

        /** Adds {@code server ADDRESS;} with nginx's default parameters. */
        public Builder server(String address) {
            return server(address, s -> { });
        }

        /** Adds {@code server ADDRESS ...;}, its parameters set by {@code parameters}. */
        public Builder server(String address, Consumer<Peer.Builder> parameters) {
            Objects.requireNonNull(parameters, "parameters");
            settings.addLine(Peer.builder(address), parameters);
            return this;
        }

        /**
         * Adds a server line named {@code name} whose peers are the endpoints {@code source} announces while a proxy
         * with a route to this group runs (see {@link EndpointSource}), each with the line's parameters as set by
         * {@code parameters}. The line starts without peers. Not with a {@link #stateFile state file}.
         */
        public Builder discover(String name, EndpointSource source, Consumer<Peer.Builder> parameters) {
            Objects.requireNonNull(parameters, "parameters");
            settings.addLine(Peer.discovered(name, source), parameters);
            return this;
        }

        /** {@link #discover(String, EndpointSource, Consumer)} with nginx's default parameters. */
        public Builder discover(String name, EndpointSource source) {
            return discover(name, source, s -> { });
        }

        /**
         * {@code health_check}: a proxy with a route to this group checks its peers actively and sends requests
         * only to the healthy ones (see {@link HealthCheck}); a group that only a handler chooses is not checked.
         * None by default: only failed requests count against a peer.
         */
        public Builder healthCheck(HealthCheck check) {
            settings.healthCheck = Objects.requireNonNull(check, "healthCheck");
            return this;
        }

        /**
         * NGINX Plus's {@code state FILE}: the server list lives in {@code file}, as {@code server ADDRESS
         * [parameters];} lines, one per peer. When the file exists, its servers replace the ones given to this
         * builder (and may be none: the group then starts empty); when it does not, it is written from them. Every
         * change at run time (a server added, changed, drained away or removed, a peer set down or up) writes it again,
         * atomically (a temporary file beside it, forced to the disk and renamed over it), off the caller's thread.
         * A line {@link #build()} cannot read is an error naming the file and the line. None by default.
         */
        public Builder stateFile(Path file) {
            settings.state = new StateFile(Objects.requireNonNull(file, "file"));
            return this;
        }

        /**
         * NGINX Plus's {@code ntlm}: once a client connection sends a request with {@code Authorization: NTLM ...}
         * or {@code Negotiate ...}, the upstream connection that carried it stays with that client connection: its
         * later requests go to the same peer on the same connection, no other client ever gets it, and it closes
         * with the client connection (or when the peer closes it). Needs upstream keepalive, as NGINX Plus; off by
         * default.
         */
        public Builder ntlm() {
            settings.ntlm = true;
            return this;
        }

        /**
         * nginx's {@code zone}: every event loop picks from one shared balancing state, so that the weights, active
         * requests and failures each peer has are the whole proxy's, at the cost of a lock all loops take for each
         * pick. By default each loop keeps its own copy, as each nginx worker does without a zone: smooth round
         * robin's sequence, {@code least_conn}'s counts, {@code max_fails} and {@code max_conns} then hold per loop.
         * A group with a {@link #queue} always shares its state, as NGINX Plus needs a zone for one.
         */
        public Builder sharedState() {
            settings.sharedState = true;
            return this;
        }

        /** NGINX Plus's {@code sticky}: session persistence (see {@link Sticky}); none by default. */
        public Builder sticky(Sticky sticky) {
            settings.sticky = Objects.requireNonNull(sticky, "sticky");
            return this;
        }

        /** NGINX Plus's {@code queue N}: as {@link #queue(int, Duration)} with its default timeout of 60 s. */
        public Builder queue(int maxSize) {
            return queue(maxSize, Duration.ofSeconds(60));
        }

        /**
         * NGINX Plus's {@code queue N timeout=T}: a request that finds no peer free for its first attempt (all at
         * {@code max_conns}, down, unhealthy or failed) waits, first come first served, for one to become free,
         * instead of failing at once; when {@code maxSize} requests wait already, or after {@code timeout}, it gets
         * 502, NGINX Plus's status for both. A retry after a failed attempt does not queue. None by default.
         */
        public Builder queue(int maxSize, Duration timeout) {
            settings.queue(maxSize, timeout);
            return this;
        }

        /** Upstream keepalive: {@code keepalive}, {@code keepalive_requests}, {@code keepalive_time}, {@code
         * keepalive_timeout}; nginx's current defaults unless set. */
        public Builder keepalive(Consumer<Keepalive.Builder> options) {
            Keepalive.Builder k = new Keepalive.Builder();
            options.accept(k);
            settings.keepalive = k.build();
            return this;
        }

        /**
         * Resolves server names to addresses at {@link #build()}, one peer per address, as nginx resolves them when
         * it reads its configuration; default {@link Resolver#system()}, so {@code build()} may block on a look-up
         * (build groups off the event loops). {@link Resolver#none()} keeps each name a single unresolved peer: a
         * unit test of balancing needs no DNS, but a proxy cannot start with such a group.
         */
        public Builder resolver(Resolver resolver) {
            settings.resolver = Objects.requireNonNull(resolver, "resolver");
            return this;
        }

        /** The time source for failure windows and slow start; default {@link Ticker#system()}. Tests inject one
         * they move by hand. */
        public Builder ticker(Ticker ticker) {
            settings.ticker = Objects.requireNonNull(ticker, "ticker");
            return this;
        }

        /** The random source of {@code random} balancing; only used under the group's lock, so it need not be
         * thread-safe. Tests inject a seeded one. */
        public Builder random(RandomGenerator random) {
            settings.random = Objects.requireNonNull(random, "random");
            return this;
        }

        /**
         * Checks the configuration and builds the group.
         *
         * @throws IllegalArgumentException naming the problem: no servers, only backup servers, or a parameter
         *     the balancing method does not support
         */
        public UpstreamGroup build() {
            return new UpstreamGroup(settings.checked());
        }
    }
}
