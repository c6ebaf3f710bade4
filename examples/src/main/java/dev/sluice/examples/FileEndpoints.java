package dev.sluice.examples;

import dev.sluice.ProxyServer;
import dev.sluice.upstream.Endpoint;
import dev.sluice.upstream.EndpointSource;
import dev.sluice.upstream.Peer;
import dev.sluice.upstream.UpstreamGroup;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A discovery source of your own: the endpoints of a server line come from a file that a deploy script rewrites,
 * one {@code IP:PORT [weight=N] [terminating]} a line. The file is read every second on a thread of the source's
 * own; a line marked {@code terminating} drains, a line removed leaves, a new line joins. A file that cannot be
 * read, or holds a bad line, changes nothing: the line keeps the endpoints it had, as any source should.
 *
 * <pre>{@code
 * UpstreamGroup web = UpstreamGroup.builder("web")
 *     .discover("file:web.endpoints", new FileEndpoints(Path.of("web.endpoints")), s -> s.maxFails(2))
 *     .build();
 * }</pre>
 */
public final class FileEndpoints implements EndpointSource {

    private final Path file;

    public FileEndpoints(Path file) {
        this.file = file;
    }

    @Override
    public AutoCloseable follow(UpstreamGroup group, Peer line) {
        ScheduledExecutorService reader = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "endpoints of " + file);
            thread.setDaemon(true);
            return thread;
        });
        reader.scheduleWithFixedDelay(() -> {
            try {
                group.setEndpoints(line.server(), read(file));
            } catch (IOException | IllegalArgumentException e) {
                System.err.println(file + ": " + e.getMessage() + "; the endpoints stay as they were");
            }
        }, 0, 1, TimeUnit.SECONDS);
        return reader::shutdownNow;
    }

    /** The endpoints {@code file} lists. */
    static List<Endpoint> read(Path file) throws IOException {
        List<Endpoint> endpoints = new ArrayList<>();
        int number = 0;
        for (String text : Files.readAllLines(file)) {
            number++;
            String[] words = text.strip().split("\\s+");
            if (words[0].isEmpty() || words[0].startsWith("#")) {
                continue;
            }
            int colon = words[0].lastIndexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("line " + number + ": write IP:PORT, not \"" + words[0] + "\"");
            }
            InetAddress ip = InetAddress.getByName(words[0].substring(0, colon));
            int port = Integer.parseInt(words[0].substring(colon + 1));
            Endpoint endpoint = Endpoint.ready(new InetSocketAddress(ip, port));
            for (int i = 1; i < words.length; i++) {
                if (words[i].equals("terminating")) {
                    endpoint = endpoint.withCondition(Endpoint.Condition.TERMINATING);
                } else if (words[i].startsWith("weight=")) {
                    endpoint = endpoint.withWeight(Integer.parseInt(words[i].substring("weight=".length())));
                } else {
                    throw new IllegalArgumentException("line " + number + ": unknown \"" + words[i] + "\"");
                }
            }
            endpoints.add(endpoint);
        }
        return endpoints;
    }

    /** Proxies 127.0.0.1:8080 to the endpoints {@code args[0]} lists, following the file as it changes. */
    public static void main(String[] args) throws Exception {
        Path file = Path.of(args.length > 0 ? args[0] : "web.endpoints");
        UpstreamGroup web = UpstreamGroup.builder("web").discover("file:" + file, new FileEndpoints(file)).build();
        try (ProxyServer proxy = ProxyServer.builder().listen("127.0.0.1:8080").route("/", r -> r.upstream(web))
                .start()) {
            System.out.println("proxying 127.0.0.1:8080 to the endpoints in " + file + "; Ctrl-C stops");
            Thread.currentThread().join();
        }
    }
}
