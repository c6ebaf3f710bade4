package dev.sluice.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.ClientTls;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogFormatTest {

    private static final long NOON_UTC = 1_764_763_200_123L; // 2025-12-03T12:00:00.123Z

    private static ExchangeRecord exchange(String user, String referer, String agent) {
        return new ExchangeRecord("10.1.2.3", "GET", "/a?b=1", "HTTP/1.1", 200, 512, 2_500_000,
                List.of(new AttemptRecord("10.0.0.1:80", 502, 1_000_000, -1, 1_500_000, false,
                                "upstream timed out while reading response header from upstream"),
                        new AttemptRecord("10.0.0.2:80", 200, 0, 400_000, 900_000, true, null)),
                NOON_UTC, user, referer, agent, "api.test", "/a", "backend", null, Map.of("x-forwarded-for", "203.0.113.7"));
    }

    @Test
    void combinedIsNginxsPredefinedFormat() {
        String line = LogFormat.combined().format(exchange("ann", "https://ref/", "curl/8"));
        assertTrue(line.matches("10\\.1\\.2\\.3 - ann \\[03/Dec/2025:\\d\\d:\\d\\d:00 [+-]\\d{4}\\] "
                + "\"GET /a\\?b=1 HTTP/1\\.1\" 200 512 \"https://ref/\" \"curl/8\""), line);
    }

    @Test
    void aMissingValueIsWrittenAsADash() {
        String line = LogFormat.parse("$remote_user \"$http_referer\" \"$http_user_agent\"").format(exchange(null, null, ""));
        assertEquals("- \"-\" \"-\"", line);
    }

    @Test
    void anyRequestFieldIsHttpNameAndTheFormatSaysWhichItNeeds() {
        LogFormat format = LogFormat.parse("\"$http_x_forwarded_for\" \"$http_X_Missing\" \"$http_referer\"");
        assertEquals("\"203.0.113.7\" \"-\" \"r\"", format.format(exchange(null, "r", null)));
        assertEquals(Set.of("x-forwarded-for", "x-missing"), format.requestFields());
        assertEquals(Set.of("x-forwarded-for", "x-missing"), AccessLog.toLogger(format).requestFields());
    }

    @Test
    void upstreamVariablesJoinEveryAttempt() {
        String line = LogFormat.parse("$upstream_addr|$upstream_status|$upstream_response_time|$upstream_header_time")
                .format(exchange(null, null, null));
        assertEquals("10.0.0.1:80, 10.0.0.2:80|502, 200|0.001, 0.000|-, 0.000", line, "milliseconds, truncated as nginx");
    }

    @Test
    void serverNameIsTheVirtualServersFirstNameAndADashForTheUnnamedDefault() {
        LogFormat format = LogFormat.parse("$server_name");
        assertEquals("api.test", format.format(exchange(null, null, null)));
        ExchangeRecord unnamed = exchange(null, null, null);
        assertEquals("-", format.format(new ExchangeRecord(unnamed.clientAddress(), unnamed.method(), unnamed.target(),
                unnamed.protocol(), unnamed.status(), unnamed.bodyBytesSent(), unnamed.requestNanos(),
                unnamed.attempts(), unnamed.startMillis(), null, null, null, "", null, null, null, Map.of())));
    }

    @Test
    void theTlsVariablesSayWhatTheHandshakeSettledAndADashOnPlainHttp() {
        LogFormat format = LogFormat.parse("$scheme|$https|$ssl_protocol|$ssl_cipher|$ssl_server_name|$ssl_client_verify");
        ExchangeRecord plain = exchange(null, null, null);
        assertEquals("http||-|-|-|-", format.format(plain));
        ExchangeRecord secured = new ExchangeRecord(plain.clientAddress(), plain.method(), plain.target(),
                plain.protocol(), plain.status(), plain.bodyBytesSent(), plain.requestNanos(), plain.attempts(),
                plain.startMillis(), null, null, null, "api.test", "/a", "backend",
                new ClientTls("TLSv1.3", "TLS_AES_128_GCM_SHA256", "api.test", "NONE", null), Map.of());
        assertEquals("https|on|TLSv1.3|TLS_AES_128_GCM_SHA256|api.test|NONE", format.format(secured));
    }

    @Test
    void theDefaultFormatIsTheUpstreamLine() {
        assertEquals("10.1.2.3 \"GET /a?b=1 HTTP/1.1\" 200 512 0.002 upstream_addr=10.0.0.1:80, 10.0.0.2:80 "
                + "upstream_status=502, 200 upstream_response_time=0.001, 0.000 upstream_connect_time=0.001, 0.000 "
                + "upstream_header_time=-, 0.000", AccessLog.format(exchange(null, null, null)));
    }

    @Test
    void bracedNamesMsecAtTheExchangesEndAsNginxLogsItAndTheRequestParts() {
        assertEquals("1764763200.125 GET /a?b=1 HTTP/1.1 200",
                LogFormat.parse("${msec} $request_method $request_uri $server_protocol $status")
                        .format(exchange(null, null, null)));
    }

    @Test
    void anUnknownVariableIsNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LogFormat.parse("$remote_addr $bytes_sent"));
        assertTrue(e.getMessage().contains("unknown variable \"$bytes_sent\""), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> LogFormat.parse("${status"));
        assertThrows(IllegalArgumentException.class, () -> LogFormat.parse("cost $ 5"));
    }

    @Test
    void aFileLogAppendsAndReopensAfterRotation(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("access.log");
        Files.writeString(file, "earlier\n");
        AccessLog log = AccessLog.toFile(file, LogFormat.parse("$status $request_uri"));
        log.exchangeEnded(exchange(null, null, null));
        Path rotated = dir.resolve("access.log.1");
        awaitLines(file, 2);
        Files.move(file, rotated);
        log.reopen();
        log.exchangeEnded(exchange(null, null, null));
        log.close();

        assertEquals(List.of("earlier", "200 /a?b=1"), Files.readAllLines(rotated, StandardCharsets.UTF_8));
        assertEquals(List.of("200 /a?b=1"), Files.readAllLines(file, StandardCharsets.UTF_8));
        assertEquals(0, log.dropped());
    }

    @Test
    void aClosedFileLogDropsAndCountsLaterLines(@TempDir Path dir) throws Exception {
        AccessLog log = AccessLog.toFile(dir.resolve("a.log"), LogFormat.combined());
        log.close();
        log.exchangeEnded(exchange(null, null, null));
        assertEquals(1, log.dropped());
    }

    private static void awaitLines(Path file, int lines) throws Exception {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (Files.readAllLines(file).size() < lines && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(lines, Files.readAllLines(file).size());
    }
}
