package dev.sluice;

/**
 * The response head the client gets, as a {@link ProxyHandler#upstreamResponse} sees and edits it. The framing
 * fields and Connection stay the proxy's.
 */
public interface UpstreamResponse {

    /** The peer's status. */
    int status();

    /** The first value of a field of the peer's response, or null. */
    String header(String name);

    /** Sends {@code name: value} in place of every field of that name. */
    UpstreamResponse setHeader(String name, String value);

    /** Sends {@code name: value} besides the fields of that name. */
    UpstreamResponse addHeader(String name, String value);

    /** Sends no field of that name: nginx's {@code proxy_hide_header}. */
    UpstreamResponse removeHeader(String name);
}
