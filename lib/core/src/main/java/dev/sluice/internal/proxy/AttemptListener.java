package dev.sluice.internal.proxy;

import dev.sluice.internal.http.ResponseHead;
import dev.sluice.upstream.Outcome;
import java.io.IOException;

/**
 * What an {@link Attempt} reports to the exchange it serves; each report is one event, the exchange decides what it
 * means ({@link RetryDecision} for a failure).
 */
interface AttemptListener {

    /** The request went to the peer whole. */
    void requestWritten();

    /** The peer's final response head is in. */
    void responseHead(Attempt attempt, ResponseHead head);

    /** The relayed body can move: the peer's connection is readable. */
    void relay();

    /**
     * The attempt failed before a response head; {@code stalePooledConnection}: on a pooled connection the peer had
     * closed, before any byte of the response.
     */
    void attemptFailed(Attempt attempt, Failure failure, boolean stalePooledConnection);

    /** A buffered request body could not be read back from its temporary file. */
    void bodyUnreadable(Attempt attempt, IOException cause);

    /** The response broke after its head went on: nothing to retry. */
    void responseBroken(Attempt attempt);

    /** The loop shuts down under the attempt: nobody is to blame. */
    void abandon();

    /** The attempt ended ({@link Attempt#finish}) with {@code outcome}, its peer having answered {@code status}. */
    void attemptFinished(Attempt attempt, Outcome outcome, int status);
}
