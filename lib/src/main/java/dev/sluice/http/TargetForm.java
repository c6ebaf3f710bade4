package dev.sluice.http;

/** The four shapes of request-target RFC 9112 §3.2 allows; nginx accepts the same four. */
public enum TargetForm {
    /** {@code /path?query} — what browsers send to an origin server. */
    ORIGIN,
    /** {@code http://host/path} — what clients send to a forward proxy. */
    ABSOLUTE,
    /** {@code host:port} — only with CONNECT. */
    AUTHORITY,
    /** {@code *} — only with OPTIONS. */
    ASTERISK
}
