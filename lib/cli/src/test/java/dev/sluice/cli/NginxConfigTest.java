package dev.sluice.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.MediaTypes;
import dev.sluice.testing.TestCertificates;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What each part of an nginx configuration becomes on the builders, read from the code {@code --to-java} prints
 * (the same calls {@code -c} runs), and the errors that name file and line. Behaviour with real sockets is in
 * {@link NginxConfigProxyTest}.
 */
class NginxConfigTest {

    @TempDir
    Path dir;

    private NginxConfig config(String http) throws IOException {
        Path file = dir.resolve("nginx.conf");
        Files.writeString(file, "events {}\nhttp {\n" + http + "\n}\n");
        return NginxConfig.read(file);
    }

    private String java(String http) throws IOException {
        return config(http).toJava("Proxy");
    }

    /** Writes a page file at {@code relative} to the configuration's prefix: one an error_page reads at start. */
    private void page(String relative) throws IOException {
        Path file = dir.resolve(relative);
        Files.createDirectories(file.getParent());
        Files.writeString(file, "<p>sorry</p>");
    }

    private String error(String http) throws IOException {
        return assertThrows(UsageException.class, () -> config(http)).getMessage().replace(dir + "/", "");
    }

    /** The error of building {@code http}, which reads without one: a value the library refuses. */
    private String buildError(String http) throws IOException {
        NginxConfig config = config(http);
        return assertThrows(UsageException.class, config::build).getMessage().replace(dir + "/", "");
    }

    private static void assertStartsWith(String text, String start) {
        assertTrue(text.startsWith(start), text);
    }

    private static void assertHas(String code, String... lines) {
        for (String line : lines) {
            assertTrue(code.contains(line), () -> "no \"" + line + "\" in\n" + code);
        }
    }

    @Test
    void anUpstreamBlockIsAGroupWithItsServersMethodAndKeepalive() throws IOException {
        String code = java("upstream app {\n least_conn;\n server 127.0.0.1:9001 weight=3 max_fails=2 fail_timeout=10s;\n"
                + " server 127.0.0.1:9002 backup;\n keepalive 16;\n keepalive_timeout 30s;\n}\n"
                + "server { listen 127.0.0.1:8080; location / { proxy_pass http://app; } }");
        assertHas(code, "UpstreamGroup app = UpstreamGroup.builder(\"app\")",
                ".balancer(Balancer.leastConn())",
                ".server(\"127.0.0.1:9001\", peer -> peer\n",
                ".weight(3)", ".maxFails(2)", ".failTimeout(Duration.ofSeconds(10)))",
                ".server(\"127.0.0.1:9002\", peer -> peer.backup())",
                ".keepalive(keepalive -> keepalive\n", ".idle(16)", ".idleTimeout(Duration.ofSeconds(30)))",
                ".route(\"/\", route -> route\n", ".upstream(app)\n", ".upgradeProtocols()));");
    }

    @Test
    void aBackupServerUnderAMethodWithoutBackupsNamesItsOwnLine() throws IOException {
        assertEquals("nginx.conf:6: balancing method does not support parameter \"backup\" (\"hash\" at"
                        + " nginx.conf:4)",
                error("upstream app {\n hash $uri;\n server 127.0.0.1:9001;\n server 127.0.0.1:9002 backup;\n}\n"
                        + "server { listen 127.0.0.1:8080; location / { proxy_pass http://app; } }"));
        assertEquals("nginx.conf:4: balancing method does not support parameter \"backup\" (\"random\" at"
                        + " nginx.conf:5)",
                error("upstream app {\n server 127.0.0.1:9002 backup;\n random;\n server 127.0.0.1:9001;\n}\n"
                        + "server { listen 127.0.0.1:8080; location / { proxy_pass http://app; } }"));
    }

    @Test
    void aLocationInheritsWhatItDoesNotSetAndReplacesWhatItDoesAsNginxDoes() throws IOException {
        String code = java("proxy_set_header Host $host;\nproxy_set_header X-A a;\nproxy_read_timeout 30s;\n"
                + "upstream b { server 127.0.0.1:9001; }\n"
                + "server { listen 127.0.0.1:8080; proxy_connect_timeout 2s;\n"
                + " location /inherits/ { proxy_pass http://b; }\n"
                + " location /own/ { proxy_pass http://b; proxy_set_header X-B b; proxy_read_timeout 5s; } }");
        String inherits = code.substring(code.indexOf("/inherits/"), code.indexOf("/own/"));
        assertHas(inherits, ".setHeader(\"Host\", \"$host\")", ".setHeader(\"X-A\", \"a\")",
                ".readTimeout(Duration.ofSeconds(30))", ".connectTimeout(Duration.ofSeconds(2))");
        String own = code.substring(code.indexOf("/own/"));
        assertHas(own, ".setHeader(\"X-B\", \"b\")", ".readTimeout(Duration.ofSeconds(5))",
                ".connectTimeout(Duration.ofSeconds(2))");
        assertFalse(own.contains("X-A"), own);
        assertFalse(own.contains("\"Host\""), own);
    }

