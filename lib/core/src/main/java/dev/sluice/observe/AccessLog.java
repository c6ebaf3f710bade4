package dev.sluice.observe;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * nginx's {@code access_log}: one line a request, in a {@link LogFormat} ({@link LogFormat#upstream()} unless
 * given another, such as nginx's {@link LogFormat#combined()}), written to the slf4j logger {@value #LOGGER_NAME}
 * at INFO level or appended to a file.
 *
 * <p>Through slf4j, a provider must be on the class path (slf4j-simple, Logback, Log4j's slf4j2 binding); without
 * one slf4j warns once on standard error and drops every line. To a file ({@link #toFile}), lines are handed to a
 * writer thread through a bounded queue so that an event loop never waits for the disk: when the disk falls
 * {@value AccessLogFile#QUEUE} lines behind, further lines are dropped and counted ({@link #dropped()}), as a
 * proxy must not stall for its log. {@link #reopen()} starts writing to the file's path afresh after log rotation,
 * as nginx does on {@code SIGUSR1}.
 */
public final class AccessLog implements ExchangeListener, AutoCloseable {

    /** The slf4j logger name the access log writes to. */
    public static final String LOGGER_NAME = "dev.sluice.access";

    private final LogFormat format;
    private final Logger logger;
    private final AccessLogFile file;

    /** An access log writing {@link LogFormat#upstream()} lines to the {@value #LOGGER_NAME} logger. */
    public AccessLog() {
        this(LogFormat.upstream(), LoggerFactory.getLogger(LOGGER_NAME), null);
    }

    private AccessLog(LogFormat format, Logger logger, AccessLogFile file) {
        this.format = Objects.requireNonNull(format, "format");
        this.logger = logger;
        this.file = file;
    }

    /** An access log writing {@code format} lines to the {@value #LOGGER_NAME} logger. */
    public static AccessLog toLogger(LogFormat format) {
        return new AccessLog(format, LoggerFactory.getLogger(LOGGER_NAME), null);
    }

    /**
     * An access log appending {@code format} lines to {@code file}, created if missing, as nginx's {@code access_log
     * PATH FORMAT}. {@link #close()} it when the proxy stops.
     *
     * @throws IOException when the file cannot be opened for appending
     */
    public static AccessLog toFile(Path file, LogFormat format) throws IOException {
        return new AccessLog(format, null, new AccessLogFile(file));
    }

    @Override
    public void exchangeEnded(ExchangeRecord e) {
        if (file != null) {
            file.offer(format.format(e));
        } else if (logger.isInfoEnabled()) {
            logger.info(format.format(e));
        }
    }

    /** The request fields its format names as {@code $http_NAME}. */
    @Override
    public Set<String> requestFields() {
        return format.requestFields();
    }

    /** The access-log line of one exchange in the default format, {@link LogFormat#upstream()}. */
    public static String format(ExchangeRecord e) {
        return LogFormat.upstream().format(e);
    }

    /** Lines dropped because the file's writer was {@value AccessLogFile#QUEUE} lines behind; 0 for a logger. */
    public long dropped() {
        return file == null ? 0 : file.dropped();
    }

    /** After log rotation: closes the file and opens its path again, after the lines already queued. */
    public void reopen() {
        if (file != null) {
            file.reopen();
        }
    }

    /** Writes the lines already queued and closes the file; nothing is written afterwards. */
    @Override
    public void close() {
        if (file != null) {
            file.close();
        }
    }
}
