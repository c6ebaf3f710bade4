package dev.sluice;

import java.time.Duration;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * When a request moves on to the next peer: nginx's {@code proxy_next_upstream}, {@code
 * proxy_next_upstream_tries} and {@code proxy_next_upstream_timeout}. Immutable.
 *
 * <p>The default is nginx's: {@code error timeout}, unlimited tries (one per peer that is not down), no time limit.
 * A request moves on only while nothing was sent to the client, and a POST, LOCK or PATCH that reached a peer
 * moves on only if {@link Condition#NON_IDEMPOTENT} is listed.
 */
public final class NextUpstream {

    /** A reason to pass a request to the next peer; nginx's names, upper-cased. */
    public enum Condition {
        /** A connect, send or receive error, or the peer closed before a complete response head. */
        ERROR,
        /** Connecting, sending or waiting for the response head took longer than its timeout. */
        TIMEOUT,
        /** The peer sent an empty, malformed or too large response head. */
        INVALID_HEADER,
        /** The peer answered 500. */
        HTTP_500,
        /** The peer answered 502. */
        HTTP_502,
        /** The peer answered 503. */
        HTTP_503,
        /** The peer answered 504. */
        HTTP_504,
        /** The peer answered 403; never counted as a failure. */
        HTTP_403,
        /** The peer answered 404; never counted as a failure. */
        HTTP_404,
        /** The peer answered 429. */
        HTTP_429,
        /** Also pass on POST, LOCK and PATCH requests that already reached a peer. */
        NON_IDEMPOTENT
    }

    private static final NextUpstream DEFAULT = new NextUpstream(EnumSet.of(Condition.ERROR, Condition.TIMEOUT), 0, Duration.ZERO);
    private static final NextUpstream OFF = new NextUpstream(EnumSet.noneOf(Condition.class), 0, Duration.ZERO);

    private final Set<Condition> conditions;
    private final int tries;
    private final Duration timeout;

    private NextUpstream(Set<Condition> conditions, int tries, Duration timeout) {
        this.conditions = conditions;
        this.tries = tries;
        this.timeout = timeout;
    }

    /** nginx's default, {@code proxy_next_upstream error timeout}. */
    public static NextUpstream defaults() {
        return DEFAULT;
    }

    /** {@code proxy_next_upstream off}: every request gets one try. */
    public static NextUpstream off() {
        return OFF;
    }

    /** {@code proxy_next_upstream} with the conditions listed. */
    public static NextUpstream on(Condition first, Condition... rest) {
        return new NextUpstream(EnumSet.of(first, rest), 0, Duration.ZERO);
    }

    /** {@code proxy_next_upstream_tries N}: at most N attempts in all; 0 (the default) means one per peer. */
    public NextUpstream tries(int tries) {
        if (tries < 0) {
            throw new IllegalArgumentException("nextUpstream tries must not be negative: " + tries);
        }
        return new NextUpstream(conditions, tries, timeout);
    }

    /** {@code proxy_next_upstream_timeout T}: no new attempt once T has passed since the first; 0 (the default)
     * means no limit. */
    public NextUpstream timeout(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.compareTo(Duration.ofDays(365)) > 0) {
            throw new IllegalArgumentException("nextUpstream timeout must be between 0 and 365d: " + timeout);
        }
        return new NextUpstream(conditions, tries, timeout);
    }

    /** Whether {@code condition} is listed. */
    public boolean has(Condition condition) {
        return conditions.contains(condition);
    }

    /** The attempt limit; 0 means one per peer. */
    public int tries() {
        return tries;
    }

    /** The time limit for new attempts; zero means none. */
    public Duration timeout() {
        return timeout;
    }

    @Override
    public String toString() {
        if (conditions.isEmpty()) {
            return "proxy_next_upstream off";
        }
        StringBuilder sb = new StringBuilder("proxy_next_upstream");
        for (Condition c : conditions) {
            sb.append(' ').append(c.name().toLowerCase(java.util.Locale.ROOT));
        }
        return sb.append("; proxy_next_upstream_tries ").append(tries)
                .append("; proxy_next_upstream_timeout ").append(timeout.toMillis()).append("ms").toString();
    }
}
