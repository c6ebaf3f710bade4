package dev.sluice.observe;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * nginx's {@code access_log}, written through slf4j to the logger {@value #LOGGER_NAME} at INFO level, one line a
 * request:
 *
 * <pre>
 * $remote_addr "$request" $status $body_bytes_sent $request_time upstream_addr=$upstream_addr
 *   upstream_status=$upstream_status upstream_response_time=$upstream_response_time
 *   upstream_connect_time=$upstream_connect_time upstream_header_time=$upstream_header_time
 * </pre>
 *
 * <p>Values of several attempts are joined as nginx joins them: {@code upstream_status=502, 200}.
 *
 * <p>slf4j needs a provider on the class path to write anything (slf4j-simple, Logback, Log4j's slf4j2 binding);
 * without one it warns once on standard error and drops every line.
 */
public final class AccessLog implements ExchangeListener {

    /** The slf4j logger name the access log writes to. */
    public static final String LOGGER_NAME = "dev.sluice.access";

    private final Logger logger;

    /** An access log writing to the {@value #LOGGER_NAME} logger. */
    public AccessLog() {
        this(LoggerFactory.getLogger(LOGGER_NAME));
    }

    AccessLog(Logger logger) {
        this.logger = logger;
    }

    @Override
    public void exchangeEnded(ExchangeRecord e) {
        if (logger.isInfoEnabled()) {
            logger.info(format(e));
        }
    }

    /** The access-log line of one exchange. */
    public static String format(ExchangeRecord e) {
        StringBuilder sb = new StringBuilder(160);
        sb.append(e.clientAddress()).append(" \"").append(e.method()).append(' ').append(e.target()).append(' ')
                .append(e.protocol()).append("\" ").append(e.status()).append(' ').append(e.bodyBytesSent()).append(' ');
        ExchangeRecord.seconds(sb, e.requestNanos());
        sb.append(" upstream_addr=").append(e.upstreamAddr())
                .append(" upstream_status=").append(e.upstreamStatus())
                .append(" upstream_response_time=").append(e.upstreamResponseTime())
                .append(" upstream_connect_time=").append(e.upstreamConnectTime())
                .append(" upstream_header_time=").append(e.upstreamHeaderTime());
        return sb.toString();
    }
}
