package dev.sluice.internal.proxy;

import dev.sluice.Route;
import dev.sluice.internal.http.ResponseHead;
import dev.sluice.upstream.Outcome;
import dev.sluice.upstream.PeerState;
import dev.sluice.upstream.Selection;
import dev.sluice.upstream.UpstreamGroup;

/**
 * Which peer each attempt of an exchange goes to: the group's balancer through the connection's {@link Selections},
 * the peer of an {@code ntlm} connection or of a sticky session first, and, when no peer is free for a request, a
 * wait in the group's {@code queue} ({@link QueueWait}). Each attempt's outcome goes back to the balancer here.
 * One per client connection, reused request after request.
 */
final class PeerChoice {

    private final Exchange exchange;
    private final LoopContext loop;
    private final Selections selections;
    /** Made for the connection's first request that waits. */
    private QueueWait queueWait;
    private UpstreamGroup group;
    private Selection selection;
    private boolean ntlm;

    PeerChoice(Exchange exchange, LoopContext loop, byte[] clientAddress, StringBuilder scratch) {
        this.exchange = exchange;
        this.loop = loop;
        this.selections = new Selections(loop, clientAddress, scratch);
    }

    /**
     * Begins choosing for a request to {@code group} under {@code route}, keyed by a handler's {@code hashKey} (or
     * null); {@code bound} is the peer the client connection's {@code ntlm} connection goes to, or null, and
     * {@code ntlmRequest} whether the request starts an NTLM authentication.
     */
    void begin(UpstreamGroup group, Route route, RequestVariables variables, String hashKey, PeerState bound,
            boolean ntlmRequest) {
        this.group = group;
        selection = selections.begin(group, route, variables, hashKey);
        ntlm = bound != null || group.ntlm() && ntlmRequest;
        if (bound != null) {
            selection.prefer(bound); // ahead of a sticky session: the authentication lives on the connection
        }
    }

    /** The peer for the next attempt, or null when none is free. */
    PeerState next() {
        return selection.select();
    }

    /** Whether the request's upstream connection stays with the client connection ({@code ntlm}). */
    boolean ntlm() {
        return ntlm;
    }

    /** The peer of the attempt under way, or null. */
    PeerState current() {
        return selection == null ? null : selection.current();
    }

    /** How many more attempts the request may make once the current one is reported. */
    int triesLeft() {
        return selection.triesLeftAfterReport();
    }

    /**
     * No peer is free: the request waits in the group's queue, if it has one with room and time; the exchange
     * hears {@link Exchange#queueWaitEnded} when the wait is over. False when it cannot wait.
     */
    boolean waitInQueue() {
        if (queueWait == null && !group.queueTimeout().isZero()) {
            queueWait = new QueueWait(exchange, loop);
        }
        return queueWait != null && queueWait.begin(selection, group.queueTimeout().toNanos());
    }

    /** {@code attempt} ended with {@code outcome}, its peer having answered {@code status} (0: no status). */
    void report(Attempt attempt, Outcome outcome, int status) {
        PeerState peer = current();
        if (peer != null) {
            AttemptMeter meter = attempt.meter();
            peer.countTraffic(attempt.bytesSent(), meter.bytesReceived());
            selection.report(outcome, meter.headerNanos() >= 0 ? status : 0, meter.headerNanos(),
                    meter.lastByteNanos());
        }
    }

    /** The attempt just reported did not reach its peer's application: it spends no try. Whether one is left. */
    boolean refundTry() {
        return selection.refundTry();
    }

    /** The current peer answered with {@code head}: the response's edits, with a sticky cookie when one is set. */
    FieldEdits answered(ResponseHead head, FieldEdits edits) {
        return selections.answered(group, selection.current(), head, edits);
    }

    /** The request ended: it leaves the queue if it waits in it. */
    void end() {
        if (queueWait != null) {
            queueWait.end();
        }
        selection = null;
    }
}
