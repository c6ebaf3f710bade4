package dev.sluice.internal.http;

/**
 * What one call to a parser or body decoder achieved — nginx's {@code NGX_AGAIN}, {@code NGX_OK} and parse-error
 * returns, plus a payload signal for body decoders. Returning an enum constant keeps every call allocation-free.
 */
public enum ParseResult {
    /** Every byte offered was consumed and the message is not complete yet: read more and call again. */
    NEED_MORE,
    /**
     * Body decoders only: a run of payload bytes was consumed; its position in the buffer is
     * {@link BodyDecoder#payloadStart()} / {@link BodyDecoder#payloadLength()}. Call again for the rest.
     */
    DATA,
    /** The head or body is complete; the buffer's position is at the first byte that follows it. */
    DONE,
    /** The input violates HTTP; the parser stays in this state until reset. The connection must be closed. */
    ERROR
}
