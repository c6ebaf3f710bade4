package dev.sluice.examples;

import com.sun.net.httpserver.HttpServer;
import dev.sluice.ProxyServer;
import dev.sluice.upstream.UpstreamGroup;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

/**
 * A programmed proxy, run end to end: two small services (stable and canary, the JDK's own HTTP server) behind a
 * proxy whose {@link GatewayHandler} answers health checks itself, refuses requests without a token, sends canary
 * requests to the canary and rewrites {@code /api/...}. Prints what each request got, then stops everything.
 */
public final class HandlerExample {

    private HandlerExample() {
    }

    public static void main(String[] args) throws Exception {
        HttpServer stable = service("stable");
        HttpServer canary = service("canary");
        UpstreamGroup stableGroup = UpstreamGroup.builder("stable").server(address(stable)).build();
        UpstreamGroup canaryGroup = UpstreamGroup.builder("canary").server(address(canary)).build();
        try (ProxyServer proxy = ProxyServer.builder().listen("127.0.0.1:0")
                .route("/", r -> r.upstream(stableGroup).handler(new GatewayHandler(canaryGroup))).start()) {
            HttpClient client = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + proxy.port();
            print(client, HttpRequest.newBuilder(URI.create(base + "/health")).build());
            print(client, HttpRequest.newBuilder(URI.create(base + "/api/items")).build());
            print(client, HttpRequest.newBuilder(URI.create(base + "/api/items")).header("Authorization", "Bearer t")
                    .build());
            print(client, HttpRequest.newBuilder(URI.create(base + "/api/items")).header("Authorization", "Bearer t")
                    .header("X-Canary", "1").build());
        } finally {
            stable.stop(0);
            canary.stop(0);
        }
    }

    /** A service on an ephemeral loopback port that answers with its name and the path it was asked for. */
    private static HttpServer service(String name) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            byte[] body = (name + " " + exchange.getRequestURI()).getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        return server;
    }

    private static String address(HttpServer server) {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    private static void print(HttpClient client, HttpRequest request) throws IOException, InterruptedException {
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
        System.out.println(request.uri().getPath() + " " + request.headers().map().keySet() + " -> "
                + response.statusCode() + " " + response.body().strip().replaceAll("\\s+", " "));
    }
}
