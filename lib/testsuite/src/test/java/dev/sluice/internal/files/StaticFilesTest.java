package dev.sluice.internal.files;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.Answer;
import dev.sluice.MediaTypes;
import dev.sluice.ProxyHandler;
import dev.sluice.ProxyServer;
import dev.sluice.Route;
import dev.sluice.observe.ExchangeListener;
import dev.sluice.observe.ExchangeRecord;
import dev.sluice.testing.RawClient;
import dev.sluice.testing.RawClient.Reply;
import dev.sluice.testing.RecordedRequest;
import dev.sluice.testing.ScriptedUpstream;
import dev.sluice.testing.Upstreams;
import dev.sluice.upstream.UpstreamGroup;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** A route with {@code root}: nginx's static files on real sockets, from files in a temporary directory. */
class StaticFilesTest {

    @RegisterExtension
    final Upstreams upstreams = new Upstreams();

    @TempDir
    Path temp;

    private Path root;

    @BeforeEach
    void files() throws IOException {
        root = Files.createDirectories(temp.resolve("html"));
        Files.writeString(temp.resolve("secret.txt"), "outside the root");
    }

    @Test
    void aFilesTypeIsTheOneTheRoutesMediaTypesGiveThePathItWasAskedBy() throws Exception {
        write("docs/readme.md", "# readme");
        write("docs/LICENSE", "MIT");
        write("docs/icon.png", "png");
        Files.createSymbolicLink(root.resolve("docs/logo.md"), root.resolve("docs/icon.png"));
        MediaTypes markdown = MediaTypes.builder().type("text/markdown", "md").build();

        RawClient client = upstreams.rawClient(upstreams.proxy(p -> p
                .route("/docs/", r -> r.root(root).mediaTypes(markdown))
                .route("= /favicon", r -> r.alias(root.resolve("docs/icon.png")))).port());
        Reply readme = get(client, "/docs/readme.md");
        Reply license = get(client, "/docs/LICENSE");
        Reply png = get(client, "/docs/icon.png");
        Reply link = get(client, "/docs/logo.md");
        Reply favicon = get(client, "/favicon");

        assertEquals("# readme", readme.bodyString());
        assertEquals("text/markdown", readme.header("Content-Type"));
        assertEquals("text/plain", license.header("Content-Type"), "no extension: the table's default type");
        assertEquals("text/plain", png.header("Content-Type"), "a table of one's own replaces nginx's whole");
        assertEquals("text/markdown", link.header("Content-Type"), "the path's extension, not the linked file's");
        assertEquals("png", favicon.bodyString());
        assertEquals("application/octet-stream", favicon.header("Content-Type"),
                "an alias's file is typed by the path asked for, as nginx types it by $uri");
    }

    @Test
    void aFileIsServedWithTheTypeOfItsExtensionItsLengthAndItsTimeOfChange() throws Exception {
        Path css = write("css/site.css", "body { color: teal }");
        Files.setLastModifiedTime(css, FileTime.from(Instant.parse("2024-03-05T07:08:09Z")));
        write("notes", "no extension");

        RawClient client = client("/", r -> r.root(root));
        Reply site = get(client, "/css/site.css");
        Reply notes = get(client, "/notes");

        assertEquals(200, site.status());
        assertEquals("text/css", site.header("Content-Type"));
        assertEquals("20", site.header("Content-Length"));
        assertEquals("Tue, 05 Mar 2024 07:08:09 GMT", site.header("Last-Modified"));
        assertEquals("body { color: teal }", site.bodyString());
        assertEquals("application/octet-stream", notes.header("Content-Type"), "the stock default_type");
        assertEquals("no extension", notes.bodyString());
    }

    @Test
    void aHeadGetsTheHeadOfTheGetWithItsLengthAndNoBody() throws Exception {
        write("error_500.txt", "something broke");
        RawClient client = client("/", r -> r.root(root));

        client.send("HEAD /error_500.txt HTTP/1.1\r\nHost: localhost\r\n\r\n");
        Reply head = client.readHeadResponse();
        Reply next = get(client, "/error_500.txt");

        assertEquals(200, head.status());
        assertEquals("15", head.header("Content-Length"));
        assertEquals("text/plain", head.header("Content-Type"));
        assertEquals(200, next.status(), "no body bytes went out after the HEAD's head to be read as a response");
        assertEquals("something broke", next.bodyString());
    }

