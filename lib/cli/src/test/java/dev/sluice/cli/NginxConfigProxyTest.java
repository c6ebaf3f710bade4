package dev.sluice.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.ProxyServer;
import dev.sluice.testing.RawClient;
import dev.sluice.testing.RecordedRequest;
import dev.sluice.testing.ScriptedUpstream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An nginx configuration run with real sockets ({@code -c}): server names, locations, inherited fields, return,
 * a regex location's named captures in its proxy_pass URI, a map,
 * a root location serving the error page; and the code {@code --to-java} prints, compiled and started, answering
 * the same requests the same way.
 */
class NginxConfigProxyTest {

    @TempDir
    Path dir;

    private final List<AutoCloseable> running = new ArrayList<>();
    private ScriptedUpstream first;
    private ScriptedUpstream second;
    private int port;
    private Path file;

    @BeforeEach
    void configuration() throws IOException {
        first = ScriptedUpstream.start().echo();
        second = ScriptedUpstream.start().echo();
        running.add(first);
        running.add(second);
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        Files.createDirectories(dir.resolve("html"));
        Files.writeString(dir.resolve("html/50x.html"), "<p>try again later</p>\n");
        Files.createDirectories(dir.resolve("html/docs"));
        Files.writeString(dir.resolve("html/docs/notes.md"), "# notes\n");
        Files.writeString(dir.resolve("html/docs/site.css"), "p {}\n");
        file = dir.resolve("nginx.conf");
        Files.writeString(file, "events {}\n"
                + "http {\n"
                + "  proxy_set_header X-Real-IP $remote_addr;\n"
                + "  map $arg_v $api_version { default v1; Beta v2; \"~^rc(?<n>[0-9]+)$\" rc$n; }\n"
                + "  upstream pool { zone pool 64k; server " + first.address() + "; server " + second.address()
                + "; }\n"
                + "  upstream dead { server 127.0.0.1:1 max_fails=0; }\n"
                + "  server {\n"
                + "    listen 127.0.0.1:" + port + ";\n"
                + "    server_name api.test;\n"
                + "    location /v1/ { proxy_pass http://pool/internal/; proxy_set_header X-Api yes; }\n"
                + "    location / { proxy_pass http://pool; }\n"
                + "    location /down/ { proxy_pass http://dead; error_page 502 /50x.html; }\n"
                + "    location = /50x.html { root html; }\n"
                + "    location = /hello { return 200 \"hi\\n\"; }\n"
                + "    location /docs/ { root html; types { text/markdown md; } default_type application/x-doc; }\n"
                + "    location ~ ^/u/(?<user_id>[0-9]+)$ { proxy_pass http://pool/profile?id=$user_id;"
                + " proxy_set_header X-Api u-$1; }\n"
                + "    location /m/ { proxy_pass http://pool/$api_version$uri; proxy_set_header X-Api $api_version; }\n"
                + "  }\n"
                + "  server {\n"
                + "    listen 127.0.0.1:" + port + ";\n"
                + "    server_name old.test;\n"
                + "    return 301 https://api.test$request_uri;\n"
                + "  }\n"
                + "}\n");
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable closeable : running) {
            closeable.close();
        }
    }

    /** What a client and the upstreams saw of one request. */
    private record Seen(int status, String location, String body, String target, String xApi, String xRealIp,
            String type) {
    }

    private List<Seen> exchange(ProxyServer.Builder builder) throws Exception {
        ProxyServer proxy = builder.start();
        List<Seen> seen = new ArrayList<>();
        try {
            for (String[] request : new String[][] {{"api.test", "/v1/items?x=1"}, {"api.test", "/other"},
                    {"old.test", "/a?b=c"}, {"api.test", "/down/x"}, {"api.test", "/50x.html"},
                    {"api.test", "/u/42?dropped=1"}, {"api.test", "/m/x?v=beta"}, {"api.test", "/m/y?v=rc3"},
                    {"api.test", "/hello"}, {"api.test", "/docs/notes.md"}, {"api.test", "/docs/site.css"}}) {
                int firstBefore = first.requestCount();
                int secondBefore = second.requestCount();
                try (RawClient client = RawClient.connect(proxy.port()).timeout(Duration.ofSeconds(10))) {
                    client.send("GET " + request[1] + " HTTP/1.1\r\nHost: " + request[0] + "\r\n\r\n");
                    RawClient.Reply reply = client.readResponse();
                    RecordedRequest upstream = first.requestCount() > firstBefore ? first.requests().get(firstBefore)
                            : second.requestCount() > secondBefore ? second.requests().get(secondBefore) : null;
                    seen.add(new Seen(reply.status(), reply.header("Location"),
                            upstream == null ? reply.bodyString() : "", upstream == null ? null : upstream.target(),
                            upstream == null ? null : upstream.header("X-Api"),
                            upstream == null ? null : upstream.header("X-Real-IP"),
                            upstream == null ? reply.header("Content-Type") : null));
                }
            }
        } finally {
            proxy.close();
        }
        return seen;
    }

    @Test
    void aConfigurationFileRunsAsNginxWouldRunIt() throws Exception {
        List<Seen> seen = exchange(NginxConfig.read(file).build().proxy());

        assertEquals(new Seen(200, null, "", "/internal/items?x=1", "yes", null, null), seen.get(0),
                "the location's own proxy_set_header replaced the inherited one, and the URI part its prefix");
        assertEquals(new Seen(200, null, "", "/other", null, "127.0.0.1", null), seen.get(1),
                "the http level's proxy_set_header reached the location that sets none");
        assertEquals(new Seen(301, "https://api.test/a?b=c", "<html>\r\n<head><title>301 Moved Permanently</title></head>\r\n"
                + "<body>\r\n<center><h1>301 Moved Permanently</h1></center>\r\n<hr><center>sluice</center>\r\n</body>\r\n"
                + "</html>\r\n", null, null, null, "text/html"), seen.get(2), "nginx's page of a redirect");
        assertEquals(new Seen(502, null, "<p>try again later</p>\n", null, null, null, "text/html"), seen.get(3),
                "error_page sent the file the root location serves");
        assertEquals(new Seen(200, null, "<p>try again later</p>\n", null, null, null, "text/html"), seen.get(4));
        assertEquals(new Seen(200, null, "", "/profile?id=42", "u-42", null, null), seen.get(5),
                "a URI with variables is the whole target; a named capture is a variable, and also $1");
        assertEquals(new Seen(200, null, "", "/v2/m/x", "v2", null, null), seen.get(6),
                "a map's key matches ignoring case");
        assertEquals(new Seen(200, null, "", "/rc3/m/y", "rc3", null, null), seen.get(7), "a map's regex, its named group");
        assertEquals(new Seen(200, null, "hi\n", null, null, null, "text/plain"), seen.get(8),
                "no types anywhere: a return text gets nginx's own default_type");
        assertEquals(new Seen(200, null, "# notes\n", null, null, null, "text/markdown"), seen.get(9),
                "the location's own types block");
        assertEquals(new Seen(200, null, "p {}\n", null, null, null, "application/x-doc"), seen.get(10),
                "an extension the location's types do not know gets its default_type");
        assertEquals(3, first.requestCount(), "round robin over the pool");
        assertEquals(2, second.requestCount(), "round robin over the pool");
    }

    @Test
    void theJavaCodeOfAConfigurationBehavesLikeTheConfiguration() throws Exception {
        List<Seen> fromFile = exchange(NginxConfig.read(file).build().proxy());

        String source = NginxConfig.read(file).toJava("NginxConf");
        Path sources = Files.createDirectories(dir.resolve("src"));
        Path classes = Files.createDirectories(dir.resolve("classes"));
        Files.writeString(sources.resolve("NginxConf.java"), source);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        String library = Path.of(ProxyServer.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        int status = javac.run(null, null, null, "-d", classes.toString(), "-classpath", library,
                sources.resolve("NginxConf.java").toString());
        assertEquals(0, status, source);
        ProxyServer.Builder fromCode;
        try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()}, getClass().getClassLoader())) {
            fromCode = (ProxyServer.Builder) loader.loadClass("NginxConf").getMethod("proxy").invoke(null);
        }
        List<Seen> fromJava = exchange(fromCode);

        assertEquals(fromFile, fromJava, source);
        assertTrue(source.contains("Path.of(" + JavaSource.literal(dir.resolve("html/50x.html").toString())), source);
    }
}
