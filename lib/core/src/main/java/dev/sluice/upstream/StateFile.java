package dev.sluice.upstream;

import dev.sluice.internal.text.NginxTime;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * NGINX Plus's {@code state FILE} of a group: its server list as {@code server} lines, one per peer, read when the
 * group is built and written again after every change at run time. A write goes to a temporary file beside it,
 * forced to the disk, then renamed over it, so the file is always a whole list (an old one or the new one), even
 * if the process dies mid-write. Writes run on a thread of their own, never on the caller's (a change can come
 * from an event loop), one at a time and newest last.
 */
final class StateFile {

    private static final Logger log = LoggerFactory.getLogger(StateFile.class);

    private final Path path;
    private final ThreadPoolExecutor writer;
    /** Counts the lists handed over (under the group's lock), so that an older one never overwrites a newer one. */
    private int handed;
    /** The number of the newest list written; guarded by this. */
    private int written;

    StateFile(Path path) {
        this.path = path;
        this.writer = new ThreadPoolExecutor(1, 1, 1, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread thread = new Thread(r, "sluice-state-" + path.getFileName());
            thread.setDaemon(true);
            return thread;
        });
        writer.allowCoreThreadTimeOut(true);
    }

    Path path() {
        return path;
    }

    /**
     * The server lines of the file, or null when there is no file yet.
     *
     * @throws IllegalArgumentException naming the file and line of the first line it cannot read, or the file when
     *     its folder is missing or cannot be written to, so that no change at run time would last
     */
    List<Peer> read() {
        Path folder = path.toAbsolutePath().getParent();
        if (folder == null || !Files.isDirectory(folder) || !Files.isWritable(folder)) {
            throw new IllegalArgumentException(path + ": cannot write the state file: its folder " + folder
                    + " is missing or not writable");
        }
        if (!Files.exists(path)) {
            return null;
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(path, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException(path + ": cannot read the state file: " + e.getMessage(), e);
        }
        List<Peer> peers = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            try {
                peers.add(parse(line));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(path + ":" + (i + 1) + ": " + e.getMessage(), e);
            }
        }
        return peers;
    }

    /** One {@code server ADDRESS [weight=N] ... ;} line. */
    static Peer parse(String line) {
        if (!line.startsWith("server ") || !line.endsWith(";")) {
            throw new IllegalArgumentException("expected \"server ADDRESS [parameters];\", got \"" + line + "\"");
        }
        String[] words = line.substring("server ".length(), line.length() - 1).strip().split("\\s+");
        Peer.Builder peer = Peer.builder(words[0]);
        for (int i = 1; i < words.length; i++) {
            String word = words[i];
            int eq = word.indexOf('=');
            String name = eq < 0 ? word : word.substring(0, eq);
            String value = eq < 0 ? "" : word.substring(eq + 1);
            switch (name) {
                case "weight" -> peer.weight(number(word, value));
                case "max_fails" -> peer.maxFails(number(word, value));
                case "max_conns" -> peer.maxConns(number(word, value));
                case "fail_timeout" -> peer.failTimeout(time(word, value));
                case "slow_start" -> peer.slowStart(time(word, value));
                case "route" -> peer.route(value);
                case "backup" -> peer.backup();
                case "down" -> peer.down();
                case "drain" -> peer.drain();
                default -> throw new IllegalArgumentException("unknown parameter \"" + word + "\"");
            }
        }
        return peer.build();
    }

    /** The line of {@code peer}, which {@link #parse} reads back to the same parameters. */
    static String line(PeerState peer) {
        Peer p = peer.peer;
        StringBuilder out = new StringBuilder(96).append("server ").append(peer.name())
                .append(" weight=").append(p.weight())
                .append(" max_fails=").append(p.maxFails())
                .append(" fail_timeout=").append(p.failTimeout().toSeconds()).append('s')
                .append(" max_conns=").append(p.maxConns());
        if (!p.slowStart().isZero()) {
            out.append(" slow_start=").append(p.slowStart().toMillis()).append("ms");
        }
        if (!p.route().isEmpty()) {
            out.append(" route=").append(p.route());
        }
        if (p.backup()) {
            out.append(" backup");
        }
        if (peer.down) {
            out.append(" down");
        }
        if (peer.draining) {
            out.append(" drain");
        }
        return out.append(';').toString();
    }

    /** Writes the server list of upstream {@code group}, {@code peers}, unless a newer one is written first. */
    void save(String group, List<PeerState> peers) {
        StringBuilder text = new StringBuilder(64 * peers.size() + 64)
                .append("# the servers of upstream ").append(group).append(", written by sluice\n");
        for (PeerState peer : peers) {
            text.append(line(peer)).append('\n');
        }
        int number = ++handed;
        writer.execute(() -> write(number, text.toString()));
    }

    private synchronized void write(int number, String text) {
        if (number <= written) {
            return;
        }
        Path temporary = path.resolveSibling(path.getFileName() + ".tmp");
        try {
            try (FileChannel out = FileChannel.open(temporary, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer bytes = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
                while (bytes.hasRemaining()) {
                    out.write(bytes);
                }
                out.force(true);
            }
            try {
                Files.move(temporary, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temporary, path, StandardCopyOption.REPLACE_EXISTING);
            }
            written = number;
        } catch (IOException | UncheckedIOException e) {
            log.error("cannot write the state file {}: the server list on disk is the one before", path, e);
        }
    }

    private static int number(String word, String value) {
        if (!value.matches("[0-9]{1,9}")) {
            throw new IllegalArgumentException("invalid number in \"" + word + "\"");
        }
        return Integer.parseInt(value);
    }

    private static Duration time(String word, String value) {
        Duration time = NginxTime.parse(value);
        if (time == null) {
            throw new IllegalArgumentException("invalid time in \"" + word + "\"");
        }
        return time;
    }
}