    @Test
    void aDirectoryAskedForWithItsSlashServesTheFirstIndexFileThatExists() throws Exception {
        write("index.html", "<h1>home</h1>");
        write("docs/start.html", "<h1>docs</h1>");
        write("docs/index.html", "<h1>docs index</h1>");

        RawClient byDefault = client("/", r -> r.root(root));
        RawClient listed = client("/", r -> r.root(root).index("missing.html", "start.html", "index.html"));

        Reply home = get(byDefault, "/");
        assertEquals(200, home.status());
        assertEquals("text/html", home.header("Content-Type"));
        assertEquals("<h1>home</h1>", home.bodyString());
        assertEquals("<h1>docs index</h1>", get(byDefault, "/docs/").bodyString());
        assertEquals("<h1>docs</h1>", get(listed, "/docs/").bodyString());
    }

    @Test
    void aDirectorysIndexFileIsServedByTheRouteOfItsOwnPathAsNginxsInternalRedirect() throws Exception {
        write("docs/index.html", "<h1>docs index</h1>");
        write("private/index.html", "not for the public");
        write("app/index.php", "<?php source, never served");
        ScriptedUpstream php = upstreams.scripted().defaultResponse(ScriptedUpstream.Response.ok("rendered"));
        UpstreamGroup group = UpstreamGroup.builder("php").server(php.address()).build();
        List<ExchangeRecord> records = new CopyOnWriteArrayList<>();
        ProxyServer proxy = upstreams.proxy(p -> p
                .listener(new ExchangeListener() {
                    @Override
                    public void exchangeEnded(ExchangeRecord exchange) {
                        records.add(exchange);
                    }
                })
                .route("~ ^/private/index\\.html$", r -> r.returns(403, ""))
                .route("~ \\.php$", r -> r.upstream(group))
                .route("/", r -> r.root(root).index("index.php", "index.html")));
        RawClient client = upstreams.rawClient(proxy.port());

        assertEquals("<h1>docs index</h1>", get(client, "/docs/").bodyString());
        assertEquals(403, get(client, "/private/").status(), "the route for the index file applies to its directory");
        Reply app = get(client, "/app/?page=2");

        assertEquals("rendered", app.bodyString(), "the index file's route proxies it");
        assertEquals("/app/index.php?page=2", php.takeRequest(Duration.ofSeconds(5)).target());
        for (int i = 0; i < 500 && records.size() < 3; i++) {
            Thread.sleep(10); // the last record may follow its response
        }
        assertEquals(List.of("/docs/", "/private/", "/app/?page=2"),
                records.stream().map(ExchangeRecord::target).toList(), "the log has the request as the client sent it");
    }

    @Test
    void tryFilesServesTheFirstFileThereAndSendsEveryOtherRequestToTheNamedRouteAsGunicornsConfiguration()
            throws Exception {
        write("about.html", "<h1>about</h1>");
        write("docs/index.html", "<h1>docs</h1>");
        write("robots.txt", "User-agent: *");
        ScriptedUpstream app = upstreams.scripted().defaultResponse(ScriptedUpstream.Response.ok("from the app"));
        UpstreamGroup group = UpstreamGroup.builder("app").server(app.address()).build();
        ProxyServer proxy = upstreams.proxy(p -> p
                .route("/", r -> r.root(root).tryFiles("$uri", "$uri.html", "$uri/", "@app"))
                .route("@app", r -> r.upstream(group)));
        RawClient client = upstreams.rawClient(proxy.port());

        Reply robots = get(client, "/robots.txt");
        Reply about = get(client, "/about");
        Reply docs = get(client, "/docs/");
        Reply docsWithoutSlash = get(client, "/docs?page=2");
        Reply dynamic = get(client, "/orders/7?full=1");
        client.send("POST /orders HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nhi");
        Reply posted = client.readResponse();
        client.send("POST /about HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nhi");
        Reply postedToAFile = client.readResponse();

        assertEquals("User-agent: *", robots.bodyString());
        assertEquals("text/plain", robots.header("Content-Type"));
        assertEquals("<h1>about</h1>", about.bodyString(), "$uri.html");
        assertEquals("text/html", about.header("Content-Type"));
        assertEquals("<h1>docs</h1>", docs.bodyString(), "$uri/: the directory's index");
        assertEquals(301, docsWithoutSlash.status(), "$uri/ of /docs is the directory /docs, as nginx serves it");
        assertEquals("/docs/?page=2", docsWithoutSlash.header("Location"));
        assertEquals("from the app", dynamic.bodyString());
        assertEquals("/orders/7?full=1", app.takeRequest(Duration.ofSeconds(5)).target(), "the target unchanged");
        assertEquals("from the app", posted.bodyString(), "a POST no file answers goes to the app");
        assertEquals("hi", app.takeRequest(Duration.ofSeconds(5)).bodyUtf8());
        assertEquals(405, postedToAFile.status(), "a file that is there answers GET and HEAD only");
    }

