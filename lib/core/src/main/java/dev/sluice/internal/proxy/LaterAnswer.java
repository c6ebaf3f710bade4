package dev.sluice.internal.proxy;

import dev.sluice.Answer;
import dev.sluice.internal.net.Timeout;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;

/**
 * Waits for a handler's answer that comes later ({@link Answer#after}): the stage may complete on any thread, and
 * its result reaches the client connection on the connection's own loop, unless the wait ended first (the route's
 * {@code hookTimeout} passed, or the connection closed); a result that comes after that is dropped.
 */
final class LaterAnswer {

    /** Where a wait's outcome goes: the answer (null: proxy the request), or why there is none. */
    interface Outcome {
        void answered(Answer answer, Throwable failure);
    }

    private final LoopContext loop;
    private final Timeout timer;
    private final Outcome outcome;
    private int waits;
    private boolean waiting;
    private Duration limit;

    LaterAnswer(LoopContext loop, Outcome outcome) {
        this.loop = loop;
        this.outcome = outcome;
        this.timer = loop.eventLoop.newTimeout(this::timedOut);
    }

    /** Waits for {@code stage}, at most {@code limit}. */
    void await(CompletionStage<Answer> stage, Duration limit) {
        int wait = ++waits;
        this.waiting = true;
        this.limit = limit;
        timer.schedule(limit.toNanos());
        stage.whenComplete((answer, failure) -> loop.eventLoop.execute(() -> completed(wait, answer, failure)));
    }

    private void completed(int wait, Answer answer, Throwable failure) {
        if (!waiting || wait != waits) {
            return;
        }
        end();
        if (failure == null && answer != null && answer.later() != null) {
            outcome.answered(null, new IllegalStateException("a later answer was itself later"));
        } else {
            outcome.answered(failure == null ? answer : null, failure);
        }
    }

    private void timedOut() {
        if (waiting) {
            end();
            outcome.answered(null, new TimeoutException("no answer within " + limit));
        }
    }

    /** The connection closed: whatever the stage gives is dropped. */
    void cancel() {
        end();
    }

    private void end() {
        waiting = false;
        timer.cancel();
    }
}
