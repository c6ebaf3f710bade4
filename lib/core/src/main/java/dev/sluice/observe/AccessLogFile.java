package dev.sluice.observe;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The file behind {@link AccessLog#toFile}: lines go through a bounded queue to one writer thread, which appends
 * them and flushes whenever the queue runs empty. Offering never blocks; a full queue drops the line and counts it.
 */
final class AccessLogFile {

    /** How many lines may wait for the writer. */
    static final int QUEUE = 8192;

    private static final Logger log = LoggerFactory.getLogger(AccessLogFile.class);
    private static final String REOPEN = new String("reopen");
    private static final String CLOSE = new String("close");

    private final Path path;
    private final BlockingQueue<String> queue = new ArrayBlockingQueue<>(QUEUE);
    private final AtomicLong dropped = new AtomicLong();
    private final Thread writer;
    private BufferedWriter out;
    private volatile boolean closed;

    AccessLogFile(Path path) throws IOException {
        this.path = path;
        this.out = open(path);
        this.writer = new Thread(this::run, "sluice-access-log");
        writer.setDaemon(true);
        writer.start();
    }

    private static BufferedWriter open(Path path) throws IOException {
        return Files.newBufferedWriter(path, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND, StandardOpenOption.WRITE);
    }

    void offer(String line) {
        if (closed || !queue.offer(line)) {
            dropped.incrementAndGet();
        }
    }

    long dropped() {
        return dropped.get();
    }

    void reopen() {
        if (!closed) {
            enqueue(REOPEN);
        }
    }

    void close() {
        if (closed) {
            return;
        }
        closed = true;
        enqueue(CLOSE);
        try {
            writer.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A control marker waits for room, a while: the writer drains the queue unless it has failed. */
    private void enqueue(String marker) {
        try {
            if (!queue.offer(marker, 10, TimeUnit.SECONDS)) {
                log.warn("{}: the writer is stuck; {} not done", this, marker);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        try {
            for (;;) {
                String line = queue.take();
                if (line == CLOSE) {
                    out.close();
                    return;
                }
                if (line == REOPEN) {
                    out.close();
                    out = open(path);
                    continue;
                }
                out.write(line);
                out.write('\n');
                if (queue.isEmpty()) {
                    out.flush();
                }
            }
        } catch (IOException e) {
            log.error("access log {} cannot be written; no more lines go to it", path, e);
            closed = true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "access log " + path;
    }
}
