package dev.sluice.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a {@link ScriptedUpstream.Response} does on the wire, field by field, which the connection threads carry out:
 * its builder fills one in, and the response keeps a copy of it that nothing changes.
 */
final class ResponsePlan {

    enum Kind { NORMAL, RAW, NO_RESPONSE, RESET_ON_REQUEST, STALL }

    Kind kind = Kind.NORMAL;
    int status = 200;
    String reason;
    List<Map.Entry<String, String>> headers = new ArrayList<>();
    byte[] body = new byte[0];
    int chunkSize;
    boolean closeAfterResponse;
    boolean bodyUntilClose;
    Duration delay = Duration.ZERO;
    int throttleBytes;
    Duration throttlePeriod = Duration.ZERO;
    int cutAfter = -1;
    boolean cutWithReset;
    byte[] raw;

    /** A copy to keep: arrays of its own, the headers unmodifiable, the usual reason phrase when none was set. */
    ResponsePlan copy() {
        ResponsePlan copy = new ResponsePlan();
        copy.kind = kind;
        copy.status = status;
        copy.reason = reason != null ? reason : ReasonPhrases.of(status);
        copy.headers = List.copyOf(headers);
        copy.body = body.clone();
        copy.chunkSize = chunkSize;
        copy.closeAfterResponse = closeAfterResponse;
        copy.bodyUntilClose = bodyUntilClose;
        copy.delay = delay;
        copy.throttleBytes = throttleBytes;
        copy.throttlePeriod = throttlePeriod;
        copy.cutAfter = cutAfter;
        copy.cutWithReset = cutWithReset;
        copy.raw = raw == null ? null : raw.clone();
        return copy;
    }
}
