/**
 * TLS material and contexts on the JDK's own providers: PEM certificates and keys as nginx reads them
 * ({@code ssl_certificate}, {@code ssl_certificate_key}, {@code proxy_ssl_trusted_certificate}), and the
 * {@link javax.net.ssl.SSLContext}s built from them. Not exported.
 */
package dev.sluice.internal.tls;
