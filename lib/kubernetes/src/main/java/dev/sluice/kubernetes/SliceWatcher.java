package dev.sluice.kubernetes;

import dev.sluice.upstream.Endpoint;
import dev.sluice.upstream.Peer;
import dev.sluice.upstream.UpstreamGroup;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One server line following a Service's EndpointSlices, on a daemon thread of its own: list, then watch from the
 * list's version, resume each watch from the last version seen, list again after a 410, and wait 1 s doubling to
 * 30 s after a try that brought no event. After each change it hands the group the line's complete endpoints, when
 * they differ from the last it handed; trouble hands it nothing, so the line keeps its peers. Closing it ends the
 * thread: it closes the response being read and interrupts a wait or a request.
 */
final class SliceWatcher implements AutoCloseable {

    static final long FIRST_RETRY_SECONDS = 1;
    static final long LAST_RETRY_SECONDS = 30;
    /** How long a watch may outlast its {@code timeoutSeconds} before it counts as a dead connection. */
    static final Duration GRACE = Duration.ofSeconds(30);

    private static final Logger log = LoggerFactory.getLogger(SliceWatcher.class);

    private final SliceSource source;
    private final UpstreamGroup group;
    private final Peer line;
    private final ApiClient api;
    private final SliceSet slices;
    private final Thread thread;
    /** The version the next watch resumes from; null: list first. */
    private String resourceVersion;
    /** Tries in a row that brought no event. */
    private int failures;
    /** The endpoints last handed to the group, or null before the first. */
    private List<Endpoint> announced;
    /** The last reason the endpoints could not be worked out, so that it is logged once. */
    private String problem;
    private boolean closed;

    private SliceWatcher(SliceSource source, UpstreamGroup group, Peer line) {
        this.source = source;
        this.group = group;
        this.line = line;
        this.api = new ApiClient(source);
        this.slices = new SliceSet(source.port());
        this.thread = new Thread(this::run, "sluice-kubernetes-" + source.namespace() + "/" + source.service());
        thread.setDaemon(true);
    }

    /** Starts following {@code source} for line {@code line} of {@code group}. */
    static SliceWatcher start(SliceSource source, UpstreamGroup group, Peer line) {
        SliceWatcher watcher = new SliceWatcher(source, group, line);
        watcher.thread.start();
        return watcher;
    }

    private void run() {
        try {
            while (!isClosed()) {
                pause();
                failures = follow() ? 0 : failures + 1;
            }
        } catch (InterruptedException closing) {
            // closed while waiting or asking
        }
    }

    /** One try: a list if there is no version to resume from, then a watch; whether it ended after an event. */
    private boolean follow() throws InterruptedException {
        try {
            if (resourceVersion == null) {
                list();
            }
            return watch();
        } catch (GoneException e) {
            resourceVersion = null;
            log.info("{} for upstream \"{}\": resource version expired ({}); listing again", source, group.name(),
                    e.getMessage());
        } catch (IOException | RuntimeException e) {
            if (!isClosed()) {
                log.warn("{} for upstream \"{}\" could not be followed ({}); its endpoints stay as they were, next"
                        + " try in {} s", source, group.name(), e.toString(), retrySeconds(failures + 1));
            }
        }
        return false;
    }

    /** Waits before a try after tries that brought nothing: 1 s, doubling up to 30 s. */
    private void pause() throws InterruptedException {
        if (failures > 0) {
            TimeUnit.SECONDS.sleep(retrySeconds(failures));
        }
    }

    private static long retrySeconds(int failures) {
        return Math.min(LAST_RETRY_SECONDS, FIRST_RETRY_SECONDS << Math.min(failures - 1, 5));
    }

    private void list() throws IOException, InterruptedException {
        ApiClient.SliceList list = api.list();
        List<Slice> listed = new ArrayList<>();
        for (JsonObject item : list.items()) {
            listed.add(Slice.from(item));
        }
        slices.replaceAll(listed);
        resourceVersion = list.resourceVersion();
        announce();
    }

    /** Follows one watch to its end; whether it brought an event. */
    private boolean watch() throws IOException, InterruptedException {
        long timeoutSeconds = ThreadLocalRandom.current().nextLong(300, 600);
        boolean delivered = false;
        try (WatchStream events = api.watch(resourceVersion, timeoutSeconds, GRACE)) {
            WatchEvent event;
            while ((event = events.next()) != null) {
                delivered = true;
                failures = 0; // an event ends the back-off: trouble after it waits 1 s
                apply(event);
            }
        }
        if (!delivered) {
            log.debug("{} for upstream \"{}\": a watch ended with no event", source, group.name());
        }
        return delivered;
    }

    private void apply(WatchEvent event) throws IOException {
        switch (event.type()) {
            case "ERROR" -> throw status(event.object());
            case "ADDED", "MODIFIED" -> slices.put(Slice.from(event.object()));
            case "DELETED" -> slices.remove(event.object().requiredObject("metadata").requiredString("name"));
            default -> { } // BOOKMARK: only the version moves
        }
        resourceVersion = event.resourceVersion();
        if (!event.type().equals("BOOKMARK")) {
            announce();
        }
    }

    /** What an {@code ERROR} event's {@code Status} says: 410 a {@link GoneException}, else an error. */
    private static IOException status(JsonObject status) throws JsonException {
        Long code = status.integer("code");
        String message = "watch error " + code + ": " + status.string("message");
        return code != null && code == 410 ? new GoneException(message) : new IOException(message);
    }

    /** Hands the group the line's endpoints, if they changed. */
    private void announce() {
        List<Endpoint> endpoints;
        try {
            endpoints = slices.endpoints();
            problem = null;
        } catch (IllegalStateException e) {
            if (!e.getMessage().equals(problem)) {
                problem = e.getMessage();
                log.warn("{} for upstream \"{}\": {}; its endpoints stay as they were", source, group.name(),
                        problem);
            }
            return;
        }
        synchronized (this) {
            if (closed || endpoints.equals(announced)) {
                return;
            }
            group.setEndpoints(line.server(), endpoints);
            announced = endpoints;
        }
        log.debug("{} for upstream \"{}\": {} endpoints", source, group.name(), endpoints.size());
    }

    private synchronized boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
        }
        api.close();
        thread.interrupt();
    }

    @Override
    public String toString() {
        return source + " for upstream " + group.name();
    }
}
