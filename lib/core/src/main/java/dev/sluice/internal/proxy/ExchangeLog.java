package dev.sluice.internal.proxy;

import dev.sluice.ClientTls;
import dev.sluice.internal.http.RequestHead;
import dev.sluice.observe.AttemptRecord;
import dev.sluice.observe.ExchangeRecord;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What one exchange did, for the access log and the other listeners: its attempts as they end, then the exchange
 * itself. Kept only when a listener is registered, so an unobserved proxy builds no record.
 */
final class ExchangeLog {

    private final LoopContext loop;
    private final String remoteAddress;
    private List<AttemptRecord> attempts;
    private long startNanos;
    /** {@code $server_name}: the virtual server that took the request, or null before a head was parsed. */
    private String serverName;
    /** The client's TLS, or null for plain HTTP. */
    private ClientTls tls;
    /** {@code $body_bytes_sent}. */
    private long bodyBytesSent;

    ExchangeLog(LoopContext loop, String remoteAddress) {
        this.loop = loop;
        this.remoteAddress = remoteAddress;
    }

    /** A new exchange begins now ({@code $request_time} counts from here). */
    void begin() {
        startNanos = loop.eventLoop.nanoTime();
        serverName = null;
        bodyBytesSent = 0;
        attempts = loop.engine.recordsExchanges ? new ArrayList<>(2) : null;
    }

    /** The virtual server that took the request. */
    void serverName(String name) {
        serverName = name;
    }

    /** The response body is {@code bytes} long: an answer of the proxy's own, sent whole. */
    void bodyBytes(long bytes) {
        bodyBytesSent = bytes;
    }

    /** {@code bytes} more of the response body went to the client. */
    void countBody(int bytes) {
        bodyBytesSent += bytes;
    }

    /** The client's connection speaks TLS, as {@code tls} settled: every exchange on it is recorded so. */
    void secured(ClientTls tls) {
        this.tls = tls;
    }

    /** An attempt on {@code attempt}'s peer ended with {@code status}. */
    void attempt(Attempt attempt, int status) {
        if (attempts != null) {
            add(attempt.record(status, loop.eventLoop.nanoTime()));
        }
    }

    /** No peer was left to try in {@code upstream}: nginx logs the upstream's name with the status it answers. */
    void noPeer(String upstream, int status) {
        if (attempts != null) {
            add(new AttemptRecord(upstream, status, -1, -1, 0, false, "no live upstreams while connecting to upstream"));
        }
    }

    private void add(AttemptRecord record) {
        attempts.add(record);
        loop.engine.attemptEnded(record);
    }

    /** The values of the request fields the listeners read, by lowercased name; those the request lacks left out. */
    private Map<String, String> fields(RequestHead request) {
        List<String> names = loop.engine.requestFields;
        if (names.isEmpty()) {
            return Map.of();
        }
        Map<String, String> fields = new HashMap<>();
        for (String name : names) {
            String value = request.fields().get(name);
            if (value != null) {
                fields.put(name, value);
            }
        }
        return fields;
    }

    /**
     * The exchange ended with {@code status}; {@code request} is null when no head was parsed. Returns its record,
     * or null when exchanges are not recorded.
     */
    ExchangeRecord end(RequestHead request, int status, String location, String upstream) {
        if (attempts == null) {
            return null;
        }
        long requestNanos = loop.eventLoop.nanoTime() - startNanos;
        boolean none = request == null;
        ExchangeRecord record = new ExchangeRecord(remoteAddress, none ? "-" : request.method(),
                none ? "-" : request.receivedTarget(), none ? "-" : request.version().text(), status, bodyBytesSent,
                requestNanos, List.copyOf(attempts), System.currentTimeMillis() - requestNanos / 1_000_000,
                none ? null : RemoteUser.of(request.fields().get("Authorization")),
                none ? null : request.fields().get("Referer"), none ? null : request.fields().get("User-Agent"),
                serverName, location, upstream, tls, none ? Map.of() : fields(request));
        loop.engine.exchangeEnded(record);
        return record;
    }
}
