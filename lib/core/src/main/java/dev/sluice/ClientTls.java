package dev.sluice;

/**
 * What the TLS handshake of a client's connection settled, for a {@link ProxyHandler} ({@link ProxyRequest#tls()})
 * and for nginx's variables of the same names.
 *
 * @param protocol {@code $ssl_protocol}, e.g. {@code TLSv1.3}
 * @param cipher {@code $ssl_cipher}, the JSSE name of the cipher suite, e.g. {@code TLS_AES_128_GCM_SHA256}
 * @param serverName {@code $ssl_server_name}: the SNI name the client sent, lowercased, or null
 * @param clientVerify {@code $ssl_client_verify}: {@code SUCCESS}, {@code FAILED:reason}, or {@code NONE} when no
 *     client certificate was sent or asked for
 * @param clientSubject {@code $ssl_client_s_dn}: the client certificate's subject (RFC 2253), or null
 */
public record ClientTls(String protocol, String cipher, String serverName, String clientVerify,
        String clientSubject) {

    /** Whether the client presented a certificate that chains to the address's CAs. */
    public boolean clientVerified() {
        return "SUCCESS".equals(clientVerify);
    }
}
