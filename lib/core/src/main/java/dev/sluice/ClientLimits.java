package dev.sluice;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The client side of the proxy: nginx's {@code ngx_http_core_module} timeouts and limits for the connections
 * clients open. Immutable; set through {@code ProxyServer.Builder}.
 *
 * @param headerTimeout {@code client_header_timeout}: to receive a whole request head (default 60s), else 408
 * @param bodyTimeout {@code client_body_timeout}: between two reads of the request body (default 60s), else 408
 * @param sendTimeout {@code send_timeout}: between two writes to the client (default 60s), else the connection closes
 * @param keepaliveTimeout {@code keepalive_timeout}: how long an idle client connection is kept (default 75s)
 * @param keepaliveRequests {@code keepalive_requests}: requests served on one client connection (default 1000)
 * @param maxBodySize {@code client_max_body_size}: the largest request body accepted (default 1m), else 413;
 *     0 means unlimited
 * @param maxRequestLine the longest request line ({@code large_client_header_buffers} size, 8k), else 414
 * @param maxHeaderSize the largest request head in all (4 × 8k), else 431
 * @param lingeringTimeout {@code lingering_timeout}: while closing after an error, how long to wait for more
 *     client data before closing, and while dropping the body of a request the proxy answered itself without
 *     reading it, how long to wait for more of it before closing instead of serving the next request (default 5s)
 * @param lingeringTime {@code lingering_time}: the longest a lingering close, or the dropping of such a body, lasts
 *     (default 30s)
 * @param bodyBufferSize {@code client_body_buffer_size}: a buffered request body up to this size stays in memory,
 *     a larger one goes to a temporary file (default 16k, two pages as nginx on x86-64)
 * @param bodyTempPath {@code client_body_temp_path}: the directory of those files (default
 *     {@code java.io.tmpdir/sluice}, created when first needed)
 * @param underscoresInHeaders {@code underscores_in_headers}: whether a request field name may hold underscores
 *     (default off)
 * @param ignoreInvalidHeaders {@code ignore_invalid_headers}: whether request fields with names nginx calls invalid
 *     (anything but letters, digits, hyphens, and underscores when allowed) are dropped as they are read (default on)
 */
public record ClientLimits(Duration headerTimeout, Duration bodyTimeout, Duration sendTimeout,
        Duration keepaliveTimeout, int keepaliveRequests, long maxBodySize, int maxRequestLine, int maxHeaderSize,
        Duration lingeringTimeout, Duration lingeringTime, int bodyBufferSize, Path bodyTempPath,
        boolean underscoresInHeaders, boolean ignoreInvalidHeaders) {

    /** nginx's defaults. */
    public static final ClientLimits DEFAULTS = new ClientLimits(Duration.ofSeconds(60), Duration.ofSeconds(60),
            Duration.ofSeconds(60), Duration.ofSeconds(75), 1000, 1 << 20, 8192, 32768, Duration.ofSeconds(5),
            Duration.ofSeconds(30), 16 * 1024, Path.of(System.getProperty("java.io.tmpdir"), "sluice"), false, true);
}
