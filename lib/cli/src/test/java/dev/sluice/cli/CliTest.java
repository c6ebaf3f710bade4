package dev.sluice.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.ErrorPage;
import dev.sluice.observe.AccessLog;
import dev.sluice.observe.ExchangeRecord;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CliTest {

    private static final String SERVER = "--server=127.0.0.1:9001";

    private static UsageException refused(String... args) {
        UsageException e = assertThrows(UsageException.class, () -> Cli.parse(args));
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        return e;
    }

    @Test
    void anUnknownFlagIsNamed() {
        UsageException e = refused(SERVER, "--bogus", "x");
        assertEquals("--bogus", e.flag());
        assertEquals("--bogus: unknown flag (see --help)", e.getMessage());
    }

    @Test
    void anNginxSpellingPointsToTheFlag() {
        assertEquals("--proxy_connect_timeout: unknown flag; did you mean --proxy-connect-timeout?",
                refused(SERVER, "--proxy_connect_timeout", "5s").getMessage());
    }

    @Test
    void aMisspelledFlagSuggestsTheNearestOne() {
        assertEquals("--proxy-conect-timeout: unknown flag; did you mean --proxy-connect-timeout?",
                refused(SERVER, "--proxy-conect-timeout", "5s").getMessage());
        assertEquals("--listn: unknown flag; did you mean --listen?", refused(SERVER, "--listn", "x").getMessage());
    }

    @Test
    void aStrayArgumentIsRefused() {
        assertEquals("unexpected argument \"127.0.0.1:9001\" (flags start with --; see --help)",
                refused("127.0.0.1:9001").getMessage());
        assertTrue(refused(SERVER, "-x").getMessage().startsWith("unexpected argument \"-x\""));
    }

    @Test
    void aMissingValueIsNamed() {
        assertTrue(refused("--server").getMessage().startsWith("--server: missing value 'ADDRESS"));
        assertEquals("--listen: missing value 'HOST:PORT [ssl]'", refused("--listen", SERVER).getMessage());
        assertEquals("--proxy-read-timeout: missing value T", refused(SERVER, "--proxy-read-timeout").getMessage());
    }

    @Test
    void aValueMayFollowAnEqualsSign() {
        Settings settings = Cli.parse("--server=127.0.0.1:9001 weight=2", "--proxy-connect-timeout=5s");
        assertEquals("127.0.0.1:9001 weight=2", settings.servers().get(0).text());
    }

    @Test
    void aFlagWithoutValueRefusesOne() {
        assertEquals("--demo: takes no value, got \"yes\"", refused("--demo=yes").getMessage());
    }

    @Test
    void repeatableFlagsAccumulateInOrder() {
        Settings settings = Cli.parse("--server", "127.0.0.1:9001", "--listen", "127.0.0.1:0", "--server", "127.0.0.1:9002 backup",
                "--listen", "127.0.0.1:0", "--proxy-set-header", "X-A 1", "--proxy-set-header", "X-B 2");
        assertEquals(List.of("127.0.0.1:9001", "127.0.0.1:9002 backup"),
                settings.servers().stream().map(ServerLine::text).toList());
    }

    @Test
    void aFlagThatDoesNotRepeatIsRefusedTheSecondTime() {
        UsageException e = refused(SERVER, "--proxy-connect-timeout", "1s", "--proxy-connect-timeout", "2s");
        assertEquals("--proxy-connect-timeout: given twice (\"1s\" and \"2s\"); it is not repeatable", e.getMessage());
        assertEquals("--demo: given twice", refused("--demo", "--demo").getMessage());
    }

    @Test
    void aBadTimeNamesTheFlagAndTheValue() {
        assertEquals("--proxy-connect-timeout: invalid time \"5x\"" + NginxSyntax.TIME_FORMS,
                refused(SERVER, "--proxy-connect-timeout", "5x").getMessage());
        assertEquals("--upstream-keepalive-timeout: invalid time \"-1s\"" + NginxSyntax.TIME_FORMS,
                refused(SERVER, "--upstream-keepalive-timeout", "-1s").getMessage());
    }

    @Test
    void badValuesOfEachKindNameTheirFlag() {
        assertEquals("--client-max-body-size: invalid size \"1q\"", refused(SERVER, "--client-max-body-size", "1q").getMessage());
        assertEquals("--keepalive-requests: invalid number \"many\"", refused(SERVER, "--keepalive-requests", "many").getMessage());
        assertEquals("--proxy-buffering: invalid value \"yes\" (on or off)", refused(SERVER, "--proxy-buffering", "yes").getMessage());
        assertEquals("--proxy-buffers: expected 'N SIZE', got \"8\"", refused(SERVER, "--proxy-buffers", "8").getMessage());
        assertEquals("--proxy-buffers: invalid size \"4q\"", refused(SERVER, "--proxy-buffers", "8 4q").getMessage());
        assertEquals("--client-body-buffer-size: invalid size \"x\"", refused(SERVER, "--client-body-buffer-size", "x").getMessage());
        assertTrue(refused(SERVER, "--proxy-next-upstream", "error http_501").getMessage()
                .startsWith("--proxy-next-upstream: invalid condition \"http_501\""));
        assertTrue(refused(SERVER, "--balance", "fastest").getMessage().startsWith("--balance: invalid method \"fastest\""));
        assertTrue(refused("--server", "a:1 weight=x").getMessage().startsWith("--server: invalid weight \"x\" in \"a:1 weight=x\""));
    }

    @Test
    void aResolverIsIpAddressesWithOptionalPortsAndAnyOtherValueIsRefusedNamingTheFlag() {
        Cli.parse(SERVER, "--resolver", "127.0.0.1 10.0.0.53:5353 [::1]:53 ::1 valid=30s", "--resolver-timeout", "5s");

        assertEquals("--resolver: a DNS server is an IP address with an optional port: \"dns.example\"",
                refused(SERVER, "--resolver", "dns.example").getMessage());
        assertEquals("--resolver: no DNS server address in \"valid=5s\"",
                refused(SERVER, "--resolver", "valid=5s").getMessage());
        assertEquals("--resolver-timeout", refused(SERVER, "--resolver-timeout", "soon").flag());
    }

    @Test
    void aServerToResolveNeedsAResolverAndAServiceANameWithoutAPort() {
        Settings settings = Cli.parse("--server", "api.test:8080 resolve");
        UsageException noResolver = assertThrows(UsageException.class, settings::upstream);
        UsageException port = assertThrows(UsageException.class, Cli.parse("--server", "api.test:8080 service=http"
                + " resolve", "--resolver", "127.0.0.1")::upstream);

        assertEquals("--server", noResolver.flag());
        assertTrue(noResolver.getMessage().contains("needs a resolver that asks DNS servers"), noResolver.getMessage());
        assertEquals("--server", port.flag());
        assertTrue(port.getMessage().contains("service needs a host name without a port"), port.getMessage());
        assertEquals("api.test service=http resolve", Cli.parse("--server", "api.test service=http resolve",
                "--resolver", "127.0.0.1").upstream().servers().get(0).toString());
    }

    @Test
    void aKubernetesLineNamesItsNamespaceAndServiceAndItsApiServerIsAUrl() {
        UsageException noNamespace = assertThrows(UsageException.class, Cli.parse("--server", "k8s:web")::upstream);
        UsageException badService = assertThrows(UsageException.class,
                Cli.parse("--server", "k8s:shop/Web_1")::upstream);

        assertEquals("--server", noNamespace.flag());
        assertTrue(noNamespace.getMessage().contains("write k8s:NAMESPACE/SERVICE[:PORT]"), noNamespace.getMessage());
        assertTrue(badService.getMessage().contains("service must be a DNS label"), badService.getMessage());
        assertEquals("--kubernetes-api: write https://HOST[:PORT], not \"ftp://api\"",
                refused("--server", "k8s:shop/web", "--kubernetes-api", "ftp://api").getMessage());
        assertEquals("k8s:shop/web:8080 discovered", Cli.parse("--server", "k8s:shop/web:8080",
                "--kubernetes-api", "http://127.0.0.1:1", "--kubernetes-token", "/dev/null").upstream().servers()
                .get(0).toString());
    }

    @Test
    void aServerIsRequiredUnlessTheDemoRuns() {
        assertEquals("--server: at least one is required (or try --demo; see --help)", refused().getMessage());
        assertEquals("--server", refused("--listen", "127.0.0.1:0").flag());
    }

    @Test
    void theDemoTakesOnlyListenWorkersAndAccessLog() {
        Settings demo = Cli.parse("--demo", "--listen", "127.0.0.1:0", "--worker-processes", "1", "--access-log", "off");
        assertTrue(demo.demo());
        UsageException e = refused("--demo", "--proxy-connect-timeout", "1s");
        assertEquals("--proxy-connect-timeout", e.flag());
        assertTrue(e.getMessage().contains("cannot be combined with --demo"), e.getMessage());
        assertEquals("--server", refused(SERVER, "--demo").flag());
        assertTrue(refused("--demo", "--server", "a:1 weight=x").getMessage().contains("cannot be combined with --demo"));
    }

    @Test
    void helpWinsOverEverythingElse() {
        assertTrue(Cli.parse("--bogus", "--help").help());
        assertTrue(Cli.parse("-h").help());
    }

    @Test
    void theAccessLogIsOffByDefaultAndOnStdoutForTheDemo(@TempDir Path dir) {
        assertEquals(AccessLogTarget.OFF, Cli.parse(SERVER).accessLog());
        assertEquals(AccessLogTarget.STDOUT, Cli.parse("--demo").accessLog());
        assertEquals(AccessLogTarget.OFF, Cli.parse("--demo", "--access-log", "off").accessLog());
        assertEquals(AccessLogTarget.STDOUT, Cli.parse(SERVER, "--access-log", "stdout").accessLog());
        Path file = dir.resolve("access.log");
        AccessLogTarget target = Cli.parse(SERVER, "--access-log", file.toString()).accessLog();
        assertEquals(AccessLogTarget.Kind.FILE, target.kind());
        assertEquals(file, target.file());
        assertFalse(Files.exists(file), "parsing creates nothing");
    }

    @Test
    void theAccessLogTakesAFormatNamedAfterItsPath(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("with space.log");
        Settings settings = Cli.parse(SERVER, "--log-format", "short $status $request_uri",
                "--access-log", file + " short");
        assertEquals(new AccessLogTarget(AccessLogTarget.Kind.FILE, file, "short"), settings.accessLog());
        AccessLog log = settings.openAccessLog();
        log.exchangeEnded(new ExchangeRecord("10.0.0.9", "GET", "/x", "HTTP/1.1", 204, 0, 0, List.of(), 0, null,
                null, null, null, null, null, null, Map.of()));
        log.close();
        assertEquals(List.of("204 /x"), Files.readAllLines(file));
        assertEquals("combined", Cli.parse(SERVER, "--access-log", "stdout combined").accessLog().format());
    }

    @Test
    void anUndefinedLogFormatIsRefusedWhenTheLogOpens(@TempDir Path dir) {
        Settings settings = Cli.parse(SERVER, "--access-log", dir.resolve("a.log") + " fancy");
        UsageException e = assertThrows(UsageException.class, settings::openAccessLog);
        assertEquals("--access-log: unknown log format \"fancy\" (combined, upstream, or one given by --log-format)",
                e.getMessage());
        assertTrue(refused(SERVER, "--log-format", "main $bytes").getMessage().startsWith("--log-format: log format:"));
    }

    @Test
    void anAccessLogThatCannotBeWrittenIsRefused(@TempDir Path dir) {
        String missing = dir.resolve("no/such/dir/access.log").toString();
        assertEquals("--access-log: cannot write \"" + missing + "\": no such directory",
                refused(SERVER, "--access-log", missing).getMessage());
        assertEquals("--access-log: \"" + dir + "\" is a directory", refused(SERVER, "--access-log", dir.toString()).getMessage());
    }

    @Test
    void anErrorPageIsReadAtStartupWithTheTypeOfItsName(@TempDir Path dir) throws IOException {
        Path page = Files.writeString(dir.resolve("50x page.html"), "<h1>sorry</h1>\n");
        ErrorPageLine line = ErrorPageLine.parse("500 502  503 " + page);
        assertEquals(List.of(500, 502, 503), line.codes());
        assertEquals(page, line.file());
        assertEquals(List.of(500, 502, 503), line.pages().stream().map(ErrorPage::status).toList());
        for (ErrorPage read : line.pages()) {
            assertArrayEquals("<h1>sorry</h1>\n".getBytes(StandardCharsets.UTF_8), read.body());
            assertEquals("text/html", read.contentType());
        }
        Path json = Files.writeString(dir.resolve("404.json"), "{\"error\":\"not found\"}");
        assertEquals("application/json", ErrorPageLine.parse("404 " + json).pages().get(0).contentType());
    }

    @Test
    void aBadErrorPageNamesTheFlag(@TempDir Path dir) {
        Path missing = dir.resolve("missing.html");
        assertEquals("--error-page: cannot read \"" + missing + "\": no such file",
                refused(SERVER, "--error-page", "500 " + missing).getMessage());
        assertEquals("--error-page: missing FILE after the codes: \"500 502\"", refused(SERVER, "--error-page", "500 502").getMessage());
        assertEquals("--error-page: expected 'CODE [CODE...] FILE', got \"/x.html\"",
                refused(SERVER, "--error-page", "/x.html").getMessage());
        assertTrue(refused(SERVER, "--error-page", "404 =200 /x.html").getMessage()
                .startsWith("--error-page: changing the status (\"=200\") is not supported"));
        assertTrue(refused(SERVER, "--error-page", "500 " + dir).getMessage().startsWith("--error-page: cannot read"));
    }

    @Test
    void aHeaderLineIsANameAndTheRest() {
        assertEquals(new HeaderLine("X-Forwarded-For", "$proxy_add_x_forwarded_for"),
                HeaderLine.parse("X-Forwarded-For $proxy_add_x_forwarded_for"));
        assertEquals(new HeaderLine("X-Pair", "a b"), HeaderLine.parse("X-Pair   a b "));
        assertEquals(new HeaderLine("X-Quoted", "a b"), HeaderLine.parse("X-Quoted \"a b\""));
        assertEquals(new HeaderLine("Connection", ""), HeaderLine.parse("Connection \"\""));
        assertEquals(new HeaderLine("Connection", ""), HeaderLine.parse("Connection"));
        assertEquals("--proxy-set-header: expected 'NAME VALUE', got \" \"", refused(SERVER, "--proxy-set-header", " ").getMessage());
    }

    @Test
    void workerProcessesAreANumberOrAuto() {
        Cli.parse(SERVER, "--worker-processes", "auto");
        Cli.parse(SERVER, "--worker-processes", "4");
        assertEquals("--worker-processes: invalid value \"0\" (a number from 1, or auto)",
                refused(SERVER, "--worker-processes", "0").getMessage());
        assertEquals("--worker-processes: invalid number \"many\"", refused(SERVER, "--worker-processes", "many").getMessage());
    }

    @Test
    void proxyBindTakesAnIpAddressOrOff() {
        Cli.parse(SERVER, "--proxy-bind", "off");
        Cli.parse(SERVER, "--proxy-bind", "::1");
        assertEquals("--proxy-bind: invalid address \"example.com\" (an IP address, or off)",
                refused(SERVER, "--proxy-bind", "example.com").getMessage());
        assertEquals("--proxy-bind: invalid address \"10.0.0.256\" (an IP address, or off)",
                refused(SERVER, "--proxy-bind", "10.0.0.256").getMessage());
    }

    @Test
    void everyFlagOfTheContractIsKnown() {
        List<String> names = Cli.flags().stream().map(Flags.Flag::name).toList();
        for (String flag : List.of("--listen", "--worker-processes", "--server", "--balance", "--upstream-keepalive",
                "--upstream-keepalive-requests", "--upstream-keepalive-time", "--upstream-keepalive-timeout",
                "--proxy-connect-timeout", "--proxy-send-timeout", "--proxy-read-timeout", "--proxy-next-upstream",
                "--proxy-next-upstream-tries", "--proxy-next-upstream-timeout", "--proxy-intercept-errors", "--error-page",
                "--proxy-buffering", "--proxy-buffers", "--proxy-request-buffering", "--proxy-buffer-size", "--proxy-set-header",
                "--proxy-pass", "--proxy-http-version", "--proxy-socket-keepalive", "--proxy-bind", "--proxy-ignore-client-abort",
                "--proxy-upgrade", "--underscores-in-headers", "--ignore-invalid-headers",
                "--proxy-ssl-verify", "--proxy-ssl-trusted-certificate", "--proxy-ssl-server-name", "--proxy-ssl-name",
                "--proxy-ssl-certificate", "--proxy-ssl-certificate-key", "--proxy-ssl-session-reuse",
                "--client-header-timeout", "--client-body-timeout", "--send-timeout", "--keepalive-timeout",
                "--keepalive-requests", "--client-max-body-size", "--client-body-buffer-size", "--client-body-temp-path",
                "--health-check", "--sticky", "--queue", "--api-listen", "--upstream-state", "--ntlm",
                "--access-log", "--status-listen", "--demo", "--help")) {
            assertTrue(names.contains(flag), flag);
        }
    }
}
