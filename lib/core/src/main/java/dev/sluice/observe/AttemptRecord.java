package dev.sluice.observe;

/**
 * One attempt of one request on one peer: an entry of nginx's {@code $upstream_*} variables.
 *
 * @param upstreamAddress the peer's address ({@code $upstream_addr}), or the group's name when no peer was live
 * @param status the peer's response status, or the status its failure maps to (502, 504) ({@code $upstream_status});
 *     0 when the attempt was cut short before its peer answered (the client left or its request body failed), which
 *     nginx logs as "-"
 * @param connectNanos time to connect, or -1 if no connection was made ({@code $upstream_connect_time})
 * @param headerNanos time until the response head was read, or -1 ({@code $upstream_header_time})
 * @param responseNanos time until the attempt ended ({@code $upstream_response_time})
 * @param reusedConnection whether the attempt used a pooled keepalive connection
 * @param error why the attempt failed or was cut short, in the words of nginx's error log (e.g. {@code "upstream
 *     timed out while connecting to upstream"}, {@code "SSL handshake failed (...) while SSL handshaking to
 *     upstream"}, {@code "client timed out"}); null when the peer answered and its response was read as far as the
 *     exchange needed
 */
public record AttemptRecord(String upstreamAddress, int status, long connectNanos, long headerNanos,
        long responseNanos, boolean reusedConnection, String error) {
}