    @Test
    void theHashKeyOfAGroupGoesToEveryRouteToIt() throws IOException {
        String code = java("upstream h { hash $request_uri consistent; server 127.0.0.1:9001; }\n"
                + "server { listen 127.0.0.1:8080; location /a/ { proxy_pass http://h; } location /b/ { proxy_pass http://h/v2/; } }");
        assertHas(code, ".balancer(Balancer.hash().consistent())",
                ".route(\"/a/\", route -> route\n", ".hashKey(\"$request_uri\")", ".passUri(\"/v2/\")");
        assertEquals(2, code.split("hashKey").length - 1, code);
    }

    @Test
    void proxyPassToAnAddressWithoutABlockMakesAGroupOfThatServer() throws IOException {
        String code = java("server { listen 127.0.0.1:8080; location / { proxy_pass http://127.0.0.1:9005; }"
                + " location /x/ { proxy_pass http://127.0.0.1:9005/y/; } }");
        assertHas(code, "UpstreamGroup group1270019005 = UpstreamGroup.builder(\"127.0.0.1:9005\")",
                ".server(\"127.0.0.1:9005\")", ".upstream(group1270019005)");
        assertEquals(1, code.split("UpstreamGroup.builder").length - 1, "one group for both: " + code);
    }

    @Test
    void aProxyPassUriWithVariablesIsTheWholeTargetAndItsHostNamesNone() throws IOException {
        String code = java("upstream app { server 127.0.0.1:9005; }\n"
                + "server { listen 127.0.0.1:8080; location / { proxy_pass http://app$request_uri; }"
                + " location ~ ^/u/(\\d+)$ { proxy_pass http://app/profile?id=$1; } }");
        assertHas(code, ".passUri(\"$request_uri\")", ".passUri(\"/profile?id=$1\")");
        assertEquals("nginx.conf:3: not supported: \"proxy_pass\": variables in the URL's host (http://$backend/)",
                error("server { listen 127.0.0.1:8080; location / { proxy_pass http://$backend/; } }"));
    }

    @Test
    void returnAnswersWithItsTextOrLocationAndAServerLevelReturnAnswersEverything() throws IOException {
        String code = java("server { listen 127.0.0.1:8080; location = /health { return 200 \"ok\\n\"; }"
                + " location /old { return https://example.com$request_uri; } location /gone { return 410; } }\n"
                + "server { listen 127.0.0.1:8081; location / { proxy_pass http://127.0.0.1:9001; }"
                + " return 301 https://$host$request_uri; }");
        assertHas(code, ".returns(200, \"ok\\n\")\n", ".mediaTypes(",
                ".route(\"/old\", route -> route.returns(302, \"https://example.com$request_uri\"))",
                ".route(\"/gone\", route -> route.returns(410, \"\"))",
                ".route(\"/\", route -> route.returns(301, \"https://$host$request_uri\"))");
        assertEquals("nginx.conf:3: not supported: \"return\": 444 (close without a response)",
                error("server { listen 127.0.0.1:8080; location / { return 444; } }"));
    }

    /** nginx's own {@code mime.types}, written where {@code include mime.types} finds it. */
    private void mimeTypes() throws IOException {
        StringBuilder file = new StringBuilder("types {\n");
        MediaTypes.nginx().byExtension().forEach((extension, type) -> file.append("    ").append(type).append(' ')
                .append(extension).append(";\n"));
        Files.writeString(dir.resolve("mime.types"), file.append("}\n"));
    }

    @Test
    void theStockMimeTypesAndDefaultTypeAreTheLibrarysDefaultAndNeedNoCall() throws IOException {
        mimeTypes();
        String code = java("include mime.types;\ndefault_type application/octet-stream;\n"
                + "server { listen 127.0.0.1:8080; location / { root html; } location = /hi { return 200 hi; } }");
        assertFalse(code.contains("mediaTypes"), code);
    }

    @Test
    void aDefaultTypeOfItsOwnBesideTheStockTableChangesOnlyTheDefault() throws IOException {
        mimeTypes();
        String code = java("include mime.types;\ndefault_type text/plain;\n"
                + "server { listen 127.0.0.1:8080; location / { root html; } location = /hi { return 200 hi; }"
                + " location /old { return 301 /new; } }");
        assertHas(code, ".root(Path.of(", ".mediaTypes(MediaTypes.nginx()\n", ".toBuilder()\n", ".defaultType(\"text/plain\")\n",
                "route -> route.returns(301, \"/new\"))");
        assertEquals(2, code.split("\\.mediaTypes\\(").length - 1, "the root and the text, not the redirect: " + code);
    }

    @Test
    void withoutTypesAnywhereNginxsThreeBuiltInTypesAndTextPlainApply() throws IOException {
        String code = java("server { listen 127.0.0.1:8080; location / { root html; } location /x { root html; } }");
        assertHas(code, "MediaTypes types = MediaTypes.builder()\n", ".type(\"text/html\", \"html\")\n",
                ".type(\"image/gif\", \"gif\")\n", ".type(\"image/jpeg\", \"jpg\")\n", ".mediaTypes(types)");
        assertEquals(1, code.split("MediaTypes.builder\\(\\)").length - 1, "one table for both routes: " + code);
        assertEquals(2, code.split("\\.mediaTypes\\(types\\)").length - 1, code);
    }

