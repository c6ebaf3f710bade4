package dev.sluice.http;

/**
 * The HTTP/1.x version of a parsed message. A message claiming {@code HTTP/1.2}..{@code HTTP/1.9} is treated as
 * HTTP/1.1, the highest minor version we implement (RFC 9110 §2.5); other major versions never parse.
 */
public enum HttpVersion {
    HTTP_1_0("HTTP/1.0"),
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
