package dev.sluice.internal.http;

/**
 * How the body of a parsed message is delimited (RFC 9112 §6.3), as nginx's {@code chunked} and
 * {@code content_length_n} say it. Together with a head's {@code contentLength()} it tells the proxy which
 * {@link BodyDecoder} to use, or none.
 */
public enum BodyFraming {
    /** No body follows the head. */
    NONE,
    /** Exactly {@code contentLength()} bytes follow; use {@link ContentLengthDecoder}. */
    CONTENT_LENGTH,
    /** A chunked body follows; use {@link ChunkedDecoder}. */
    CHUNKED,
    /** Responses only: the body is everything until the upstream closes the connection. */
    UNTIL_CLOSE
}
