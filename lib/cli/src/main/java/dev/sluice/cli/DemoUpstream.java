package dev.sluice.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * A stand-in upstream for {@code --demo}, on a loopback port the system picks, built on the JDK's own HTTP
 * server: every request gets one fixed status and the body {@code "Response STATUS, this is upstream server on
 * port 127.0.0.1:PORT\n"}, as the nginx example's {@code return STATUS "Response STATUS, this is upstream server
 * on port $server_addr:$server_port\n";}.
 */
final class DemoUpstream implements AutoCloseable {

    private final HttpServer server;
    private final String address;

    private DemoUpstream(HttpServer server, String address) {
        this.server = server;
        this.address = address;
    }

    /** Starts an upstream that answers every request with {@code status}. */
    static DemoUpstream start(int status) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        InetSocketAddress bound = server.getAddress();
        String address = Main.hostPort(bound);
        byte[] body = ("Response " + status + ", this is upstream server on port " + address + "\n")
                .getBytes(StandardCharsets.UTF_8);
        server.createContext("/", exchange -> answer(exchange, status, body));
        server.start();
        return new DemoUpstream(server, address);
    }

    /** Where it listens, {@code 127.0.0.1:PORT}, as a {@code server} line's address. */
    String address() {
        return address;
    }

    /** Stops at once. */
    @Override
    public void close() {
        server.stop(0);
    }

    private static void answer(HttpExchange exchange, int status, byte[] body) throws IOException {
        try (exchange; InputStream request = exchange.getRequestBody()) {
            request.transferTo(OutputStream.nullOutputStream());
            exchange.getResponseHeaders().set("Content-Type", "text/plain");
            boolean head = exchange.getRequestMethod().equals("HEAD");
            exchange.sendResponseHeaders(status, head ? -1 : body.length);
            if (!head) {
                exchange.getResponseBody().write(body);
            }
        }
    }
}
