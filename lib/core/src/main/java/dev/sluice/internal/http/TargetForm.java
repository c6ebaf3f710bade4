package dev.sluice.internal.http;

/**
 * The shapes of request-target RFC 9112 §3.2 allows that the parser accepts: three of the four. The fourth, {@code
 * OPTIONS *}, is refused with 400 as nginx refuses it; a CONNECT request parses but is then refused with 405.
 */
public enum TargetForm {
    /** {@code /path?query} — what browsers send to an origin server. */
    ORIGIN,
    /** {@code http://host/path} — what clients send to a forward proxy. */
    ABSOLUTE,
    /** {@code host:port} — only with CONNECT. */
    AUTHORITY
}
