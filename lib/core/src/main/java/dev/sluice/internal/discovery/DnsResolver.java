package dev.sluice.internal.discovery;

import dev.sluice.upstream.Endpoint;
import dev.sluice.upstream.Resolver;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Resolver} that asks DNS servers itself ({@link DnsClient}), as nginx's {@code resolver ADDRESS ...
 * [valid=T]} with {@code resolver_timeout}: a name's A and then AAAA records, and how long they hold (their least
 * time to live, at least a second, or {@code valid} when given). Blocking: use it off the event loops.
 */
public final class DnsResolver implements Resolver {

    private static final Logger log = LoggerFactory.getLogger(DnsResolver.class);

    private static final Duration LEAST_TTL = Duration.ofSeconds(1);

    private final DnsClient client;
    private final Duration valid;

    /** A resolver of {@code servers}, each tried for {@code timeout}; {@code valid} overrides TTLs, or null. */
    public DnsResolver(List<InetSocketAddress> servers, Duration timeout, Duration valid) {
        this.client = new DnsClient(servers, timeout);
        if (valid != null && (valid.isNegative() || valid.compareTo(LEAST_TTL) < 0)) {
            throw new IllegalArgumentException("resolver valid must be at least 1s: " + valid);
        }
        this.valid = valid;
    }

    /** What a look-up found: the addresses, IPv4 first, and how long they may be used before the next one. */
    public record Lookup(List<InetAddress> addresses, Duration validFor) {
    }

    /** What a look-up found as a line's endpoints, and how long they may be used before the next one. */
    public record Found(List<Endpoint> endpoints, Duration validFor) {
    }

    @Override
    public List<InetAddress> resolve(String host) throws UnknownHostException {
        try {
            List<InetAddress> addresses = lookUp(host).addresses();
            if (addresses.isEmpty()) {
                throw new UnknownHostException(host + ": no address records");
            }
            return addresses;
        } catch (UnknownHostException e) {
            throw e;
        } catch (IOException e) {
            UnknownHostException unknown = new UnknownHostException(host + ": " + e.getMessage());
            unknown.initCause(e);
            throw unknown;
        }
    }

    /**
     * Looks {@code host} up; an answer with no address is an empty list. When one of the A and AAAA queries fails and
     * the other is answered, the answer counts (a server that refuses AAAA queries, as some do, is no reason to lose
     * the IPv4 addresses); only when both fail does the look-up throw.
     */
    public Lookup lookUp(String host) throws IOException {
        List<InetAddress> addresses = new ArrayList<>();
        long ttl = Long.MAX_VALUE;
        IOException failed = null;
        boolean answered = false;
        for (int type : new int[] {DnsMessage.A, DnsMessage.AAAA}) {
            List<DnsRecord> records;
            try {
                records = client.query(host, type).records();
                answered = true;
            } catch (IOException e) {
                failed = failed == null ? e : failed;
                continue;
            }
            for (DnsRecord record : records) {
                if (!addresses.contains(record.address())) {
                    addresses.add(record.address());
                }
                ttl = Math.min(ttl, record.ttlSeconds());
            }
        }
        if (!answered) {
            throw failed;
        }
        if (failed != null) {
            log.debug("{}: using the records found; {}", host, failed.getMessage());
        }
        return new Lookup(List.copyOf(addresses), validFor(ttl));
    }

    /**
     * Looks the SRV records of {@code name} up, as NGINX Plus's {@code service=}: each target's addresses (from the
     * answer's additional records, else looked up) at the record's port with its weight (0 counting as 1); the
     * records of the lowest priority are primary and the others backups, or with {@code onlyBest} (a backup line)
     * only the lowest priority's records count. A target that does not resolve is left out.
     */
    public Found lookUpService(String name, boolean onlyBest) throws IOException {
        List<DnsRecord> records = client.query(name, DnsMessage.SRV).records();
        List<DnsRecord> services = records.stream().filter(r -> r.type() == DnsMessage.SRV).toList();
        int best = services.stream().mapToInt(DnsRecord::priority).min().orElse(0);
        long ttl = Long.MAX_VALUE;
        List<Endpoint> endpoints = new ArrayList<>();
        for (DnsRecord service : services) {
            boolean backup = service.priority() != best;
            if (backup && onlyBest) {
                continue;
            }
            ttl = Math.min(ttl, service.ttlSeconds());
            List<InetAddress> addresses = new ArrayList<>();
            for (DnsRecord r : records) {
                if (r.type() != DnsMessage.SRV && r.name().equals(service.target())) {
                    addresses.add(r.address());
                    ttl = Math.min(ttl, r.ttlSeconds());
                }
            }
            if (addresses.isEmpty()) {
                Lookup target = lookUp(service.target());
                addresses.addAll(target.addresses());
                ttl = Math.min(ttl, target.validFor().toSeconds());
            }
            for (InetAddress address : addresses) {
                endpoints.add(Endpoint.ready(new InetSocketAddress(address, service.port()))
                        .withWeight(Math.max(1, service.weight())).withBackup(backup));
            }
        }
        return new Found(List.copyOf(endpoints), validFor(ttl));
    }

    private Duration validFor(long ttl) {
        return valid != null ? valid
                : ttl == Long.MAX_VALUE ? LEAST_TTL : Duration.ofSeconds(Math.max(LEAST_TTL.toSeconds(), ttl));
    }
}
