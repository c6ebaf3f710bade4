package dev.sluice.benchmarks;

import dev.sluice.ProxyHandler;
import dev.sluice.ProxyRequest;
import dev.sluice.ProxyServer;
import dev.sluice.Route;
import dev.sluice.observe.ExchangeRecord;
import dev.sluice.upstream.UpstreamGroup;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * What one proxied request allocates on the proxy's event loop, in bytes, read from the loop thread's allocation
 * counter ({@code com.sun.management.ThreadMXBean#getThreadAllocatedBytes}) over many keep-alive requests, after
 * warm-up: for a route with no handler, for one with a handler that overrides nothing (every phase at its
 * default), and for one whose handler reads each exchange's record ({@code done}), on one kept-alive client
 * connection. Client and upstream are blocking sockets on threads of their own, whose allocations do not count.
 * The upstream connection is renewed every 1,000 requests ({@code keepalive_requests}' default), and a connection
 * costs the loop a few hundred bytes (the JDK's channel, its key and addresses, the pooled connection); one more row
 * keeps a single upstream connection for the whole run, which leaves what the requests themselves allocate.
 *
 * <pre>{@code java -cp benchmarks/target/benchmarks.jar dev.sluice.benchmarks.ExchangeAllocation}</pre>
 */
public final class ExchangeAllocation {

    private static final int WARM_UP = 50_000;
    private static final int MEASURED = 100_000;
    private static final byte[] RESPONSE = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
            .getBytes(StandardCharsets.US_ASCII);
    private static final byte[] REQUEST = "GET /items?page=2 HTTP/1.1\r\nHost: bench\r\nUser-Agent: bench\r\n\r\n"
            .getBytes(StandardCharsets.US_ASCII);

    private ExchangeAllocation() {
    }

    public static void main(String[] args) throws Exception {
        try (ServerSocket upstream = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread server = new Thread(() -> serve(upstream), "bench-upstream");
            server.setDaemon(true);
            server.start();
            UpstreamGroup group = UpstreamGroup.builder("bench").server("127.0.0.1:" + upstream.getLocalPort())
                    .build();
            UpstreamGroup oneConnection = UpstreamGroup.builder("bench-one-connection")
                    .server("127.0.0.1:" + upstream.getLocalPort())
                    .keepalive(k -> k.maxRequests(Integer.MAX_VALUE)).build();
            System.out.println("| route | bytes allocated on the loop per request |");
            System.out.println("|---|--:|");
            measure("no handler", group, r -> { });
            measure("no handler, one upstream connection throughout (keepalive_requests unbounded)", oneConnection,
                    r -> { });
            measure("a handler with every phase at its default", group, r -> r.handler(new ProxyHandler() { }));
            measure("a handler that overrides done (and nothing else)", group, r -> r.handler(new ProxyHandler() {
                @Override
                public void done(ProxyRequest request, ExchangeRecord record) {
                }
            }));
        }
    }

    private static void measure(String name, UpstreamGroup group, Consumer<Route.Builder> route) throws Exception {
        try (ProxyServer proxy = ProxyServer.builder().listen("127.0.0.1:0").workers(1).keepaliveRequests(1_000_000)
                .route("/", r -> route.accept(r.upstream(group))).start();
                Socket client = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
            client.setTcpNoDelay(true);
            OutputStream out = client.getOutputStream();
            InputStream in = client.getInputStream();
            byte[] buffer = new byte[4096];
            exchange(out, in, buffer, WARM_UP);
            Thread loop = loopThread();
            com.sun.management.ThreadMXBean threads =
                    (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            long before = threads.getThreadAllocatedBytes(loop.getId());
            exchange(out, in, buffer, MEASURED);
            long after = threads.getThreadAllocatedBytes(loop.getId());
            System.out.printf("| %s | %.1f |%n", name, (double) (after - before) / MEASURED);
        }
    }

    /** Sends {@code count} requests one at a time and reads each response to the end of its body, "ok". */
    private static void exchange(OutputStream out, InputStream in, byte[] buffer, int count) throws IOException {
        for (int i = 0; i < count; i++) {
            out.write(REQUEST);
            int read = 0;
            while (!endsResponse(buffer, read)) {
                int n = in.read(buffer, read, buffer.length - read);
                if (n < 0) {
                    throw new IOException("the proxy closed the connection after " + i + " requests");
                }
                read += n;
            }
        }
    }

    private static boolean endsResponse(byte[] buffer, int length) {
        return length >= 6 && buffer[length - 2] == 'o' && buffer[length - 1] == 'k'
                && buffer[length - 3] == '\n' && buffer[length - 4] == '\r';
    }

    private static Thread loopThread() {
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (thread.getName().startsWith("sluice-loop-")) {
                return thread;
            }
        }
        throw new IllegalStateException("no event loop thread");
    }

    private static void serve(ServerSocket upstream) {
        while (!upstream.isClosed()) {
            try {
                Socket socket = upstream.accept();
                Thread connection = new Thread(() -> answer(socket), "bench-upstream-connection");
                connection.setDaemon(true);
                connection.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    /** Answers every request head on the connection with a fixed response. */
    private static void answer(Socket socket) {
        try (socket) {
            socket.setTcpNoDelay(true);
            InputStream in = new BufferedInputStream(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            int matched = 0;
            for (int b; (b = in.read()) >= 0;) {
                matched = b == '\r' && (matched == 0 || matched == 2) || b == '\n' && (matched == 1 || matched == 3)
                        ? matched + 1 : 0;
                if (matched == 4) {
                    out.write(RESPONSE);
                    matched = 0;
                }
            }
        } catch (IOException e) {
            // the proxy closed the connection: the run is over
        }
    }
}
