package dev.sluice.micrometer;

import dev.sluice.observe.AttemptRecord;

/** How an attempt on a peer ended, as far as its {@link AttemptRecord} tells: the {@code outcome} tag. */
enum AttemptOutcome {

    /** The peer sent a response head, whatever its status. */
    RESPONSE("response"),
    /** No response head: the connect, the send or the read failed, or the head was malformed (a 502). */
    ERROR("error"),
    /** No response head before a timeout (a 504). */
    TIMEOUT("timeout"),
    /** No live peer was left in the group: nginx's "no live upstreams", which logs the group's name. */
    NO_PEER("no_peer"),
    /** Cut short before the peer answered, by the client's side: it left, or its request body failed. */
    ABORTED("aborted");

    final String tag;

    AttemptOutcome(String tag) {
        this.tag = tag;
    }

    /** The outcome of {@code attempt} made in the group named {@code group}. */
    static AttemptOutcome of(AttemptRecord attempt, String group) {
        if (attempt.headerNanos() >= 0) {
            return RESPONSE;
        }
        if (attempt.status() == 0) {
            return ABORTED;
        }
        if (attempt.connectNanos() < 0 && attempt.responseNanos() == 0 && attempt.upstreamAddress().equals(group)) {
            return NO_PEER;
        }
        return attempt.status() == 504 ? TIMEOUT : ERROR;
    }
}
