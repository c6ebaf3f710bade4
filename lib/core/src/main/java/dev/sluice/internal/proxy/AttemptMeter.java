package dev.sluice.internal.proxy;

import dev.sluice.observe.AttemptRecord;

/**
 * What one attempt measured, for least_time and the peer's averages, the status document's byte counts and the
 * attempt records ({@code $upstream_connect_time}, {@code $upstream_header_time}, {@code $upstream_response_time}):
 * its times from its start, connect included, and the bytes it read from the peer. Started again per attempt.
 */
final class AttemptMeter {

    private long startNanos;
    private long connectNanos;
    private long headerNanos;
    private long lastByteNanos;
    private long received;

    /** A new attempt starts at {@code now}. */
    void start(long now) {
        startNanos = now;
        connectNanos = -1;
        headerNanos = -1;
        lastByteNanos = -1;
        received = 0;
    }

    /** The connection is up at {@code now}; a pooled connection is up at once. */
    void connected(long now) {
        connectNanos = now - startNanos;
    }

    void pooledConnection() {
        connectNanos = 0;
    }

    /** The response head came at {@code now}. */
    void head(long now) {
        headerNanos = now - startNanos;
    }

    /** The response's last byte came at {@code now}. */
    void lastByte(long now) {
        lastByteNanos = now - startNanos;
    }

    /** {@code n} more bytes came from the peer. */
    void received(long n) {
        received += Math.max(0, n);
    }

    /** Time from the start to the response head, -1 before it. */
    long headerNanos() {
        return headerNanos;
    }

    /** Time from the start to the response's last byte, -1 before it. */
    long lastByteNanos() {
        return lastByteNanos;
    }

    /** Bytes read from the peer, head and body: NGINX Plus's {@code received}. */
    long bytesReceived() {
        return received;
    }

    /** The record of the attempt on {@code peer}, ended at {@code now} with {@code status}, failed with {@code error}. */
    AttemptRecord record(String peer, int status, long now, boolean reused, String error) {
        return new AttemptRecord(peer, status, connectNanos, headerNanos, now - startNanos, reused, error);
    }
}
