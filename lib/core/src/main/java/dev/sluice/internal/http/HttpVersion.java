package dev.sluice.internal.http;

/**
 * The HTTP/1.x version of a parsed message. A message claiming {@code HTTP/1.2}..{@code HTTP/1.9} is treated as
 * HTTP/1.1, the highest minor version we implement (RFC 9110 §2.5), as nginx does; a request naming HTTP/2 or
 * above gets nginx's 505, and {@code HTTP/0.x} is malformed (400).
 */
public enum HttpVersion {
    /** HTTP/1.0: no Host required, keep-alive only on request, no chunked coding. */
    HTTP_1_0("HTTP/1.0"),
    /** HTTP/1.1, also standing for 1.2 to 1.9. */
    HTTP_1_1("HTTP/1.1");

    private final String text;

    HttpVersion(String text) {
        this.text = text;
    }

    /** The version as written on the wire, e.g. {@code "HTTP/1.1"}. */
    public String text() {
        return text;
    }

    @Override
    public String toString() {
        return text;
    }
}
