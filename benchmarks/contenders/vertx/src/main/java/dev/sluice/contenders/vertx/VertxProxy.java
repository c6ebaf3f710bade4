package dev.sluice.contenders.vertx;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.file.FileSystemOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.httpproxy.HttpProxy;

/**
 * The Vert.x contender of benchmarks/load/run.sh: Vert.x http-proxy in front of one origin, set up as its
 * manual shows (an HttpClient, {@code HttpProxy.reverseProxy(client).origin(port, host)}, an HttpServer whose
 * request handler is the proxy), on one event loop with one verticle instance.
 *
 * <p>Usage: {@code java -jar vertx-proxy.jar LISTEN_PORT UPSTREAM_HOST:PORT K}, where K is the most
 * connections the client pools to the upstream (PoolOptions http1MaxSize; requests beyond K wait for a
 * connection). It listens on 127.0.0.1 and prints "listening on 127.0.0.1:PORT" once it accepts connections.
 */
public final class VertxProxy extends VerticleBase {

    private final int listenPort;
    private final String upstreamHost;
    private final int upstreamPort;
    private final int maxPooled;

    private VertxProxy(int listenPort, String upstreamHost, int upstreamPort, int maxPooled) {
        this.listenPort = listenPort;
        this.upstreamHost = upstreamHost;
        this.upstreamPort = upstreamPort;
        this.maxPooled = maxPooled;
    }

    @Override
    public Future<?> start() {
        // Vert.x's client defaults, written out: HTTP/1.1, keep-alive (60 s idle), no pipelining, TCP_NODELAY.
        HttpClientOptions clientOptions = new HttpClientOptions()
            .setProtocolVersion(HttpVersion.HTTP_1_1)
            .setKeepAlive(true)
            .setPipelining(false)
            .setTcpNoDelay(true);
        PoolOptions poolOptions = new PoolOptions().setHttp1MaxSize(maxPooled);
        HttpClient client = vertx.createHttpClient(clientOptions, poolOptions);
        HttpProxy proxy = HttpProxy.reverseProxy(client).origin(upstreamPort, upstreamHost);

        // HTTP/1.1 only (no h2c upgrade), TCP_NODELAY, no compression: what the other contenders do.
        HttpServerOptions serverOptions = new HttpServerOptions()
            .setHost("127.0.0.1")
            .setPort(listenPort)
            .setTcpNoDelay(true)
            .setHttp2ClearTextEnabled(false)
            .setCompressionSupported(false)
            .setAcceptBacklog(4096);
        return vertx.createHttpServer(serverOptions).requestHandler(proxy).listen();
    }

    public static void main(String[] args) {
        if (args.length != 3) {
            System.err.println("usage: java -jar vertx-proxy.jar LISTEN_PORT UPSTREAM_HOST:PORT K");
            System.exit(64);
        }
        int listenPort = Integer.parseInt(args[0]);
        int colon = args[1].lastIndexOf(':');
        if (colon <= 0) {
            System.err.println("upstream must be HOST:PORT, got " + args[1]);
            System.exit(64);
        }
        String upstreamHost = args[1].substring(0, colon);
        int upstreamPort = Integer.parseInt(args[1].substring(colon + 1));
        int maxPooled = Integer.parseInt(args[2]);

        // One event loop; no classpath file resolving, so nothing is written to a .vertx cache directory.
        VertxOptions options = new VertxOptions()
            .setEventLoopPoolSize(1)
            .setFileSystemOptions(new FileSystemOptions().setClassPathResolvingEnabled(false).setFileCachingEnabled(false));
        Vertx vertx = Vertx.vertx(options);
        vertx.deployVerticle(() -> new VertxProxy(listenPort, upstreamHost, upstreamPort, maxPooled),
                new DeploymentOptions().setInstances(1))
            .onSuccess(id -> System.out.println("listening on 127.0.0.1:" + listenPort + " (upstream " + args[1]
                + ", at most " + maxPooled + " upstream connections, transport "
                + (vertx.isNativeTransportEnabled() ? "native" : "nio") + ")"))
            .onFailure(e -> {
                e.printStackTrace();
                System.exit(1);
            });
    }
}
