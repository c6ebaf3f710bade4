package dev.sluice.testing;

import dev.sluice.testing.ScriptedUpstream.Response;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Function;

/**
 * What a {@link ScriptedUpstream}'s connections follow, set by the test and read by the connection threads: the
 * scripted responses in order, the responder once they run out, and the connection policies.
 */
final class UpstreamScript {

    private static final Response DEFAULT = Response.ok("ok");

    private final ConcurrentLinkedQueue<Response> responses = new ConcurrentLinkedQueue<>();
    private volatile Function<RecordedRequest, Response> responder = request -> DEFAULT;
    private volatile int closeAfterRequests;
    private volatile Duration closeAfterRequestsDelay = Duration.ZERO;
    private volatile Duration closeWhenIdle;
    private volatile boolean rstInsteadOfFin;
    private volatile boolean autoContinue = true;

    void enqueue(Response response) {
        responses.add(response);
    }

    int queued() {
        return responses.size();
    }

    void respondWith(Function<RecordedRequest, Response> responder) {
        this.responder = responder;
    }

    /** The answer to {@code request}: the next scripted response, or the responder's once the script is empty. */
    Response next(RecordedRequest request) {
        Response response = responses.poll();
        return response != null ? response : responder.apply(request);
    }

    /** {@link ScriptedUpstream#closeAfterRequests(int, Duration)}: the policy, its arguments checked. */
    void closeAfterRequests(int n, Duration delay) {
        if (n < 0) {
            throw new IllegalArgumentException("n must be >= 0");
        }
        if (delay.isNegative()) {
            throw new IllegalArgumentException("delay must not be negative");
        }
        closeAfterRequestsDelay = delay;
        closeAfterRequests = n;
    }

    /** How many responses a connection gets before the policy closes it; 0 for no limit. */
    int closeAfterRequests() {
        return closeAfterRequests;
    }

    /** How long after its last response the policy closes a connection. */
    Duration closeAfterRequestsDelay() {
        return closeAfterRequestsDelay;
    }

    /** {@link ScriptedUpstream#closeWhenIdle(Duration)}: the policy, its argument checked. */
    void closeWhenIdle(Duration idle) {
        if (idle != null && (idle.isNegative() || idle.isZero())) {
            throw new IllegalArgumentException("idle must be positive");
        }
        closeWhenIdle = idle;
    }

    /** How long a connection may wait for a request before the policy closes it; null for no limit. */
    Duration closeWhenIdle() {
        return closeWhenIdle;
    }

    void rstInsteadOfFin(boolean rst) {
        rstInsteadOfFin = rst;
    }

    /** Closes {@code socket} as the close policies do: with FIN, or with RST if so set. */
    void policyClose(Socket socket) {
        if (rstInsteadOfFin) {
            Wire.closeWithRst(socket);
        } else {
            Wire.closeWithFin(socket);
        }
    }

    void autoContinue(boolean enabled) {
        autoContinue = enabled;
    }

    /** Whether to answer {@code Expect: 100-continue} before reading the body. */
    boolean autoContinue() {
        return autoContinue;
    }
}
