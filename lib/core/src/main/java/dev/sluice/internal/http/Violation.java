package dev.sluice.internal.http;

/**
 * One reason a message is refused, with the status a client gets for it. Every instance is a constant, so reporting
 * an error never allocates. Upstream responses ignore {@link #status}: any violation there is nginx's
 * "upstream sent invalid header", a 502.
 */
final class Violation {

    // Line structure (requests, responses, trailers).
    static final Violation BARE_LF = bad("line ends in LF without CR");
    static final Violation BARE_CR = bad("CR not followed by LF");

    // Limits: nginx large_client_header_buffers; proxy_buffer_size for responses.
    static final Violation REQUEST_LINE_TOO_LONG = new Violation(HttpStatus.URI_TOO_LONG, "request line too long");
    static final Violation FIELD_LINE_TOO_LONG = new Violation(HttpStatus.HEADER_TOO_LARGE, "header field too long");
    static final Violation HEAD_TOO_LARGE = new Violation(HttpStatus.HEADER_TOO_LARGE, "request header too large");
    static final Violation RESPONSE_HEAD_TOO_LARGE = bad("upstream sent too big header");

    // Request line.
    static final Violation MALFORMED_REQUEST_LINE = bad("request line is not method SP target SP version");
    static final Violation INVALID_METHOD = bad("method is not upper-case letters, '_' or '-'");
    static final Violation INVALID_TARGET = bad("request target holds a forbidden byte");
    static final Violation INVALID_ABSOLUTE_FORM = bad("absolute-form target is not scheme://authority");
    static final Violation ASTERISK_FORM = bad("asterisk-form target");
    static final Violation INVALID_PATH = bad("path climbs above the root or holds a bad or NUL %-escape");
    static final Violation CONNECT_NEEDS_AUTHORITY = bad("CONNECT target is not host:port");
    static final Violation MALFORMED_VERSION = bad("malformed HTTP version");
    static final Violation UNSUPPORTED_VERSION = new Violation(HttpStatus.HTTP_VERSION_NOT_SUPPORTED,
            "unsupported HTTP version");

    // Field lines (head and trailers).
    static final Violation OBS_FOLD = bad("obsolete line folding");
    static final Violation INVALID_FIELD_NAME = bad("field name is not a token");
    static final Violation SPACE_BEFORE_COLON = bad("whitespace between field name and colon");
    static final Violation MISSING_COLON = bad("field line without colon");
    static final Violation INVALID_FIELD_VALUE = bad("forbidden byte in field value");

    // Request semantics.
    static final Violation MISSING_HOST = bad("HTTP/1.1 request without Host");
    static final Violation DUPLICATE_HOST = bad("duplicate Host");
    static final Violation INVALID_HOST = bad("invalid Host");
    static final Violation DUPLICATE_EXPECT = bad("duplicate Expect");
    static final Violation CONNECT_METHOD = new Violation(HttpStatus.METHOD_NOT_ALLOWED, "CONNECT method");
    static final Violation TRACE_METHOD = new Violation(HttpStatus.METHOD_NOT_ALLOWED, "TRACE method");

    // Framing (both directions).
    static final Violation DUPLICATE_CONTENT_LENGTH = bad("duplicate Content-Length");
    static final Violation INVALID_CONTENT_LENGTH = bad("invalid Content-Length");
    static final Violation CONTENT_LENGTH_WITH_TRANSFER_ENCODING = bad("Content-Length and Transfer-Encoding together");
    static final Violation DUPLICATE_TRANSFER_ENCODING = bad("duplicate Transfer-Encoding");
    static final Violation TRANSFER_ENCODING_IN_HTTP_1_0 = bad("Transfer-Encoding in an HTTP/1.0 request");
    static final Violation CHUNKED_NOT_FINAL = bad("chunked is not the final transfer coding");
    static final Violation CHUNKED_TWICE = bad("chunked applied more than once");
    static final Violation UNSUPPORTED_TRANSFER_CODING = new Violation(HttpStatus.NOT_IMPLEMENTED,
            "unknown Transfer-Encoding");

    // Status line.
    static final Violation MALFORMED_STATUS_LINE = bad("malformed status line");
    static final Violation INVALID_STATUS_CODE = bad("status code outside 100-599");
    static final Violation INTERIM_IN_HTTP_1_0 = bad("1xx response in HTTP/1.0");

    // Chunked coding.
    static final Violation INVALID_CHUNK_SIZE = bad("invalid chunk size");
    static final Violation CHUNK_SIZE_OVERFLOW = bad("chunk size exceeds 63 bits");
    static final Violation INVALID_CHUNK_EXTENSION = bad("invalid chunk extension");
    static final Violation CHUNK_LINE_TOO_LONG = bad("chunk size line too long");
    static final Violation MISSING_CRLF_AFTER_DATA = bad("chunk data not followed by CRLF");
    static final Violation TRAILERS_TOO_LARGE = bad("trailer section too large");

    /** The status nginx would send a client for this violation. */
    final int status;
    /** A short, constant description for logs. */
    final String reason;

    private Violation(int status, String reason) {
        this.status = status;
        this.reason = reason;
    }

    private static Violation bad(String reason) {
        return new Violation(HttpStatus.BAD_REQUEST, reason);
    }

    @Override
    public String toString() {
        return status + " " + reason;
    }
}
