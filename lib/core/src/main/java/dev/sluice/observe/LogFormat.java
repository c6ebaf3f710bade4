package dev.sluice.observe;

import dev.sluice.internal.text.VariableText;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * An access-log line made of text and nginx variables: nginx's {@code log_format}. Parsed once; each
 * {@link ExchangeRecord} is then written into a caller's {@link StringBuilder}.
 *
 * <p>Variables: {@code $remote_addr}, {@code $remote_user}, {@code $time_local}, {@code $time_iso8601}, {@code $msec},
 * {@code $request}, {@code $request_method}, {@code $request_uri}, {@code $server_protocol}, {@code $status},
 * {@code $body_bytes_sent}, {@code $request_time}, {@code $http_referer}, {@code $http_user_agent}, any other
 * request field as {@code $http_NAME} (dashes written as underscores: {@code $http_x_forwarded_for}),
 * {@code $server_name} (the virtual server's first name), {@code $scheme}, {@code $https} ({@code on} on a TLS
 * address, else empty), {@code $ssl_protocol}, {@code $ssl_cipher}, {@code $ssl_server_name} and {@code
 * $ssl_client_verify}, and nginx's
 * {@code $upstream_addr}, {@code $upstream_status}, {@code $upstream_response_time}, {@code $upstream_connect_time}
 * and {@code $upstream_header_time} (every attempt's value, joined as nginx joins them). A name may be braced,
 * {@code ${status}}. A value that is missing is written as nginx writes it, {@code -}.
 *
 * <p>{@link #combined()} is nginx's predefined {@code combined}; {@link #upstream()}, the default of
 * {@link AccessLog}, adds the upstream timings to the request line.
 */
public final class LogFormat {

    /** nginx's predefined {@code combined} format. */
    public static final String COMBINED = "$remote_addr - $remote_user [$time_local] \"$request\" $status "
            + "$body_bytes_sent \"$http_referer\" \"$http_user_agent\"";

    /** The access log's default: the request, its status and timing, and what each attempt on a peer did. */
    public static final String UPSTREAM = "$remote_addr \"$request\" $status $body_bytes_sent $request_time "
            + "upstream_addr=$upstream_addr upstream_status=$upstream_status "
            + "upstream_response_time=$upstream_response_time upstream_connect_time=$upstream_connect_time "
            + "upstream_header_time=$upstream_header_time";

    private static final DateTimeFormatter TIME_LOCAL =
            DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ROOT).withZone(ZoneId.systemDefault());
    private static final DateTimeFormatter TIME_ISO8601 =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssXXX", Locale.ROOT).withZone(ZoneId.systemDefault());

    private enum Variable {
        REMOTE_ADDR, REMOTE_USER, TIME_LOCAL, TIME_ISO8601, MSEC, REQUEST, REQUEST_METHOD, REQUEST_URI,
        SERVER_PROTOCOL, STATUS, BODY_BYTES_SENT, REQUEST_TIME, HTTP_REFERER, HTTP_USER_AGENT, UPSTREAM_ADDR,
        UPSTREAM_STATUS, UPSTREAM_RESPONSE_TIME, UPSTREAM_CONNECT_TIME, UPSTREAM_HEADER_TIME, SERVER_NAME, SCHEME,
        HTTPS, SSL_PROTOCOL, SSL_CIPHER, SSL_SERVER_NAME, SSL_CLIENT_VERIFY
    }

    private static final LogFormat COMBINED_FORMAT = parse(COMBINED);
    private static final LogFormat UPSTREAM_FORMAT = parse(UPSTREAM);

    private final String source;
    /** Alternating parts: a String of literal text, a {@link Variable}, or a {@link Field}. */
    private final Object[] parts;

    /** {@code $http_NAME}, a request field other than Referer and User-Agent, by its lowercased name. */
    private record Field(String name) {
    }

    private LogFormat(String source, Object[] parts) {
        this.source = source;
        this.parts = parts;
    }

    /** nginx's {@code combined}. */
    public static LogFormat combined() {
        return COMBINED_FORMAT;
    }

    /** The access log's default, {@link #UPSTREAM}. */
    public static LogFormat upstream() {
        return UPSTREAM_FORMAT;
    }

    /**
     * Parses a {@code log_format} string.
     *
     * @throws IllegalArgumentException naming an unknown variable, a '$' without a name, or an unclosed '${'
     */
    public static LogFormat parse(String format) {
        Objects.requireNonNull(format, "format");
        return new LogFormat(format, VariableText.split("log format", format, name -> variable(name, format)));
    }

    /** Appends the line of {@code e} to {@code out}, without a line break. */
    public void appendTo(StringBuilder out, ExchangeRecord e) {
        for (Object part : parts) {
            if (part instanceof String) {
                out.append((String) part);
            } else if (part instanceof Field field) {
                out.append(orDash(e.requestField(field.name())));
            } else {
                append(out, (Variable) part, e);
            }
        }
    }

    /** The line of {@code e}. */
    public String format(ExchangeRecord e) {
        StringBuilder sb = new StringBuilder(160);
        appendTo(sb, e);
        return sb.toString();
    }

    private static void append(StringBuilder out, Variable v, ExchangeRecord e) {
        switch (v) {
            case REMOTE_ADDR: out.append(e.clientAddress()); break;
            case REMOTE_USER: out.append(orDash(e.remoteUser())); break;
            case TIME_LOCAL: TIME_LOCAL.formatTo(Instant.ofEpochMilli(e.endMillis()), out); break;
            case TIME_ISO8601: TIME_ISO8601.formatTo(Instant.ofEpochMilli(e.endMillis()), out); break;
            case MSEC:
                out.append(e.endMillis() / 1000).append('.');
                pad3(out, e.endMillis() % 1000);
                break;
            case REQUEST:
                out.append(e.method()).append(' ').append(e.target()).append(' ').append(e.protocol());
                break;
            case REQUEST_METHOD: out.append(e.method()); break;
            case REQUEST_URI: out.append(e.target()); break;
            case SERVER_PROTOCOL: out.append(e.protocol()); break;
            case STATUS: out.append(e.status()); break;
            case BODY_BYTES_SENT: out.append(e.bodyBytesSent()); break;
            case REQUEST_TIME: ExchangeRecord.seconds(out, e.requestNanos()); break;
            case HTTP_REFERER: out.append(orDash(e.referer())); break;
            case HTTP_USER_AGENT: out.append(orDash(e.userAgent())); break;
            case UPSTREAM_ADDR: out.append(e.upstreamAddr()); break;
            case UPSTREAM_STATUS: out.append(e.upstreamStatus()); break;
            case UPSTREAM_RESPONSE_TIME: out.append(e.upstreamResponseTime()); break;
            case UPSTREAM_CONNECT_TIME: out.append(e.upstreamConnectTime()); break;
            case SERVER_NAME: out.append(orDash(e.serverName())); break;
            case SCHEME: out.append(e.tls() == null ? "http" : "https"); break;
            case HTTPS: out.append(e.tls() == null ? "" : "on"); break;
            case SSL_PROTOCOL: out.append(e.tls() == null ? "-" : e.tls().protocol()); break;
            case SSL_CIPHER: out.append(e.tls() == null ? "-" : e.tls().cipher()); break;
            case SSL_SERVER_NAME: out.append(orDash(e.tls() == null ? null : e.tls().serverName())); break;
            case SSL_CLIENT_VERIFY: out.append(e.tls() == null ? "-" : e.tls().clientVerify()); break;
            default: out.append(e.upstreamHeaderTime()); break;
        }
    }

    private static String orDash(String value) {
        return value == null || value.isEmpty() ? "-" : value;
    }

    private static void pad3(StringBuilder out, long millis) {
        if (millis < 100) {
            out.append('0');
        }
        if (millis < 10) {
            out.append('0');
        }
        out.append(millis);
    }


    /** The request fields the format names ({@code $http_x_forwarded_for}: {@code x-forwarded-for}), lowercased. */
    public Set<String> requestFields() {
        Set<String> names = new LinkedHashSet<>();
        for (Object part : parts) {
            if (part instanceof Field field) {
                names.add(field.name());
            }
        }
        return names;
    }

    private static Object variable(String name, String format) {
        String lower = name.toLowerCase(Locale.ROOT);
        if (lower.startsWith("http_") && lower.length() > 5 && !lower.equals("http_referer")
                && !lower.equals("http_user_agent")) {
            return new Field(lower.substring(5).replace('_', '-'));
        }
        try {
            return Variable.valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("log format: unknown variable \"$" + name + "\" in \"" + format + "\"");
        }
    }

    /** The format as written. */
    @Override
    public String toString() {
        return source;
    }
}
