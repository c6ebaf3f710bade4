package dev.sluice.internal.http;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * The {@code Date} field of the current second, as every response carries one (RFC 9110 section 6.6.1: a server with
 * a clock sends it, and a proxy adds it to a response that came without, as nginx dates every response it sends).
 * Formatted once a second and shared by every thread, as nginx caches {@code ngx_cached_http_time}.
 */
final class HttpDate {

    private static final DateTimeFormatter IMF_FIXDATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);

    /** One second's field line; a new one replaces it once a second. */
    private record Stamp(long second, byte[] line) {
    }

    private static volatile Stamp current = new Stamp(Long.MIN_VALUE, new byte[0]);

    private HttpDate() {
    }

    /** {@code Date: IMF-fixdate CRLF} of the current second. */
    static byte[] line() {
        long second = Math.floorDiv(System.currentTimeMillis(), 1000L);
        Stamp stamp = current;
        if (stamp.second() != second) {
            String text = "Date: " + IMF_FIXDATE.format(Instant.ofEpochSecond(second)) + "\r\n";
            stamp = new Stamp(second, text.getBytes(StandardCharsets.US_ASCII));
            current = stamp;
        }
        return stamp.line();
    }
}