    @Test
    void aLocationsOwnTypesReplaceTheInheritedOnesWholeAndItsDefaultTypeIsInheritedApart() throws IOException {
        mimeTypes();
        NginxConfig config = config("include mime.types;\ndefault_type application/json;\n"
                + "server { listen 127.0.0.1:8080; location /docs/ { root html; types { text/markdown md MARKDOWN;"
                + " text/x-c c; text/x-csrc c; } } }");
        String code = config.toJava("Proxy");
        assertHas(code, "MediaTypes types = MediaTypes.builder()\n", ".type(\"text/markdown\", \"md\", \"markdown\")\n",
                ".type(\"text/x-csrc\", \"c\")\n", ".defaultType(\"application/json\")\n");
        assertEquals(List.of(dir.resolve("nginx.conf") + ":5: warning: duplicate extension \"c\", content type:"
                + " \"text/x-csrc\", previous content type: \"text/x-c\""), config.warnings());
    }

    @Test
    void aServersTypesAreItsLocationsOwnUnlessALocationHasItsOwn() throws IOException {
        String code = java("server { listen 127.0.0.1:8080; types { text/x-s ss; } default_type text/x-d;\n"
                + " location / { root html; } location /o/ { root html; types { text/x-o oo; } } }");
        assertHas(code, ".type(\"text/x-s\", \"ss\")\n", ".type(\"text/x-o\", \"oo\")\n", ".defaultType(\"text/x-d\")");
        assertEquals(2, code.split("\\.defaultType\\(\"text/x-d\"\\)").length - 1, "both routes' tables: " + code);
    }

    @Test
    void anEmptyTypeOrDefaultTypeIsTakenAsNginxTakesIt() throws IOException {
        String code = java("server { listen 127.0.0.1:8080; default_type \"\"; types { \"\" css; text/x-a a \"\" \"b c\"; }\n"
                + " location / { root html; } }");
        assertHas(code, ".type(\"\", \"css\")\n", ".type(\"text/x-a\", \"a\")\n", ".defaultType(\"\")\n");
        assertFalse(code.contains("\"b c\""), "an extension no path can have is left out: " + code);
    }

    @Test
    void aTypesLineThatCannotBeOneNamesItsFileAndLine() throws IOException {
        String server = "server { listen 127.0.0.1:8080; location / { root html; }\n";
        assertEquals("nginx.conf:3: directive \"types\" has no opening \"{\"", error("types text/html;\n" + server + "}"));
        assertEquals("nginx.conf:4: unexpected \"{\"", error("types {\n text/html { }\n}\n" + server + "}"));
        assertEquals("nginx.conf:3: invalid number of arguments in \"default_type\"",
                error("default_type text/html text/plain;\n" + server + "}"));
        assertEquals("nginx.conf:4: \"default_type\" directive is duplicate",
                error("default_type text/html;\ndefault_type text/plain;\n" + server + "}"));
    }

    @Test
    void theWebSocketIdiomOrAConstantUpgradeTurnsUpgradesOnAndALocationWithoutItForwardsNone() throws IOException {
        String code = java("map $http_upgrade $connection_upgrade { default upgrade; '' close; }\n"
                + "server { listen 127.0.0.1:8080; location /ws/ { proxy_pass http://127.0.0.1:9001;\n"
                + " proxy_http_version 1.1; proxy_set_header Upgrade $http_upgrade;\n"
                + " proxy_set_header Connection $connection_upgrade; proxy_set_header X-Real-IP $remote_addr; }\n"
                + " location /plain/ { proxy_pass http://127.0.0.1:9001; proxy_set_header Connection \"upgrade\"; }\n"
                + " location /fixed/ { proxy_pass http://127.0.0.1:9001; proxy_set_header Upgrade websocket;"
                + " proxy_set_header Connection upgrade; } }");
        assertHas(code, ".httpVersion(\"1.1\")", ".setHeader(\"X-Real-IP\", \"$remote_addr\")");
        assertFalse(code.contains("Upgrade\""), code);
        assertFalse(code.contains("Connection"), code);
        String ws = code.substring(code.indexOf(".route(\"/ws/\""), code.indexOf(".route(\"/plain/\""));
        String plain = code.substring(code.indexOf(".route(\"/plain/\""), code.indexOf(".route(\"/fixed/\""));
        String fixed = code.substring(code.indexOf(".route(\"/fixed/\""));
        assertFalse(ws.contains("upgradeProtocols"), "the idiom keeps the route's WebSocket upgrades: " + ws);
        assertTrue(plain.contains(".upgradeProtocols()"), "no idiom, no upgrade, as nginx: " + plain);
        assertTrue(fixed.contains(".upgradeProtocols(\"websocket\")") && !fixed.contains(".upgradeProtocols()"),
                "a constant Upgrade forwards the protocol it names: " + fixed);
    }

