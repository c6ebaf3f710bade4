package dev.sluice.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where {@code --access-log} sends the access log: standard output, a file, or nowhere.
 *
 * <p>The access log is the library's {@code AccessLog}, written through slf4j; the runnable jar binds slf4j to
 * slf4j-simple, whose destination is a system property read once, when the first logger is created. {@link
 * #configureLogging()} sets it, so it must run before anything creates a logger. slf4j-simple sends every
 * logger there, so sluice's own warnings share the destination, and it opens a file without appending: a
 * restart starts the file afresh.
 *
 * @param kind where the lines go
 * @param file the file for {@link Kind#FILE}, else null
 */
record AccessLogTarget(Kind kind, Path file) {

    /** The three destinations. */
    enum Kind {
        /** No access log. */
        OFF,
        /** Standard output, one line a request. */
        STDOUT,
        /** A file, started afresh at each startup. */
        FILE
    }

    /** No access log: the default of the proxy, which keeps a benchmark or a busy proxy quiet. */
    static final AccessLogTarget OFF = new AccessLogTarget(Kind.OFF, null);
    /** Standard output: the default of {@code --demo}, whose point is to show what happened to each request. */
    static final AccessLogTarget STDOUT = new AccessLogTarget(Kind.STDOUT, null);

    private static final String PREFIX = "org.slf4j.simpleLogger.";

    /**
     * Reads {@code off}, {@code stdout} or a file path; a path must name a file that can be written in an
     * existing directory.
     *
     * @throws IllegalArgumentException for a path that cannot be written
     */
    static AccessLogTarget parse(String text) {
        if (text.equals("off")) {
            return OFF;
        }
        if (text.equals("stdout")) {
            return STDOUT;
        }
        if (text.isEmpty()) {
            throw new IllegalArgumentException("expected PATH, stdout or off, got \"\"");
        }
        Path file = Path.of(text);
        Path dir = file.toAbsolutePath().getParent();
        if (Files.isDirectory(file)) {
            throw new IllegalArgumentException("\"" + text + "\" is a directory");
        }
        if (dir == null || !Files.isDirectory(dir)) {
            throw new IllegalArgumentException("cannot write \"" + text + "\": no such directory");
        }
        if (Files.exists(file) ? !Files.isWritable(file) : !Files.isWritable(dir)) {
            throw new IllegalArgumentException("cannot write \"" + text + "\": permission denied");
        }
        return new AccessLogTarget(Kind.FILE, file);
    }

    /** Whether there is an access log to write. */
    boolean enabled() {
        return kind != Kind.OFF;
    }

    /**
     * Points slf4j-simple at this destination, with a timestamp on each line and no thread name. A property
     * already given with {@code -D} wins. Call before any logger exists; does nothing for {@link Kind#OFF}.
     */
    void configureLogging() {
        if (!enabled()) {
            return;
        }
        setIfAbsent("logFile", kind == Kind.STDOUT ? "System.out" : file.toString());
        setIfAbsent("showDateTime", "true");
        setIfAbsent("dateTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSXXX");
        setIfAbsent("showThreadName", "false");
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(PREFIX + key) == null) {
            System.setProperty(PREFIX + key, value);
        }
    }
}
