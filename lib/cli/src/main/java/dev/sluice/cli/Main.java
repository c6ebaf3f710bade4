package dev.sluice.cli;

import dev.sluice.ProxyServer;
import dev.sluice.observe.AccessLog;
import dev.sluice.observe.UpstreamStatus;
import dev.sluice.upstream.UpstreamGroup;
import java.io.IOException;
import java.io.PrintStream;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;

/**
 * The entry point of {@code java -jar sluice.jar [options]}: reads the flags ({@link Cli}), configures logging,
 * builds and starts the proxy (or the {@link Demo}), prints one line containing {@code listening on HOST:PORT},
 * and runs until SIGTERM or SIGINT, when a shutdown hook stops it gracefully (10 seconds' grace).
 *
 * <p>With {@code -c FILE} the proxy is an nginx configuration file's ({@link NginxConfig}); {@code -t} checks it and
 * exits; {@code --to-java FILE} prints its builder code.
 *
 * <p>Exit status: 0 after {@code --help}, a {@code -t} that passed, or {@code --to-java}; 2 for a bad flag or value,
 * with one line on standard error naming the flag ({@code sluice: --proxy-connect-timeout: invalid time "5x"}); 1
 * when the proxy cannot start (a port in use) or a configuration file is wrong (one line naming its file and line,
 * as nginx exits 1); after a signal, the JVM's usual 143 (SIGTERM) or 130 (SIGINT), once the proxy has stopped.
 */
public final class Main {

    /** Exit status for a bad command line. */
    static final int USAGE = 2;
    /** Exit status when the proxy cannot start. */
    static final int FAILED = 1;

    private static final Duration GRACE = Duration.ofSeconds(10);

    private Main() {
    }

    /** Runs the proxy until a signal; returns early only for {@code --help} and errors, which set the exit status. */
    public static void main(String[] args) {
        int status = run(args, System.out, System.err);
        if (status != 0) {
            System.exit(status);
        }
    }

    /**
     * Does what {@link #main} does, writing to {@code out} and {@code err}, and returns the exit status instead
     * of exiting. With a valid command line it blocks until the shutdown hook has stopped the proxy (then 0).
     */
    static int run(String[] args, PrintStream out, PrintStream err) {
        Settings settings;
        try {
            settings = Cli.parse(args);
        } catch (UsageException e) {
            err.println("sluice: " + e.getMessage());
            return USAGE;
        }
        if (settings.help()) {
            out.print(Cli.usage());
            return 0;
        }
        if (settings.toJava() != null) {
            return printJava(settings.toJava(), out, err);
        }
        if (settings.configFile() != null) {
            return runConfig(settings.configFile(), settings.testOnly(), out, err);
        }
        // slf4j-simple reads its destination once, when the first logger is created; building the proxy creates
        // the access log's logger, so this comes first.
        settings.accessLog().configureLogging();
        AutoCloseable running;
        List<InetSocketAddress> addresses;
        String after = "";
        try {
            if (settings.demo()) {
                Demo demo = Demo.start(settings.proxyBuilder());
                running = demo;
                addresses = demo.proxy().addresses();
                after = demo.instructions();
            } else {
                UpstreamGroup backend = settings.upstream();
                ProxyServer proxy = settings.toBuilder(backend).start();
                List<ProxyServer> apis = new ArrayList<>();
                StringBuilder lines = new StringBuilder();
                try {
                    for (Map.Entry<String, ProxyServer.Builder> api : settings.apiBuilders(backend, proxy).entrySet()) {
                        ProxyServer started = api.getValue().start();
                        apis.add(started);
                        lines.append("sluice: ").append(api.getKey()).append(" listening on ")
                                .append(hostPort(started.addresses().get(0))).append(UpstreamStatus.PATH).append('\n');
                    }
                } catch (IOException | RuntimeException e) {
                    apis.forEach(ProxyServer::close);
                    proxy.close();
                    throw e;
                }
                AccessLog log = settings.openAccessLog();
                running = () -> {
                    proxy.shutdown(GRACE);
                    apis.forEach(ProxyServer::close);
                    if (log != null) {
                        log.close();
                    }
                };
                addresses = proxy.addresses();
                after = lines.toString();
                if (log != null) {
                    Signals.on("USR1", log::reopen);
                }
                onHangup(proxy, err);
            }
        } catch (UsageException e) {
            err.println("sluice: " + e.getMessage());
            return USAGE;
        } catch (IOException | RuntimeException e) {
            err.println("sluice: cannot start: " + describe(e));
            return FAILED;
        }
        out.println(listeningLine(addresses));
        out.print(after);
        out.flush();
        awaitShutdown(running);
        return 0;
    }