    @Test
    void aMapIsTheProxysDeclaredBeforeItsServersAndAnEntryItCannotTakeNamesItsLine() throws IOException {
        String code = java("map $cookie_x $y {\n default a;\n Key b;\n \"~^r(\\d)$\" r$1;\n volatile;\n volatile v;\n"
                + " \\\\back c;\n}\n"
                + "server { listen 127.0.0.1:8080; location / { proxy_pass http://127.0.0.1:9001;"
                + " proxy_set_header X $y; } }");
        assertHas(code, ".map(\"y\", \"$cookie_x\", variableMap -> variableMap\n", ".entry(\"default\", \"a\")\n",
                ".entry(\"Key\", \"b\")\n", ".entry(\"~^r(\\\\d)$\", \"r$1\")\n", ".entry(\"volatile\", \"v\")\n",
                ".entry(\"\\\\back\", \"c\"))\n", ".setHeader(\"X\", \"$y\")");
        assertTrue(code.indexOf(".map(") < code.indexOf(".route("), code);
        assertHas(java("map $host $b { x plain; hostnames; *.example.com wild; }\n"
                        + "server { listen 127.0.0.1:8080; location / { return 200; } }"),
                ".entry(\"x\", \"plain\")\n", ".hostnames()\n", ".entry(\"*.example.com\", \"wild\")");
        assertEquals("nginx.conf:3: map $b: invalid hostname or wildcard \"www.*.com\"",
                buildError("map $host $b { hostnames; www.*.com y; }\n"
                        + "server { listen 127.0.0.1:8080; location / { return 200; } }"));
        assertEquals("nginx.conf:4: map $b ~(x: not a regex: Unclosed group", buildError("map $uri $b {\n \"~(x\" y;\n}\n"
                + "server { listen 127.0.0.1:8080; location / { return 200; } }"));
    }

    @Test
    void clientSideDirectivesApplyToTheWholeProxyAndMayNotDifferBetweenLevels() throws IOException {
        String code = java("keepalive_timeout 65;\n"
                + "server { listen 127.0.0.1:8080; keepalive_timeout 65; location / { return 200; } }");
        assertHas(code, ".keepaliveTimeout(Duration.ofSeconds(65))");
        assertEquals(1, code.split("keepaliveTimeout").length - 1, code);
        assertEquals("nginx.conf:5: not supported: \"send_timeout\": different values at different levels"
                + " (\"5s\", and \"10s\" at nginx.conf:3): it applies to the whole proxy here",
                error("send_timeout 10s;\nserver { listen 127.0.0.1:8080;\n location / { return 200; }"
                        + " send_timeout 5s; }"));
    }

    @Test
    void clientMaxBodySizeIsEachLocationsOwnAsNginxInheritsIt() throws IOException {
        String code = java("client_max_body_size 10m;\n"
                + "server { listen 127.0.0.1:8080;\n location /upload/ { client_max_body_size 0; return 200; }\n"
                + " location / { return 200; } }");
        String upload = code.substring(code.indexOf(".route(\"/upload/\""), code.indexOf(".route(\"/\""));
        String rest = code.substring(code.indexOf(".route(\"/\""));
        assertHas(upload, ".clientMaxBodySize(0L)");
        assertHas(rest, ".clientMaxBodySize(10485760L)");
    }

    @Test
    void workerAndEventDirectivesSetTheLoops() throws IOException {
        Path file = dir.resolve("nginx.conf");
        Files.writeString(file, "worker_processes 2;\npid /run/x.pid;\nevents { worker_connections 512; use epoll; }\n"
                + "http { server { listen 127.0.0.1:8080; location / { return 200; } } }");
        assertHas(NginxConfig.read(file).toJava("P"), ".workers(2)", ".workerConnections(512)");
    }

    @Test
    void whatSluiceDoesNotImplementIsAnErrorNamingFileLineAndWhy() throws IOException {
        String server = "server { listen 127.0.0.1:8080; location / { proxy_pass http://127.0.0.1:9001;\n";
        assertEquals("nginx.conf:4: unknown directive \"proxy_frobnicate\" in location",
                error(server + "proxy_frobnicate on; } }"));
        assertEquals("nginx.conf:4: not supported: \"if\": conditions per request; a ProxyHandler decides in code",
                error(server + "if ($x) { return 403; } } }"));
        assertEquals("nginx.conf:4: not supported: \"proxy_cache\": caching", error(server + "proxy_cache one; } }"));
        assertEquals("nginx.conf:4: not supported: \"location\": a location inside a location",
                error(server + "location /in/ { return 200; } } }"));
        assertEquals("nginx.conf:3: not supported: \"listen\": the listen parameter \"reuseport\"",
                error("server { listen 127.0.0.1:8080 reuseport; location / { return 200; } }"));
        assertEquals("nginx.conf:2: no \"server\" block in \"http\": nothing listens", error("upstream b { server a:1; }"));
    }

    @Test
    void directivesThatWouldDoSomethingSluiceDoesOtherwiseAreAcceptedWithAWarning() throws IOException {
        NginxConfig config = config("ssl_session_timeout 10m;\nserver { listen 127.0.0.1:8080; location / { return 200; } }");
        assertEquals(List.of(dir.resolve("nginx.conf") + ":3: warning: \"ssl_session_timeout\" is not applied: the"
                + " JDK's session timeout applies (24 hours)"), config.warnings());
    }

    @Test
    void offValuesOfWhatSluiceNeverDoesAreAccepted() throws IOException {
        String code = java("gzip off; server_tokens off;\n"
                + "server { listen 127.0.0.1:8080; location / { proxy_pass http://127.0.0.1:9001; proxy_cache off; } }");
        assertHas(code, ".upstream(");
        assertEquals("nginx.conf:3: not supported: \"gzip\": compression", error("gzip on;"));
    }

