package dev.sluice.observe;

import dev.sluice.upstream.PeerState;
import dev.sluice.upstream.UpstreamGroup;
import java.util.Set;

/**
 * Receives what the proxy did, one call per attempt on a peer and one per finished client request: the SPI for
 * metrics, tracing and logs.
 *
 * <p>Calls come on the event loop that served the request, so an implementation must be quick and must not block
 * (hand slow work to another thread). An exception it throws is logged and otherwise ignored.
 */
public interface ExchangeListener {

    /** An attempt on a peer ended, successfully or not. */
    default void attemptEnded(AttemptRecord attempt) {
    }

    /**
     * The request fields this listener reads with {@link ExchangeRecord#requestField} (names in any case), such as
     * an access log's {@code $http_x_forwarded_for}: the proxy keeps those of each request for its record, and
     * no others. None by default.
     */
    default Set<String> requestFields() {
        return Set.of();
    }

    /** A client request ended: its response was sent, or the client went away. */
    default void exchangeEnded(ExchangeRecord exchange) {
    }

    /**
     * An active health check ({@link dev.sluice.upstream.HealthCheck}) turned {@code peer} of {@code group}
     * unhealthy, or healthy again: see {@link PeerState#isHealthy()}. Called on the health checks' loop.
     */
    default void healthChanged(UpstreamGroup group, PeerState peer) {
    }
}
