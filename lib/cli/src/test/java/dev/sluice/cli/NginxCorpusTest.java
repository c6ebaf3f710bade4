package dev.sluice.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.observe.AccessLog;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Real nginx configurations, as {@code -c} reads them: every nginx block of the reference documents that Sluice's
 * features cover ({@code nginx/reference/}, each made a whole file, see its README) and public configurations of
 * open-source projects ({@code nginx/public/}, with their sources and licences in SOURCES.md). Each either maps
 * whole, or stops at the first thing Sluice does not implement with the error this table expects, naming the file
 * and line. The reference files are also built (their servers are loopback addresses); the public ones are only
 * mapped and printed as Java, since building would resolve their host names.
 */
class NginxCorpusTest {

    /** The first error of each file that has one; every other file maps and builds. */
    private static final Map<String, String> REFERENCE_ERRORS = Map.of(
            "002-proxy-bind-transparent.conf", ":6: not supported: \"proxy_bind\": variables and transparent",
            "004-dynamic-zone-resolve-health-check.conf", ":14: resolve needs a host name, not an address",
            "006-resolve-zone-schematic.conf", ":10: resolve needs a host name, not an address",
            "008-memcached-keepalive.conf", ":17: not supported: \"set\"",
            "010-fastcgi-keepalive.conf", ":16: not supported: \"fastcgi_pass\"",
            "014-match-blocks.conf", ":5: no \"server\" block in \"http\"",
            "039-complete-production.conf", ":33: not supported: \"gzip\": compression");

    /** The first error of each public file that has one at mapping; every other file maps and prints as Java. */
    private static final Map<String, String> PUBLIC_ERRORS = Map.ofEntries(
            Map.entry("03-gunicorn.conf", "cannot open"),
            Map.entry("05-nginx-ldap-auth.conf", ":8: not supported: \"proxy_cache_path\""),
            Map.entry("06-nginx-demos-fun-with-health-checks.conf", ":5: \"resolver\": a DNS server is an IP address"),
            Map.entry("07-nginx-demos-random-files.conf", ":77: not supported: \"stream\""),
            Map.entry("08-nginx-demos-autoscaling.conf", ":24: not supported: \"sub_filter\""),
            Map.entry("10-tusd.conf", ":13: not supported: \"ssl_trusted_certificate\""),
            Map.entry("09-mattermost-docker.conf", ":9: not supported: \"proxy_cache_path\""),

            Map.entry("11-nginx-certbot.conf", ":25: cannot open /etc/letsencrypt/options-ssl-nginx.conf"),
            Map.entry("12-oauth2-proxy.conf", ":24: not supported: \"proxy_pass_request_body\""),
            Map.entry("13-nginx-proxy-manager.conf", ":101: not supported: \"stream\""),
            Map.entry("15-home-assistant-addons-deconz.conf", "cannot open"),
            Map.entry("16-njs-examples-stream-detect-http.conf", ":3: not supported: \"load_module\""),
            Map.entry("17-huginn.conf", ":50: not supported: \"ssl\""),
            Map.entry("18-vouch-proxy.conf", Files.exists(Path.of("/etc/nginx/mime.types"))
                    ? ":39: not supported: \"auth_request\"" : ":5: cannot open /etc/nginx/mime.types"));

    @TempDir
    Path dir;

    static Stream<String> reference() throws IOException, URISyntaxException {
        return confs("reference");
    }

    static Stream<String> publicFiles() throws IOException, URISyntaxException {
        return confs("public");
    }

    private static Stream<String> confs(String folder) throws IOException, URISyntaxException {
        Path path = Path.of(NginxCorpusTest.class.getResource("/nginx/" + folder).toURI());
        try (Stream<Path> files = Files.list(path)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".conf")).sorted().toList().stream();
        }
    }

    private static Path resource(String folder, String name) throws URISyntaxException {
        return Path.of(NginxCorpusTest.class.getResource("/nginx/" + folder + "/" + name).toURI());
    }

    @ParameterizedTest
    @MethodSource("reference")
    void aReferenceBlockBuildsOrStopsWhereSluiceDiffers(String name) throws Exception {
        Path file = inTemp(resource("reference", name));
        String expected = REFERENCE_ERRORS.get(name);
        try {
            NginxConfig config = NginxConfig.read(file);
            config.toJava("Reference");
            AccessLog log = config.build().accessLog();
            if (log != null) {
                log.close();
            }
            assertEquals(null, expected, name + " built");
        } catch (UsageException e) {
            assertExpected(file, expected, e);
        }
    }

    /**
     * The file in the test's directory with its pages ({@code html/}), the log directory it names
     * ({@code /var/log/nginx/}) moved there too, as {@code nginx -p} moves a prefix.
     */
    private Path inTemp(Path file) throws IOException {
        Path html = Files.createDirectories(dir.resolve("html"));
        try (Stream<Path> pages = Files.list(file.resolveSibling("html"))) {
            for (Path page : pages.toList()) {
                Files.copy(page, html.resolve(page.getFileName()));
            }
        }
        Path copy = dir.resolve(file.getFileName());
        Files.writeString(copy, Files.readString(file).replace("/var/log/nginx/", dir + "/"));
        return copy;
    }

    @ParameterizedTest
    @MethodSource("publicFiles")
    void aPublicConfigurationMapsOrStopsWhereSluiceDiffers(String name) throws Exception {
        Path file = resource("public", name);
        if (Files.readString(file).contains("# context: http (included)")) {
            Path whole = dir.resolve("nginx.conf");
            Files.writeString(whole, "events {}\nhttp {\ninclude " + file + ";\n}\n");
            file = whole;
        }
        String expected = PUBLIC_ERRORS.get(name);
        try {
            NginxConfig.read(file).toJava("Public");
            assertEquals(null, expected, name + " mapped");
        } catch (UsageException e) {
            assertExpected(resource("public", name), expected, e);
        }
    }

    private static void assertExpected(Path file, String expected, UsageException e) {
        String message = e.getMessage();
        assertTrue(expected != null && message.contains(expected), () -> file.getFileName() + ": " + message);
        if (expected.startsWith(":")) {
            assertTrue(message.startsWith(file + expected), () -> "names the file and line: " + message);
        }
    }

    @Test
    void theCorpusIsWhatItsReadmesList() throws Exception {
        List<String> reference = reference().toList();
        List<String> publicFiles = publicFiles().toList();
        String readme = Files.readString(resource("reference", "README.md"));
        String sources = Files.readString(resource("public", "SOURCES.md"));
        reference.forEach(n -> assertTrue(readme.contains(n), n + " in reference/README.md"));
        publicFiles.forEach(n -> assertTrue(sources.contains(n), n + " in public/SOURCES.md"));
        assertEquals(39, reference.size());
        assertEquals(18, publicFiles.size());
    }
}