    @Test
    void tryFilesFallsBackToAnIndexForASinglePageAppOrToAStatus() throws Exception {
        write("index.html", "<div id=app></div>");
        write("main.js", "start()");
        write("assets/site.css", "body {}");
        ProxyServer proxy = upstreams.proxy(p -> p
                .route("/", r -> r.root(root).tryFiles("$uri", "/index.html"))
                .route("/assets/", r -> r.root(root).tryFiles("$uri", "=404").errorPage(404, "no such asset")));
        RawClient client = upstreams.rawClient(proxy.port());

        assertEquals("start()", get(client, "/main.js").bodyString());
        Reply deepLink = get(client, "/orders/7/edit");
        Reply missing = get(client, "/assets/missing.css");

        assertEquals(200, deepLink.status());
        assertEquals("<div id=app></div>", deepLink.bodyString(), "try_files $uri /index.html");
        assertEquals(404, missing.status());
        assertEquals("no such asset", missing.bodyString(), "=404, and the route's error_page for it");
        assertEquals(404, get(client, "/assets/site.css/").status(), "a file with a '/' after it is no file");
        refused(() -> Route.builder("/").root(root).tryFiles("$uri"), "tryFiles needs a file and what answers");
        refused(() -> Route.builder("/").root(root).tryFiles("$uri", "=99"), "the fallback's status must be");
        refused(() -> Route.builder("/").root(root).tryFiles("$uri", "fallback"), "the fallback is =CODE, @NAME");
        refused(() -> Route.builder("/").answer(Answer.of(204)).tryFiles("$uri", "=404").build(),
                "has tryFiles but no root or alias");
    }

    @Test
    void tryFilesTakesAFallbacksValueAsItIsAndAnAliasEntryOutsideItsLocationUnderTheAlias() throws Exception {
        write("assets/default.gif", "default image");
        ScriptedUpstream app = upstreams.scripted().defaultResponse(ScriptedUpstream.Response.ok("from the app"));
        UpstreamGroup group = UpstreamGroup.builder("app").server(app.address()).build();
        ProxyServer proxy = upstreams.proxy(p -> p
                .route("/i/", r -> r.alias(root.resolve("assets")).tryFiles("$uri", "/default.gif", "=404"))
                .route("/t/", r -> r.root(root).tryFiles("$uri", "/app$uri?$args"))
                .route("/app/", r -> r.upstream(group)));
        RawClient client = upstreams.rawClient(proxy.port());

        assertEquals("default image", get(client, "/i/missing.gif").bodyString(),
                "an entry outside the location is a path under the alias, as nginx appends it");
        for (String target : new String[] {"/t/a%2541b", "/t/x", "/t/..%252fzz?k=v"}) {
            assertEquals("from the app", get(client, target).bodyString(), target);
        }

        assertEquals("/app/t/a%2541b", app.takeRequest(Duration.ofSeconds(5)).target(),
                "$uri is taken as it is, not decoded again");
        assertEquals("/app/t/x", app.takeRequest(Duration.ofSeconds(5)).target(), "an empty query is dropped");
        assertEquals("/app/t/..%252fzz?k=v", app.takeRequest(Duration.ofSeconds(5)).target(),
                "no dot-segment appears where the value had none");
    }

    @Test
    void aDirectoryWithoutAnIndexFileIsForbiddenAndNeverListed() throws Exception {
        write("assets/logo.png", "png");

        Reply reply = get(client("/", r -> r.root(root)), "/assets/");

        assertEquals(403, reply.status());
        assertFalse(reply.bodyString().contains("logo"), reply.bodyString());
    }

