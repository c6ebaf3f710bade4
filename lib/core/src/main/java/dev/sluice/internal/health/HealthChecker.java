package dev.sluice.internal.health;

import dev.sluice.UpstreamTls;
import dev.sluice.internal.net.EventLoop;
import dev.sluice.internal.net.EventLoopGroup;
import dev.sluice.internal.net.NanoClock;
import dev.sluice.internal.net.Timeout;
import dev.sluice.internal.tls.TlsClient;
import dev.sluice.observe.ExchangeListener;
import dev.sluice.upstream.PeerState;
import dev.sluice.upstream.UpstreamGroup;
import java.nio.channels.spi.SelectorProvider;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the active health checks of the groups that have one ({@link UpstreamGroup#healthCheck()}): one {@link
 * PeerProbe} per peer, all on one event loop of their own, so that checks never wait behind requests nor requests
 * behind checks. A peer of a {@code mandatory} check is unhealthy from the moment it joins until its first check
 * passes. A
 * change of health is logged and told to the listeners. A group that several proxies serve is checked once, by the
 * first of them to start, while it runs. A group that a route speaks TLS to is checked in TLS with that route's
 * settings (the first such route's), as nginx's {@code health_check} uses its location's {@code proxy_ssl_*}.
 */
public final class HealthChecker implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(HealthChecker.class);
    /** The groups being checked, each by its checker. Guarded by itself. */
    private static final Map<UpstreamGroup, HealthChecker> CHECKING = new IdentityHashMap<>();

    private final EventLoopGroup loops;
    private final List<ExchangeListener> listeners;

    private HealthChecker(EventLoopGroup loops, List<ExchangeListener> listeners) {
        this.loops = loops;
        this.listeners = listeners;
    }

    /**
     * Starts checking the peers of every group of {@code groups} that has a health check, in TLS for a group of
     * {@code tls}; with none, starts nothing. Channels come from {@code provider} and time from {@code clock}, as the
     * proxy's own.
     */
    public static HealthChecker start(Collection<UpstreamGroup> groups, Map<UpstreamGroup, UpstreamTls> tls,
            SelectorProvider provider, NanoClock clock, List<ExchangeListener> listeners) {
        List<UpstreamGroup> checked = new ArrayList<>();
        HealthChecker checker;
        synchronized (CHECKING) {
            for (UpstreamGroup group : groups) {
                if (group.healthCheck() != null && !CHECKING.containsKey(group) && !checked.contains(group)) {
                    checked.add(group);
                }
            }
            if (checked.isEmpty()) {
                return new HealthChecker(null, listeners);
            }
            checker = new HealthChecker(EventLoopGroup.builder().threads(1).threadNamePrefix("sluice-health-")
                    .provider(provider).clock(clock).build(), listeners);
            checked.forEach(group -> CHECKING.put(group, checker));
        }
        EventLoop loop = checker.loops.next();
        for (UpstreamGroup group : checked) {
            TlsClient client = tls.containsKey(group) ? TlsClient.of(tls.get(group)) : null;
            loop.execute(new Membership(group, client, loop, checker)::look);
        }
        return checker;
    }

    /**
     * The peers of one checked group, as they come and go at run time: a peer added gets its probe (a peer of a
     * mandatory check is made unhealthy until its first pass, {@link PeerState}); a probe of a removed peer stops
     * itself. Looks at the group
     * when checking starts and once a second after.
     */
    private static final class Membership {

        private static final long LOOK_EVERY_NANOS = 1_000_000_000L;

        private final UpstreamGroup group;
        private final TlsClient tls;
        private final EventLoop loop;
        private final HealthChecker checker;
        private final Map<PeerState, PeerProbe> probes = new IdentityHashMap<>();
        private final Timeout timer;

        Membership(UpstreamGroup group, TlsClient tls, EventLoop loop, HealthChecker checker) {
            this.group = group;
            this.tls = tls;
            this.loop = loop;
            this.checker = checker;
            this.timer = loop.newTimeout(this::look);
        }

        void look() {
            probes.keySet().removeIf(PeerState::isRemoved);
            for (PeerState peer : group.peers()) {
                if (!probes.containsKey(peer)) {
                    PeerProbe probe = new PeerProbe(group, peer, tls, loop, checker);
                    probes.put(peer, probe);
                    probe.start();
                }
            }
            timer.schedule(LOOK_EVERY_NANOS);
        }
    }

    /** A check changed a peer's health: logged, and told to the listeners. On the checks' loop. */
    void healthChanged(UpstreamGroup group, PeerState peer, String reason) {
        if (peer.isHealthy()) {
            log.info("peer {} of upstream {} is healthy again", peer.name(), group.name());
        } else {
            log.warn("peer {} of upstream {} is unhealthy: {}", peer.name(), group.name(), reason);
        }
        for (ExchangeListener listener : listeners) {
            try {
                listener.healthChanged(group, peer);
            } catch (RuntimeException e) {
                log.warn("listener {} failed on a health change", listener, e);
            }
        }
    }

    /** Stops every check and the checks' loop. */
    @Override
    public void close() {
        if (loops != null) {
            loops.close();
            synchronized (CHECKING) {
                CHECKING.values().removeIf(checker -> checker == this);
            }
        }
    }
}