    /** {@code --to-java FILE}: the builder code of the file on {@code out}, in a class named after the file. */
    private static int printJava(Path file, PrintStream out, PrintStream err) {
        try {
            out.print(NginxConfig.read(file).toJava(className(file)));
            out.flush();
            return 0;
        } catch (UsageException e) {
            err.println("sluice: " + e.getMessage());
            return FAILED;
        }
    }

    /** {@code nginx.conf}: {@code NginxConf}. */
    static String className(Path file) {
        String name = new Names().of(file.getFileName().toString(), "proxy");
        return Character.toUpperCase(name.charAt(0)) + name.substring(1);
    }

    /**
     * {@code -c FILE [-t]}: the proxy of an nginx configuration file, run until a signal; with {@code -t} built
     * (every file read, every group resolved) but not started. A file that is wrong exits 1, as nginx does.
     */
    private static int runConfig(Path file, boolean testOnly, PrintStream out, PrintStream err) {
        NginxConfig.Built built;
        try {
            NginxConfig config = NginxConfig.read(file);
            config.warnings().forEach(w -> err.println("sluice: " + w));
            built = config.build();
        } catch (UsageException e) {
            err.println("sluice: " + e.getMessage());
            if (testOnly) {
                err.println("sluice: configuration file " + file + " test failed");
            }
            return FAILED;
        }
        AccessLog log = built.accessLog();
        if (testOnly) {
            if (log != null) {
                log.close();
            }
            err.println("sluice: the configuration file " + file + " syntax is ok");
            err.println("sluice: configuration file " + file + " test is successful");
            return 0;
        }
        ProxyServer proxy;
        try {
            proxy = built.proxy().start();
        } catch (IOException | RuntimeException e) {
            if (log != null) {
                log.close();
            }
            err.println("sluice: cannot start: " + describe(e));
            return FAILED;
        }
        if (log != null) {
            Signals.on("USR1", log::reopen);
        }
        onHangup(proxy, err);
        out.println(listeningLine(proxy.addresses()));
        out.flush();
        awaitShutdown(() -> {
            proxy.shutdown(GRACE);
            if (log != null) {
                log.close();
            }
        });
        return 0;
    }

    /** Reads the TLS files again on {@code SIGHUP}, or says that this process cannot, as under {@code nohup}. */
    private static void onHangup(ProxyServer proxy, PrintStream err) {
        if (!Signals.on("HUP", () -> reloadCertificates(proxy, err))) {
            err.println("sluice: SIGHUP cannot be handled in this process (ignored since it started, as under nohup, "
                    + "or no such signal here): TLS certificates are read again only by a restart");
            err.flush();
        }
    }

    /** {@code SIGHUP}: the TLS files read again; when one fails, the error says why and the certificates stay. */
    private static void reloadCertificates(ProxyServer proxy, PrintStream err) {
        try {
            proxy.reloadCertificates();
        } catch (RuntimeException e) {
            err.println("sluice: reload failed, the certificates in use stay: " + e.getMessage());
            err.flush();
        }
    }

    /** The startup line: {@code sluice: listening on 127.0.0.1:8080}, every address on one line. */
    static String listeningLine(List<InetSocketAddress> addresses) {
        return "sluice: listening on " + addresses.stream().map(Main::hostPort).collect(Collectors.joining(", "));
    }

    /** {@code HOST:PORT} with the numeric host, in brackets for IPv6. */
    static String hostPort(InetSocketAddress address) {
        String host = address.getAddress() == null ? address.getHostString() : address.getAddress().getHostAddress();
        int zone = host.indexOf('%');
        if (address.getAddress() instanceof Inet6Address) {
            host = "[" + (zone < 0 ? host : host.substring(0, zone)) + "]";
        }
        return host + ":" + address.getPort();
    }

    /** Blocks until SIGTERM or SIGINT has run the hook that stops {@code running}. */
    private static void awaitShutdown(AutoCloseable running) {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                running.close();
            } catch (Exception e) {
                System.err.println("sluice: shutdown: " + describe(e));
            } finally {
                stopped.countDown();
            }
        }, "sluice-shutdown"));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String describe(Exception e) {
        String message = e.getMessage() == null ? "" : e.getMessage().replaceAll("[\\r\\n]+", " ");
        if (e instanceof UnsupportedOperationException) {
            return "the proxy engine is not available in this build (" + message + ")";
        }
        return message.isEmpty() ? e.getClass().getSimpleName() : message + " (" + e.getClass().getSimpleName() + ")";
    }
}