    @Test
    void anUpstreamBlocksHashKeyAndStickyRouteMayNameAMapWrittenAnywhereInHttp() throws IOException {
        String http = "upstream app {\n hash $shard consistent;\n server 127.0.0.1:9001;\n}\n"
                + "upstream web {\n sticky route $route_cookie;\n server 127.0.0.1:9002 route=a;\n}\n"
                + "map $cookie_user $shard { default a; ~^vip vip; }\n"
                + "map $cookie_jsessionid $route_cookie { ~.+\\.(?P<route>\\w+)$ $route; }\n"
                + "server { listen 127.0.0.1:8080; location / { proxy_pass http://app; }"
                + " location /w/ { proxy_pass http://web; } }";
        assertHas(java(http), ".hashKey(\"$shard\")", "Sticky.route(\"$route_cookie\")");
        config(http).build();
        assertEquals("nginx.conf:4: \"hash\": hash key uses an unknown variable $shards",
                error("upstream app {\n hash $shards;\n server 127.0.0.1:9001;\n}\nmap $uri $shard { }\n"
                        + "server { listen 127.0.0.1:8080; location / { proxy_pass http://app; } }"));
    }

    @Test
    void proxyRedirectIsDefaultOffOrLinesOfItsOwnInTheirOrder() throws IOException {
        String code = java("server { listen 127.0.0.1:8080; location /a/ { proxy_pass http://127.0.0.1:9001/b/;"
                + " proxy_redirect off; } location /c/ { proxy_pass http://127.0.0.1:9001; proxy_redirect default;"
                + " proxy_redirect http://localhost:8000/ /; proxy_redirect ~*^https?://[^/]+(/.*)$ $1; } }");
        assertHas(code, ".redirectRewrite(false)", ".redirectRewrite(true)\n",
                ".redirectRewrite(\"http://localhost:8000/\", \"/\")\n",
                ".redirectRewrite(\"~*^https?://[^/]+(/.*)$\", \"$1\")");
        assertEquals("nginx.conf:5: \"proxy_redirect\" directive is duplicate (off goes alone)",
                error("server { listen 127.0.0.1:8080; location / { proxy_pass http://127.0.0.1:9001;\n"
                        + " proxy_redirect off;\n proxy_redirect http://x/ /; } }"));
        assertEquals("nginx.conf:3: invalid parameter \"on\" (default, off, or a redirect and its replacement)",
                error("server { listen 127.0.0.1:8080; location / { proxy_pass http://127.0.0.1:9001;"
                        + " proxy_redirect on; } }"));
        assertStartsWith(buildError("server { listen 127.0.0.1:8080; location / { proxy_pass http://127.0.0.1:9001;"
                + " proxy_redirect ~^(x /; } }"), "nginx.conf:3: redirectRewrite \"~^(x\": not a regex");
    }

    @Test
    void proxyRedirectDefaultStandsOnlyAfterAProxyPassWithoutVariables() throws IOException {
        String misplaced = "\"proxy_redirect default\" should be placed after the \"proxy_pass\" directive";
        assertEquals("nginx.conf:5: " + misplaced, error("server { listen 127.0.0.1:8080;\n"
                + " location / { proxy_pass http://127.0.0.1:9001; }\n proxy_redirect default; }"));
        assertEquals("nginx.conf:6: " + misplaced, error("server { listen 127.0.0.1:8080;\n location / {\n"
                + " proxy_set_header X-A b;\n proxy_redirect default;\n proxy_pass http://127.0.0.1:9001; } }"));
        assertEquals("nginx.conf:5: \"proxy_redirect default\" cannot be used with \"proxy_pass\" directive with"
                + " variables", error("server { listen 127.0.0.1:8080; location / {\n"
                + " proxy_pass http://127.0.0.1:9001$request_uri;\n proxy_redirect default; } }"));
    }

    @Test
    void listenFormsAreNginxsAndBothWildcardsOfAPortBecomeOneDualStackAddress() throws IOException {
        String code = java("server { listen 8080; listen [::]:8080 ipv6only=on; server_name a.test;"
                + " location / { return 200; } }\n"
                + "server { listen *:8081 default_server; location / { return 200; } }\n"
                + "server { listen 127.0.0.2; location / { return 200; } }");
        assertHas(code, ".server(\"a.test\", virtualServer -> virtualServer\n",
                ".listen(\"[::]:8080\")", ".listen(\"0.0.0.0:8081\")", ".defaultServer()", ".listen(\"127.0.0.2:80\")",
                ".server(\"_\", ");
        assertFalse(code.contains("0.0.0.0:8080"), code);
    }

