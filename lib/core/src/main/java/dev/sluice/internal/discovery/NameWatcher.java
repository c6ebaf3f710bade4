package dev.sluice.internal.discovery;

import dev.sluice.upstream.Peer;
import dev.sluice.upstream.UpstreamGroup;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Looks the names of {@code resolve} server lines up again while a proxy runs, as NGINX Plus does, on one daemon
 * thread of its own (never an event loop): each when its last answer stops being valid, its line's peers then
 * following the addresses found ({@link UpstreamGroup#setAddresses}). A look-up that fails, or finds no address,
 * changes nothing (the group keeps the addresses last found: never emptied by a resolver's trouble), is logged, and
 * is tried again after {@value #FIRST_RETRY_SECONDS} s, doubling up to {@value #LAST_RETRY_SECONDS} s. A group is
 * watched by one watcher at a time, whichever proxy started first.
 */
public final class NameWatcher implements AutoCloseable {

    static final long FIRST_RETRY_SECONDS = 1;
    static final long LAST_RETRY_SECONDS = 60;

    private static final Logger log = LoggerFactory.getLogger(NameWatcher.class);
    /** Groups some watcher follows, so that two proxies sharing a group do not both look its names up. */
    private static final Map<UpstreamGroup, NameWatcher> WATCHING = new IdentityHashMap<>();

    private final List<UpstreamGroup> groups;
    private final ScheduledExecutorService scheduler;

    private NameWatcher(List<UpstreamGroup> groups) {
        this.groups = groups;
        this.scheduler = groups.isEmpty() ? null : Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "sluice-resolver");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Starts following the {@code resolve} lines of {@code groups} not followed already; close it to stop. */
    public static NameWatcher start(Collection<UpstreamGroup> groups) {
        List<UpstreamGroup> mine = new ArrayList<>();
        NameWatcher watcher;
        synchronized (WATCHING) {
            for (UpstreamGroup group : groups) {
                if (!WATCHING.containsKey(group) && !mine.contains(group)
                        && group.servers().stream().anyMatch(Peer::resolve)) {
                    mine.add(group);
                }
            }
            watcher = new NameWatcher(mine);
            mine.forEach(group -> WATCHING.put(group, watcher));
        }
        for (UpstreamGroup group : mine) {
            DnsResolver resolver = (DnsResolver) group.resolver();
            for (Peer line : group.servers()) {
                if (line.resolve()) {
                    watcher.scheduler.execute(() -> watcher.look(group, resolver, line, 0));
                }
            }
        }
        return watcher;
    }

    private void look(UpstreamGroup group, DnsResolver resolver, Peer line, int failures) {
        String server = line.server(); // a host name with resolve, never an address: NAME or NAME:PORT
        int colon = server.lastIndexOf(':');
        String host = colon < 0 ? server : server.substring(0, colon);
        int port = colon < 0 ? 80 : Integer.parseInt(server.substring(colon + 1));
        Duration next;
        try {
            DnsResolver.Lookup found = resolver.lookUp(host);
            if (found.addresses().isEmpty()) {
                throw new IOException("no address records");
            }
            List<SocketAddress> addresses = new ArrayList<>();
            for (InetAddress address : found.addresses()) {
                addresses.add(new InetSocketAddress(address, port));
            }
            group.setAddresses(line.server(), addresses);
            next = found.validFor();
            failures = 0;
        } catch (IOException | RuntimeException e) {
            failures++;
            next = Duration.ofSeconds(Math.min(LAST_RETRY_SECONDS, FIRST_RETRY_SECONDS << Math.min(failures - 1, 6)));
            log.warn("{} could not be resolved for upstream \"{}\" ({}); its addresses stay as they were, next try in"
                    + " {} s", host, group.name(), e.getMessage(), next.toSeconds());
        }
        int failed = failures;
        if (!scheduler.isShutdown()) {
            scheduler.schedule(() -> look(group, resolver, line, failed), next.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public void close() {
        synchronized (WATCHING) {
            groups.forEach(WATCHING::remove);
        }
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
    }
}
