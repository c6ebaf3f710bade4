/**
 * Strict, incremental HTTP/1.1 parsing and writing for the proxy: request and response heads, body framing, and
 * the chunked coding. Everything works on {@link java.nio.ByteBuffer}s as bytes arrive, accepts a message split at
 * any byte, stops exactly at the end of one message (the rest belongs to the next pipelined one), and allocates
 * nothing per message once its per-connection buffers have grown to size.
 *
 * <p>Starting points:
 * <ul>
 *   <li>{@link dev.sluice.internal.http.RequestParser} → {@link dev.sluice.internal.http.RequestHead}: a client's request, refused
 *       with nginx's status (400, 414, 431, 501, 505) when it is malformed or ambiguous.</li>
 *   <li>{@link dev.sluice.internal.http.ResponseParser} → {@link dev.sluice.internal.http.ResponseHead}: an upstream's response;
 *       anything refused is nginx's "invalid header" (502).</li>
 *   <li>{@link dev.sluice.internal.http.BodyDecoder}: {@link dev.sluice.internal.http.ChunkedDecoder} and
 *       {@link dev.sluice.internal.http.ContentLengthDecoder} find where a body ends, as chosen by
 *       {@link dev.sluice.internal.http.BodyFraming}.</li>
 *   <li>{@link dev.sluice.internal.http.HeadWriter}: the head sent upstream and the proxy's own responses;
 *       {@link dev.sluice.internal.http.HttpStatus} holds the codes and reason phrases.</li>
 * </ul>
 *
 * <p>Where nginx and RFC 9110/9112 differ, the class that decides says which it follows and why.
 */
package dev.sluice.internal.http;
