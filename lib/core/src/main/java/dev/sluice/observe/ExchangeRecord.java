package dev.sluice.observe;

import dev.sluice.ClientTls;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One client request and what became of it, handed to {@link ExchangeListener}s when it ends.
 *
 * @param clientAddress the client's address ({@code $remote_addr})
 * @param method the request method
 * @param target the request target as sent ({@code $request_uri})
 * @param protocol {@code HTTP/1.1} or {@code HTTP/1.0}
 * @param status the status sent to the client ({@code $status}); 499 if the client went away first
 * @param bodyBytesSent response body bytes written to the client ({@code $body_bytes_sent})
 * @param requestNanos time from the first request byte to the last response byte ({@code $request_time})
 * @param attempts the attempts on peers, in order; empty when the proxy answered by itself
 * @param startMillis when the request began, in milliseconds since the epoch
 * @param remoteUser the user name of Basic authentication ({@code $remote_user}), or null
 * @param referer the Referer field ({@code $http_referer}), or null
 * @param userAgent the User-Agent field ({@code $http_user_agent}), or null
 * @param serverName the first name of the virtual server that took the request ({@code $server_name}), empty for
 *     the default server of routes given to the proxy directly; null when no request head was parsed
 * @param location the location of the route that served it, as nginx writes it ({@code "^~ /static/"}); null when
 *     none matched or no head was parsed
 * @param upstream the name of the upstream group it went to (a handler may choose another than the route's); null
 *     when it did not go upstream
 * @param tls what the TLS handshake of the client's connection settled ({@code $ssl_protocol} and the others), or
 *     null when the client spoke plain HTTP
 * @param requestFields the request fields some listener asked for ({@link ExchangeListener#requestFields}), by
 *     lowercased name, those the request had: see {@link #requestField}
 */
public record ExchangeRecord(String clientAddress, String method, String target, String protocol, int status,
        long bodyBytesSent, long requestNanos, List<AttemptRecord> attempts, long startMillis, String remoteUser,
        String referer, String userAgent, String serverName, String location, String upstream, ClientTls tls,
        Map<String, String> requestFields) {

    /**
     * The value of the request field {@code name} ({@code $http_NAME}), or null when the request had none or no
     * listener asked for it with {@link ExchangeListener#requestFields}.
     */
    public String requestField(String name) {
        return requestFields.get(name.toLowerCase(Locale.ROOT));
    }

    /** {@code $upstream_addr}: every attempt's address, joined by ", " as nginx joins them; "-" when none. */
    public String upstreamAddr() {
        return join(0);
    }

    /**
     * {@code $upstream_status}: every attempt's status, e.g. "502, 200"; "-" for an attempt cut short before its peer
     * answered, and when there was none.
     */
    public String upstreamStatus() {
        return join(1);
    }

    /** {@code $upstream_response_time}: seconds with millisecond precision, e.g. "0.002, 0.010". */
    public String upstreamResponseTime() {
        return join(2);
    }

    /** {@code $upstream_connect_time}; "-" for an attempt that made no connection. */
    public String upstreamConnectTime() {
        return join(3);
    }

    /** {@code $upstream_header_time}; "-" for an attempt that read no response head. */
    public String upstreamHeaderTime() {
        return join(4);
    }

    private String join(int field) {
        if (attempts.isEmpty()) {
            return "-";
        }
        StringBuilder sb = new StringBuilder();
        for (AttemptRecord a : attempts) {
            if (sb.length() > 0) {
                sb.append(", ");
            }
            switch (field) {
                case 0: sb.append(a.upstreamAddress()); break;
                case 1: status(sb, a.status()); break;
                case 2: seconds(sb, a.responseNanos()); break;
                case 3: seconds(sb, a.connectNanos()); break;
                default: seconds(sb, a.headerNanos()); break;
            }
        }
        return sb.toString();
    }

    private static void status(StringBuilder sb, int status) {
        if (status == 0) {
            sb.append('-');
        } else {
            sb.append(status);
        }
    }

    /** Formats nanoseconds as nginx formats times: seconds with three decimals, "-" for an unknown time. */
    static void seconds(StringBuilder sb, long nanos) {
        if (nanos < 0) {
            sb.append('-');
            return;
        }
        long millis = nanos / 1_000_000;
        sb.append(millis / 1000).append('.');
        long rest = millis % 1000;
        if (rest < 100) sb.append('0');
        if (rest < 10) sb.append('0');
        sb.append(rest);
    }

    /**
     * When the exchange ended (its start plus {@link #requestNanos()}), in milliseconds since the epoch: the time
     * nginx writes a log line at, which {@code $time_local}, {@code $time_iso8601} and {@code $msec} show.
     */
    public long endMillis() {
        return startMillis + requestNanos / 1_000_000;
    }
}