    @Test
    void anSslAddressPresentsTheCertificateOfItsDefaultServerAndEachServerItsOwnBySni() throws IOException {
        TestCertificates ca = TestCertificates.create(dir.resolve("ca"));
        TestCertificates.Issued one = ca.issue("one", "RSA", false, "dns:one.test");
        TestCertificates.Issued two = ca.issue("two", "EC", false, "dns:two.test");
        String code = java("ssl_protocols TLSv1.3;\n"
                + "server { listen 127.0.0.1:8443 ssl; server_name one.test; ssl_certificate " + one.certificateFile()
                + "; ssl_certificate_key " + one.keyFile() + "; location / { return 200; } }\n"
                + "server { listen 127.0.0.1:8443 ssl; server_name two.test; ssl_certificate " + two.certificateFile()
                + "; ssl_certificate_key " + two.keyFile() + "; location / { return 200; } }");
        assertHas(code, "ServerTls oneTestTls = ServerTls.builder()", ".protocols(\"TLSv1.3\")",
                "ServerTls twoTestTls = ServerTls.builder()", ".listen(\"127.0.0.1:8443\", oneTestTls)",
                ".tls(oneTestTls)", ".tls(twoTestTls)");
        assertEquals("nginx.conf:3: no \"ssl_certificate\" is defined for the \"listen ... ssl\" directive",
                error("server { listen 127.0.0.1:8443 ssl; location / { return 200; } }"));
    }

    @Test
    void aZoneSharesTheGroupsStateAcrossTheLoopsAndItsAbsenceKeepsOneStatePerLoop() throws IOException {
        String zoned = java("upstream b { zone b 64k; server 127.0.0.1:9001; }\n"
                + "server { listen 127.0.0.1:8080; location / { proxy_pass http://b; } }");
        assertHas(zoned, ".sharedState()");
        String perLoop = java("upstream b { server 127.0.0.1:9001; }\n"
                + "server { listen 127.0.0.1:8080; location / { proxy_pass http://b; } }");
        assertFalse(perLoop.contains("sharedState"), perLoop);
        assertEquals("nginx.conf:3: invalid number of arguments in \"zone\"",
                error("upstream b { zone; server 127.0.0.1:9001; }"));
    }

    @Test
    void aHealthCheckInALocationChecksItsGroupWithTheConditionsOfItsMatchBlock() throws IOException {
        String code = java("match ok { status 200-399; header Content-Type = text/html; body ~ \"Welcome\"; }\n"
                + "upstream b { zone b 64k; server 127.0.0.1:9001; }\n"
                + "server { listen 127.0.0.1:8080; location / { proxy_pass http://b; health_check interval=2s fails=3"
                + " uri=/healthz match=ok; } }");
        assertHas(code, ".healthCheck(HealthCheck.builder()", ".interval(Duration.ofSeconds(2))", ".fails(3)",
                ".uri(\"/healthz\")", ".match(ResponseMatch.builder()", ".status(\"200-399\")",
                ".header(\"Content-Type = text/html\")", ".body(\"~Welcome\")");
        assertEquals("nginx.conf:4: match \"nope\" not found", error("upstream b { server 127.0.0.1:9001; }\n"
                + "server { listen 127.0.0.1:8080; location / { proxy_pass http://b; health_check match=nope; } }"));
    }

    @Test
    void aRequestZoneIsOneLimitSharedByTheLocationsThatNameIt() throws IOException {
        String code = java("limit_req_zone $binary_remote_addr zone=one:10m rate=5r/s; limit_req_status 429;\n"
                + "limit_conn_zone $binary_remote_addr zone=addr:10m;\n"
                + "server { listen 127.0.0.1:8080; location /a/ { limit_req zone=one burst=10 nodelay; limit_conn addr 4;"
                + " return 200; } location /b/ { limit_req zone=one burst=10 nodelay; return 200; } }");
        assertHas(code, "RequestLimit oneRequests = RequestLimit.builder(\"one\")", ".rate(\"5r/s\")", ".burst(10)",
                ".nodelay()", ".status(429)", "ConnectionLimit addrConnections = ConnectionLimit.perClient(\"addr\", 4, 503)",
                ".limitRequests(oneRequests)", ".limitConnections(addrConnections)");
        assertEquals(1, code.split("RequestLimit.builder").length - 1, code);
        assertStartsWith(error("limit_req_zone $binary_remote_addr zone=one:10m rate=5r/s;\n"
                + "server { listen 127.0.0.1:8080; location /a/ { limit_req zone=one burst=1; return 200; }\n"
                + " location /b/ { limit_req zone=one burst=2; return 200; } }"),
                "nginx.conf:5: not supported: \"limit_req\": one zone used with different parameters");
    }

    @Test
    void aValueTheLibraryRefusesNamesTheLineWhereItWasWritten() throws IOException {
        assertStartsWith(buildError("upstream b {\n server 127.0.0.1:9001 weight=0;\n}\n"
                + "server { listen 127.0.0.1:8080; location / { proxy_pass http://b; } }"),
                "nginx.conf:4: weight must be between 1 and");
    }

    @Test
    void aRootLocationServesFilesAndAnErrorPageIsTheFileItServesForTheUri() throws IOException {
        page("html/50x.html");
        mimeTypes();
        String code = java("include mime.types; default_type application/octet-stream; " + "server { listen 127.0.0.1:8080; root html;\n"
                + " location /static/ { try_files $uri $uri/ =404; index index.htm; }\n"
                + " location / { proxy_pass http://127.0.0.1:9001; error_page 502 504 /50x.html; }\n"
                + " location = /50x.html { } }");
        String html = JavaSource.literal(dir.resolve("html").toString());
        String page = JavaSource.literal(dir.resolve("html/50x.html").toString());
        assertHas(code, ".route(\"/static/\", route -> route\n", ".root(Path.of(" + html + "))", ".index(\"index.htm\")",
                ".errorPage(502, Path.of(" + page + "))",
                ".errorPage(504, Path.of(" + page + "))", ".route(\"= /50x.html\", route -> route.root(Path.of(" + html + ")))");
        assertEquals("nginx.conf:4: not supported: \"try_files\": try_files beside proxy_pass; it goes with root or alias",
                error("server { listen 127.0.0.1:8080;\n location / { try_files $uri =404; proxy_pass http://127.0.0.1:9001; } }"));
    }