    @Test
    void aDirectoryAskedForWithoutItsSlashIsRedirectedToItWithTheQuery() throws Exception {
        write("my docs/index.html", "docs");
        RawClient client = client("/", r -> r.root(root));

        Reply plain = get(client, "/my%20docs?page=2");

        assertEquals(301, plain.status());
        assertEquals("/my%20docs/?page=2", plain.header("Location"));
        assertEquals("docs", get(client, plain.header("Location")).bodyString());
    }

    @Test
    void aMissingFileIsNotFoundAndSoIsAFileWithASlashAfterIt() throws Exception {
        write("page.html", "page");
        RawClient client = client("/", r -> r.root(root));

        assertEquals(404, get(client, "/nothing.html").status());
        assertEquals(404, get(client, "/dir/nothing.html").status());
        assertEquals(404, get(client, "/page.html/").status());
        assertEquals(404, get(client, "/page.html/x").status());
    }

    @Test
    void aRootThatDoesNotExistAnswersNotFound() throws Exception {
        Reply reply = get(client("/", r -> r.root(temp.resolve("not-yet"))), "/index.html");

        assertEquals(404, reply.status());
    }

    @Test
    void methodsButGetAndHeadAreNotAllowedForAFileAndSayWhichAre() throws Exception {
        write("form.html", "form");
        ProxyServer proxy = upstreams.proxy(p -> p.route("/", r -> r.root(root)));

        for (String request : new String[] {
                "POST /form.html HTTP/1.1\r\nHost: localhost\r\nContent-Length: 3\r\n\r\na=1",
                "PUT /missing.html HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n\r\n",
                "DELETE /form.html HTTP/1.1\r\nHost: localhost\r\n\r\n",
                "OPTIONS /form.html HTTP/1.1\r\nHost: localhost\r\n\r\n"}) {
            RawClient client = upstreams.rawClient(proxy.port());
            client.send(request);
            Reply reply = client.readResponse();
            assertEquals(405, reply.status(), request);
            assertEquals("GET, HEAD", reply.header("Allow"), request);
        }
    }

    @Test
    void aPostIsLookedUpAsNginxsStaticAndIndexModulesDoSoAnIndexMayTakeIt() throws Exception {
        write("app/index.php", "<?php source");
        ScriptedUpstream php = upstreams.scripted().defaultResponse(ScriptedUpstream.Response.ok("rendered"));
        UpstreamGroup group = UpstreamGroup.builder("php").server(php.address()).build();
        ProxyServer proxy = upstreams.proxy(p -> p
                .route("~ \\.php$", r -> r.upstream(group))
                .route("/", r -> r.root(root).index("index.php")));
        RawClient client = upstreams.rawClient(proxy.port());

        client.send("POST /app/ HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\na=1");
        Reply indexed = client.readResponse();
        client.send("POST /missing.html HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\na=1");
        Reply missing = client.readResponse();

        assertEquals("rendered", indexed.bodyString());
        RecordedRequest seen = php.takeRequest(Duration.ofSeconds(5));
        assertEquals("POST /app/index.php a=1", seen.method() + " " + seen.target() + " " + seen.bodyUtf8());
        assertEquals(404, missing.status(), "a POST of a missing file is 404, as nginx's");
    }

    @Test
    void dotSegmentsNeverClimbOutOfTheRoot() throws Exception {
        write("a/page.html", "inside");
        ProxyServer proxy = upstreams.proxy(p -> p.route("/", r -> r.root(root)));

        for (String target : new String[] {"/../secret.txt", "/%2e%2e/secret.txt", "/a/%2E%2E/%2e%2e/secret.txt",
                "/a/..%2f..%2fsecret.txt"}) {
            assertEquals(400, get(upstreams.rawClient(proxy.port()), target).status(), target);
        }
        RawClient client = upstreams.rawClient(proxy.port());
        assertEquals(404, get(client, "/%252e%252e/secret.txt").status(), "a %2e taken as text is no dot-segment");
        assertEquals(200, get(client, "/a/../a/./page.html").status(), "dot-segments that stay inside resolve");
    }

