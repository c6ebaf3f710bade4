package dev.sluice.internal.discovery;

import dev.sluice.upstream.Endpoint;
import dev.sluice.upstream.EndpointSource;
import dev.sluice.upstream.Peer;
import dev.sluice.upstream.UpstreamGroup;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The endpoints of a {@code resolve} line, as NGINX Plus finds them: its name's A and AAAA records at the line's
 * port, or with {@code service=} its SRV records (the lowest priority primary, the others backups; weight and port
 * from each record). Looked up again when the answer stops being valid, on one daemon thread shared by every
 * proxy (never an event loop), which ends when nothing is followed. A look-up that fails, or finds nothing, changes
 * nothing (the line keeps the endpoints last found: never emptied by a resolver's trouble), is logged, and is tried
 * again after {@value #FIRST_RETRY_SECONDS} s, doubling up to {@value #LAST_RETRY_SECONDS} s.
 */
final class DnsSource implements EndpointSource {

    static final long FIRST_RETRY_SECONDS = 1;
    static final long LAST_RETRY_SECONDS = 60;

    private static final Logger log = LoggerFactory.getLogger(DnsSource.class);
    private static final ScheduledThreadPoolExecutor LOOK_UPS = lookUps();

    private final DnsResolver resolver;

    DnsSource(DnsResolver resolver) {
        this.resolver = resolver;
    }

    private static ScheduledThreadPoolExecutor lookUps() {
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, task -> {
            Thread thread = new Thread(task, "sluice-resolver");
            thread.setDaemon(true);
            return thread;
        });
        executor.setKeepAliveTime(10, TimeUnit.SECONDS);
        executor.allowCoreThreadTimeOut(true);
        executor.setRemoveOnCancelPolicy(true);
        return executor;
    }

    @Override
    public AutoCloseable follow(UpstreamGroup group, Peer line) {
        Following following = new Following(group, line);
        following.schedule(Duration.ZERO);
        return following;
    }

    /** One line followed: looks its name up, hands the group the endpoints, and schedules the next look-up. */
    private final class Following implements AutoCloseable {

        private final UpstreamGroup group;
        private final Peer line;
        private final String host;
        private final int port;
        private int failures;
        private Future<?> next;
        private boolean closed;

        Following(UpstreamGroup group, Peer line) {
            this.group = group;
            this.line = line;
            String server = line.server(); // a host name with resolve, never an address: NAME or NAME:PORT
            int colon = server.lastIndexOf(':');
            this.host = colon < 0 ? server : server.substring(0, colon);
            this.port = colon < 0 ? 80 : Integer.parseInt(server.substring(colon + 1));
        }

        private synchronized void schedule(Duration after) {
            if (!closed) {
                next = LOOK_UPS.schedule(this::look, after.toMillis(), TimeUnit.MILLISECONDS);
            }
        }

        private void look() {
            Duration after;
            try {
                DnsResolver.Found found = line.service().isEmpty() ? addresses() : services();
                if (found.endpoints().isEmpty()) {
                    throw new IOException("no records");
                }
                synchronized (this) {
                    if (closed) {
                        return;
                    }
                    group.setEndpoints(line.server(), found.endpoints());
                }
                after = found.validFor();
                failures = 0;
            } catch (IOException | RuntimeException e) {
                failures++;
                after = Duration.ofSeconds(Math.min(LAST_RETRY_SECONDS,
                        FIRST_RETRY_SECONDS << Math.min(failures - 1, 6)));
                log.warn("{} could not be resolved for upstream \"{}\" ({}); its endpoints stay as they were, next"
                        + " try in {} s", name(), group.name(), e.getMessage(), after.toSeconds());
            }
            schedule(after);
        }

        private DnsResolver.Found addresses() throws IOException {
            DnsResolver.Lookup lookup = resolver.lookUp(host);
            List<Endpoint> endpoints = new ArrayList<>();
            for (InetAddress address : lookup.addresses()) {
                endpoints.add(Endpoint.ready(new InetSocketAddress(address, port)));
            }
            return new DnsResolver.Found(endpoints, lookup.validFor());
        }

        private DnsResolver.Found services() throws IOException {
            return resolver.lookUpService(name(), line.backup());
        }

        /** The name looked up: the host, or for SRV nginx's service name joined to it. */
        private String name() {
            String service = line.service();
            if (service.isEmpty()) {
                return host;
            }
            return service.indexOf('.') < 0 ? "_" + service + "._tcp." + host : service + "." + host;
        }

        @Override
        public synchronized void close() {
            closed = true;
            if (next != null) {
                next.cancel(false);
            }
        }

        @Override
        public String toString() {
            return "DNS of " + name() + " for upstream " + group.name();
        }
    }
}