    @Test
    void anErrorPageThatAnotherLocationCouldTakeIsRoutedAtRunTimeAsNginxRedirectsInternally() throws IOException {
        page("html/exact.html");
        mimeTypes();
        String code = java("include mime.types; default_type application/octet-stream; " + "server { listen 127.0.0.1:8080; root html;\n"
                + " location / { proxy_pass http://127.0.0.1:9001; error_page 502 /50x.php; error_page 404 = /x.html;"
                + " error_page 403 /exact.html; }\n"
                + " location ~ \\.php$ { proxy_pass http://127.0.0.1:9002; }\n location = /exact.html { } }");
        String exact = JavaSource.literal(dir.resolve("html/exact.html").toString());
        assertHas(code, ".errorPage(502, new ErrorPage(502, null, null, \"/50x.php\"))",
                ".errorPage(404, new ErrorPage(0, null, null, \"/x.html\"))",
                ".errorPage(403, Path.of(" + exact + "))");
        assertHas(java("server { listen 127.0.0.1:8080;\n location / { proxy_pass http://127.0.0.1:9001;"
                + " error_page 502 /missing.html; } }"), ".errorPage(502, new ErrorPage(502, null, null, \"/missing.html\"))");
        Files.createSymbolicLink(dir.resolve("html/out.html"), Files.writeString(dir.resolve("secret.txt"), "x"));
        Files.createDirectories(dir.resolve("html/sub"));
        assertHas(java("server { listen 127.0.0.1:8080; root html;\n location / { proxy_pass http://127.0.0.1:9001;"
                + " error_page 502 /out.html; error_page 503 /; error_page 504 /sub; }\n location = /out.html { }"
                + " location = / { } location = /sub { } }"),
                ".errorPage(502, new ErrorPage(502, null, null, \"/out.html\"))",
                ".errorPage(503, new ErrorPage(503, null, null, \"/\"))",
                ".errorPage(504, new ErrorPage(504, null, null, \"/sub\"))");
        assertEquals("nginx.conf:4: not supported: \"error_page\": variables in an error page's URI or URL"
                + " (/e.html?u=$uri)", error("server { listen 127.0.0.1:8080;\n location / { proxy_pass"
                + " http://127.0.0.1:9001; error_page 502 /e.html?u=$uri; } }"));
    }

    @Test
    void anAliasLocationServesTheFilesOfItsAliasAndGoesAlone() throws IOException {
        mimeTypes();
        String code = java("include mime.types; default_type application/octet-stream; " + "server { listen 127.0.0.1:8080; root html;\n"
                + " location /static/ { alias /srv/assets/; index home.html; }\n"
                + " location = /favicon.ico { alias /srv/icons/favicon.ico; } }");
        assertHas(code, ".route(\"/static/\", route -> route\n", ".alias(Path.of(\"/srv/assets\"))",
                ".index(\"home.html\")", ".route(\"= /favicon.ico\", route -> route.alias(Path.of(\"/srv/icons/favicon.ico\")))");
        assertEquals("nginx.conf:5: \"root\" directive is duplicate, \"alias\" directive was specified earlier",
                error("server { listen 127.0.0.1:8080;\n location /s/ { alias /a/;\n root /b; } }"));
        assertEquals("nginx.conf:5: \"alias\" directive is duplicate, \"root\" directive was specified earlier",
                error("server { listen 127.0.0.1:8080;\n location /s/ { root /b;\n alias /a/; } }"));
        assertEquals("nginx.conf:4: route ~ ^/s/(.*)$: alias is for a prefix or exact route (a regex route's alias"
                + " would name its captures)", buildError("server { listen 127.0.0.1:8080;\n"
                + " location ~ ^/s/(.*)$ { alias /a/$1; } }"));
    }