    @Test
    void aSymbolicLinkPointingOutOfTheRootIsNotFoundAndOneInsideIsFollowed() throws Exception {
        write("real/page.txt", "inside");
        Path outsideDir = Files.createDirectories(temp.resolve("elsewhere"));
        Files.writeString(outsideDir.resolve("index.html"), "outside index");
        try {
            Files.createSymbolicLink(root.resolve("leak.txt"), temp.resolve("secret.txt"));
            Files.createSymbolicLink(root.resolve("leakdir"), outsideDir);
            Files.createSymbolicLink(root.resolve("alias.txt"), root.resolve("real/page.txt"));
            Files.createSymbolicLink(root.resolve("real/index.html"), temp.resolve("secret.txt"));
        } catch (UnsupportedOperationException | IOException e) {
            Assumptions.abort("no symbolic links here: " + e);
        }
        RawClient client = client("/", r -> r.root(root));

        assertEquals(404, get(client, "/leak.txt").status());
        assertEquals(404, get(client, "/leakdir/index.html").status());
        assertEquals(404, get(client, "/leakdir/").status(), "a directory out of the root");
        assertEquals(403, get(client, "/real/").status(), "an index file that links out is no index file");
        Reply alias = get(client, "/alias.txt");
        assertEquals(200, alias.status());
        assertEquals("inside", alias.bodyString());
        assertEquals("text/plain", alias.header("Content-Type"));
    }

    @Test
    void aPathWithAControlByteIsNotFoundAndWithANulIsABadRequest() throws Exception {
        write("tab\there.txt", "tab");
        ProxyServer proxy = upstreams.proxy(p -> p.route("/", r -> r.root(root)));

        assertEquals(404, get(upstreams.rawClient(proxy.port()), "/tab%09here.txt").status());
        assertEquals(400, get(upstreams.rawClient(proxy.port()), "/secret.txt%00.html").status());
    }

    @Test
    void aNameWithSpacesOrBeyondAsciiIsFoundAsItsUtf8Bytes() throws Exception {
        write("my page.html", "spaces");
        write("caf\u00e9.txt", "accent");
        RawClient client = client("/", r -> r.root(root));

        assertEquals("spaces", get(client, "/my%20page.html").bodyString());
        assertEquals("accent", get(client, "/caf%C3%A9.txt").bodyString());
    }

    @Test
    void aFileOfOneMebibyteIsServedAndALargerOneIsAServerError() throws Exception {
        byte[] limit = new byte[1 << 20];
        Arrays.fill(limit, (byte) 'x');
        Files.write(root.resolve("limit.bin"), limit);
        Files.write(root.resolve("over.bin"), Arrays.copyOf(limit, limit.length + 1));
        RawClient client = client("/", r -> r.root(root));

        Reply served = get(client, "/limit.bin");
        assertEquals(200, served.status());
        assertArrayEquals(limit, served.body());
        assertEquals(500, get(client, "/over.bin").status());
    }

    @Test
    void anExactRouteWithARootServesTheErrorPageBesideAProxiedLocation() throws Exception {
        write("error_500.txt", "Sorry, something went wrong.\n");
        write("other.txt", "not this route's");
        ScriptedUpstream app = upstreams.scripted();
        UpstreamGroup group = UpstreamGroup.builder("app").server(app.address()).build();
        ProxyServer proxy = upstreams.proxy(p -> p
                .route("= /error_500.txt", r -> r.root(root))
                .route("/", r -> r.upstream(group)));
        RawClient client = upstreams.rawClient(proxy.port());

        Reply page = get(client, "/error_500.txt");
        Reply proxied = get(client, "/other.txt");

        assertEquals(200, page.status());
        assertEquals("text/plain", page.header("Content-Type"));
        assertEquals("Sorry, something went wrong.\n", page.bodyString());
        assertEquals(200, proxied.status());
        assertEquals(1, app.requestCount(), "every other path goes upstream");
    }

