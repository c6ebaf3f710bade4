package dev.sluice.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where {@code --access-log 'PATH|stdout|off [FORMAT]'} sends the access log, and in which {@code log_format}:
 * nginx's {@code combined}, the default {@code upstream} (the request line with every attempt's upstream values),
 * or a name given by {@code --log-format}.
 *
 * <p>A file is the library's {@code AccessLog.toFile}: appended to, as nginx appends, written off the event loops,
 * and reopened on {@code SIGUSR1} after log rotation. Standard output goes through slf4j, which the runnable jar
 * binds to slf4j-simple, whose destination is a system property read once, when the first logger is created:
 * {@link #configureLogging()} sets it, so it must run before anything creates a logger.
 *
 * @param kind where the lines go
 * @param file the file for {@link Kind#FILE}, else null
 * @param format the name of the line's format
 */
record AccessLogTarget(Kind kind, Path file, String format) {

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
    static final AccessLogTarget OFF = new AccessLogTarget(Kind.OFF, null, "upstream");
    /** Standard output: the default of {@code --demo}, whose point is to show what happened to each request. */
    static final AccessLogTarget STDOUT = new AccessLogTarget(Kind.STDOUT, null, "upstream");

    private static final String PREFIX = "org.slf4j.simpleLogger.";

    /**
     * Reads {@code off}, {@code stdout} or a file path, and an optional format name after the last space (so a
     * path with spaces needs a format after it); a path must name a file that can be written in an existing
     * directory.
     *
     * @throws IllegalArgumentException for a path that cannot be written
     */
    static AccessLogTarget parse(String value) {
        String trimmed = value.strip();
        int space = trimmed.length() - 1;
        while (space >= 0 && !Character.isWhitespace(trimmed.charAt(space))) {
            space--;
        }
        String text = space < 0 ? trimmed : trimmed.substring(0, space).strip();
        String format = space < 0 ? "upstream" : trimmed.substring(space + 1);
        if (text.equals("off")) {
            return OFF;
        }
        if (text.equals("stdout")) {
            return new AccessLogTarget(Kind.STDOUT, null, format);
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
        return new AccessLogTarget(Kind.FILE, file, format);
    }

    /** Whether there is an access log to write. */
    boolean enabled() {
        return kind != Kind.OFF;
    }

    /**
     * Points slf4j-simple at standard output for {@link Kind#STDOUT}, with a timestamp on each line and no thread
     * name. A property already given with {@code -D} wins. Call before any logger exists; does nothing otherwise.
     */
    void configureLogging() {
        if (kind != Kind.STDOUT) {
            return;
        }
        setIfAbsent("logFile", "System.out");
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