    @Test
    void anErrorPageMayChangeTheStatusOrRedirectAsNginxsForms() throws IOException {
        page("html/index.html");
        mimeTypes();
        String code = java("include mime.types; default_type application/octet-stream; " + "server { listen 127.0.0.1:8080; root html;\n"
                + " location / { proxy_pass http://127.0.0.1:9001; error_page 404 =200 /index.html;"
                + " error_page 403 = /index.html; error_page 502 503 https://status.example.com/;"
                + " error_page 504 =307 http://status.example.com/; }\n location = /index.html { } }");
        String page = JavaSource.literal(dir.resolve("html/index.html").toString());
        assertHas(code, ".errorPage(404, ErrorPage.file(200, Path.of(" + page + ")))",
                ".errorPage(403, ErrorPage.file(200, Path.of(" + page + ")))",
                ".errorPage(502, new ErrorPage(302, null, \"https://status.example.com/\"))",
                ".errorPage(503, new ErrorPage(302, null, \"https://status.example.com/\"))",
                ".errorPage(504, new ErrorPage(307, null, \"http://status.example.com/\"))");
        String named = java("server { listen 127.0.0.1:8080;\n location / { proxy_pass http://127.0.0.1:9001;"
                + " error_page 502 = @fallback; error_page 401 @fallback; error_page 503 =200 @fallback; }\n"
                + " location @fallback { return 503 \"later\"; } }");
        assertHas(named, ".errorPage(502, new ErrorPage(0, null, null, \"@fallback\"))",
                ".errorPage(401, new ErrorPage(401, null, null, \"@fallback\"))",
                ".errorPage(503, new ErrorPage(200, null, null, \"@fallback\"))", ".route(\"@fallback\", route -> route");
        assertEquals("nginx.conf:4: not supported: \"error_page\": a page that is neither a local URI nor an http or"
                + " https URL (ftp://x/)", error("server { listen 127.0.0.1:8080;\n location / { proxy_pass"
                + " http://127.0.0.1:9001; error_page 502 ftp://x/; } }"));
        String twice = java("server { listen 127.0.0.1:8080;\n location / { proxy_pass http://127.0.0.1:9001;"
                + " error_page 502 https://first.example/; error_page 502 https://second.example/; } }");
        assertHas(twice, "\"https://first.example/\"");
        assertFalse(twice.contains("second.example"), "nginx takes the first error_page for a code: " + twice);
        assertEquals("nginx.conf:4: invalid value \"=\"", error("server { listen 127.0.0.1:8080;\n location / {"
                + " proxy_pass http://127.0.0.1:9001; error_page = /x; } }"));
    }

    @Test
    void tryFilesAndNamedLocationsMapToTheRoutesTheyName() throws IOException {
        String code = java("server { listen 127.0.0.1:8080; root html;\n"
                + " location / { try_files $uri $uri/index.html $uri.html @app; }\n"
                + " location /spa/ { try_files $uri /spa/index.html; }\n"
                + " location @app { proxy_pass http://127.0.0.1:9001; } }");
        assertHas(code, ".tryFiles(\"$uri\", \"$uri/index.html\", \"$uri.html\", \"@app\")",
                ".tryFiles(\"$uri\", \"/spa/index.html\")", ".route(\"@app\", route -> route\n");
        assertEquals("nginx.conf:4: no location @gone in this server",
                error("server { listen 127.0.0.1:8080; root html;\n location / { try_files $uri @gone; } }"));
        assertEquals("nginx.conf:4: no location @gone in this server", error("server { listen 127.0.0.1:8080;\n"
                + " location / { proxy_pass http://127.0.0.1:9001; error_page 502 @gone; } }"));
    }

    @Test
    void internalLocationsAndProxyIgnoreHeadersMapToTheRoutesOptions() throws IOException {
        String code = java("proxy_ignore_headers X-Accel-Buffering Expires;\n"
                + "server { listen 127.0.0.1:8080;\n location /app/ { proxy_pass http://127.0.0.1:9001; }\n"
                + " location /protected/ { internal; alias /srv/files/; } }");
        assertHas(code, ".ignoreHeaders(\"X-Accel-Buffering\", \"Expires\")", ".internal()");
        assertEquals("nginx.conf:3: ignoreHeaders: not a field nginx's proxy_ignore_headers takes: X-Other",
                buildError("proxy_ignore_headers X-Other;\nserver { listen 127.0.0.1:8080; location / { return 200; } }"));
    }

    @Test
    void anErrorPageIsTheFileOfTheLongestPrefixLocationWhateverItsModifier() throws IOException {
        page("b/e/p/x.html");
        mimeTypes();
        String code = java("include mime.types; default_type application/octet-stream; " + "server { listen 127.0.0.1:8080;\n"
                + " location ^~ /e/ { root a; }\n"
                + " location /e/p/ { root b; }\n"
                + " location / { proxy_pass http://127.0.0.1:9001; error_page 502 /e/p/x.html; } }");
        String page = JavaSource.literal(dir.resolve("b/e/p/x.html").toString());
        assertHas(code, ".errorPage(502, Path.of(" + page + "))");
    }

    @Test
    void http2IsAcceptedWithAWarningSinceClientsFallBackToHttp11() throws IOException {
        NginxConfig config = config("server { listen 127.0.0.1:8080 http2; location / { return 200; } }");
        assertEquals(List.of(dir.resolve("nginx.conf") + ":3: warning: \"listen\" is not applied: clients speak"
                + " HTTP/1.1 here (TLS offers http/1.1 alone in ALPN)"), config.warnings());
    }

    @Test
    void anInheritedIndexGoesToRootLocationsAloneAndAProxyLocationBuilds() throws IOException {
        NginxConfig config = config("index index.htm index.html;\n"
                + "server { listen 127.0.0.1:8080; root html;\n location /files/ { }\n"
                + " location / { proxy_pass http://127.0.0.1:9001; } }");
        String code = config.toJava("P");
        assertHas(code, ".index(\"index.htm\", \"index.html\")");
        assertEquals(1, code.split("\\.index\\(").length - 1, code);
        assertHas(code.substring(code.indexOf(".route(\"/\"")), ".route(\"/\", route -> route\n", ".upstream(");
        config.build();
    }
}