    @Test
    void aRootAnswersEveryRequestSoItHasNoHandlerAnswerOrUpstream() {
        ProxyHandler handler = new ProxyHandler() { };
        UpstreamGroup group = UpstreamGroup.builder("app").server("127.0.0.1:1").build();

        refused(() -> Route.builder("/").root(root).handler(handler),
                "route / answers every request by its root: it cannot also have a handler");
        refused(() -> Route.builder("/").handler(handler).root(root),
                "route / has a handler: it cannot also answer by its root");
        refused(() -> Route.builder("/").root(root).answer(Answer.of(204)),
                "route / answers every request by its root: it cannot also answer by its answer");
        refused(() -> Route.builder("/").answer(Answer.of(204)).root(root),
                "route / answers every request by its answer: it cannot also answer by its root");
        refused(() -> Route.builder("/").root(root).upstream(group).build(),
                "route / answers every request by its root: it cannot also have an upstream");
        refused(() -> Route.builder("/").answer(Answer.of(204)).upstream(group).build(),
                "route / answers every request by its answer: it cannot also have an upstream");
        refused(() -> Route.builder("/x").index("home.html").upstream(group).build(), "route /x has an index but no root");
    }

    @Test
    void indexNamesArePlainFileNames() {
        for (String name : new String[] {"", ".", "..", "a/b.html", "a\\b.html", "nul\0.html"}) {
            refused(() -> Route.builder("/").root(root).index(name), "index: not a plain file name");
        }
        refused(() -> Route.builder("/").root(root).index(), "index needs at least one file name");
        Route route = Route.builder("= /e.txt").root(root).build();
        assertEquals(root, route.root().orElseThrow());
        assertEquals(List.of("index.html"), route.index());
        assertNull(route.upstream());
        assertEquals("location = /e.txt { root " + root + "; }", route.toString());
    }

    @Test
    void anAliasReplacesTheRoutesPathAndAnExactRouteMayAliasOneFile() throws Exception {
        write("assets/css/site.css", "body { color: teal }");
        write("assets/index.html", "assets home");
        write("icons/favicon.ico", "icon");
        ProxyServer proxy = upstreams.proxy(p -> p
                .route("/static/", r -> r.alias(root.resolve("assets")))
                .route("/i", r -> r.alias(root.resolve("assets")))
                .route("= /favicon.ico", r -> r.alias(root.resolve("icons/favicon.ico"))));
        RawClient client = upstreams.rawClient(proxy.port());

        assertEquals("body { color: teal }", get(client, "/static/css/site.css").bodyString(),
                "location /static/ { alias .../assets/; } serves .../assets/css/site.css");
        assertEquals("assets home", get(client, "/static/").bodyString(), "the alias's own index");
        assertEquals("body { color: teal }", get(client, "/i/css/site.css").bodyString());
        assertEquals(404, get(client, "/icss/site.css").status(), "never a sibling of the alias (nginx's assetscss/)");
        assertEquals("icon", get(client, "/favicon.ico").bodyString());
        assertEquals(404, get(client, "/static/../secret.txt").status(), "nothing outside the alias");
        assertThrows(IllegalArgumentException.class, () -> Route.builder("~ ^/s/(.*)$").alias(root));
    }

    @Test
    void theRoutesErrorPageAnswersAMissingFileAndAReturnOfAStatusAlone() throws Exception {
        ProxyServer proxy = upstreams.proxy(p -> p
                .route("/", r -> r.root(root).errorPage(404, "our own 404"))
                .route("/gone", r -> r.returns(410, "").errorPage(410, "gone for good")));
        RawClient client = upstreams.rawClient(proxy.port());

        Reply missing = get(client, "/missing.html");
        Reply gone = get(client, "/gone");

        assertEquals(404, missing.status());
        assertEquals("our own 404", missing.bodyString(), "error_page 404 for a file that is not there, as nginx");
        assertEquals(410, gone.status());
        assertEquals("gone for good", gone.bodyString(), "error_page 410 for return 410, as nginx");
    }

    // ---------------------------------------------------------------- helpers

    private Path write(String name, String text) throws IOException {
        Path file = root.resolve(name);
        Files.createDirectories(file.getParent());
        return Files.write(file, text.getBytes(StandardCharsets.UTF_8));
    }

    private RawClient client(String location, Consumer<Route.Builder> options) throws IOException {
        ProxyServer proxy = upstreams.proxy(p -> p.route(location, options));
        return upstreams.rawClient(proxy.port());
    }

    private static Reply get(RawClient client, String target) throws IOException {
        client.send(RawClient.get(target));
        return client.readResponse();
    }

    private static void refused(Executable options, String message) {
        String actual = assertThrows(IllegalArgumentException.class, options).getMessage();
        assertTrue(actual.contains(message), actual);
    }
}
