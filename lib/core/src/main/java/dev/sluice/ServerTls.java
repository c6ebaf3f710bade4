package dev.sluice;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * TLS for the clients of a listening address or a virtual server: nginx's {@code listen ... ssl} with {@code
 * ssl_certificate}, {@code ssl_certificate_key}, {@code ssl_protocols}, {@code ssl_ciphers}, {@code
 * ssl_client_certificate} and {@code ssl_verify_client}. Give it to {@code ProxyServer.Builder.listen(hostPort, tls)}
 * for an address, whose certificate then serves every name no virtual server claims, and to {@link
 * VirtualServer.Builder#tls} for a server whose names (sent as SNI) get its own certificate.
 *
 * <p>Defaults: TLSv1.2 and TLSv1.3 (nginx's list less the broken ones), the JDK's cipher suites, ALPN
 * {@code http/1.1}, session resumption on (the JDK's session cache and tickets), no client certificate asked for.
 * The handshake must end within {@code client_header_timeout}, as nginx times it. Protocols, ciphers and client
 * verification are the address's (the default server's), as nginx takes them; a virtual server's own add only its
 * certificate.
 *
 * <p>Files are read when the proxy starts and again on {@code ProxyServer.reloadCertificates()}: one that cannot be
 * used names itself and the reason, and a failed reload keeps the certificates in use.
 */
public final class ServerTls {

    /** {@code ssl_verify_client}: whether a client certificate is asked for, and whether one must come. */
    public enum ClientVerify {
        /** None is asked for (the default). */
        OFF,
        /** One is asked for and a connection without a valid one fails its handshake. */
        ON,
        /** One is asked for; a client without one gets in, {@code $ssl_client_verify} saying {@code NONE}. */
        OPTIONAL
    }

    /** A certificate chain and its key, as PEM files. */
    public record KeyPair(Path chain, Path key) {
        public KeyPair {
            Objects.requireNonNull(chain, "chain");
            Objects.requireNonNull(key, "key");
        }
    }

    /**
     * A key store (PKCS#12, or JKS) whose every key entry, each with its chain, is a certificate to present.
     *
     * @param file the store
     * @param password the store's password, which is the keys' too (as keytool and openssl write them)
     */
    public record KeyStoreFile(Path file, String password) {
        public KeyStoreFile {
            Objects.requireNonNull(file, "file");
            Objects.requireNonNull(password, "password");
        }

        /** The file alone: a password has no place in a log. */
        @Override
        public String toString() {
            return "KeyStoreFile[" + file + "]";
        }
    }

    private final List<KeyPair> certificates;
    private final List<KeyStoreFile> keyStores;
    private final List<String> protocols;
    private final List<String> ciphers;
    private final Path clientCertificate;
    private final ClientVerify verifyClient;

    private ServerTls(Builder b) {
        this.certificates = List.copyOf(b.certificates);
        this.keyStores = List.copyOf(b.keyStores);
        this.protocols = b.protocols;
        this.ciphers = b.ciphers;
        this.clientCertificate = b.clientCertificate;
        this.verifyClient = b.verifyClient;
    }

    /** TLS presenting the certificate chain in {@code chain} with its key in {@code key}, nginx's defaults else. */
    public static ServerTls of(Path chain, Path key) {
        return builder().certificate(chain, key).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The certificates ({@code ssl_certificate}, {@code ssl_certificate_key}): one per key type at most. */
    public List<KeyPair> certificates() {
        return certificates;
    }

    /** The key stores whose keys are presented too. */
    public List<KeyStoreFile> keyStores() {
        return keyStores;
    }

    /** The protocols accepted ({@code ssl_protocols}). */
    public List<String> protocols() {
        return protocols;
    }

    /** The cipher suites accepted, by their JSSE names ({@code ssl_ciphers}); empty: the JDK's. */
    public List<String> ciphers() {
        return ciphers;
    }

    /** The PEM bundle of CAs a client certificate must chain to ({@code ssl_client_certificate}), or empty. */
    public Optional<Path> clientCertificate() {
        return Optional.ofNullable(clientCertificate);
    }

    /** Whether a client certificate is asked for ({@code ssl_verify_client}). */
    public ClientVerify verifyClient() {
        return verifyClient;
    }

    @Override
    public String toString() {
        return "ServerTls[certificates=" + certificates + (keyStores.isEmpty() ? "" : ", keyStores="
                + keyStores.stream().map(KeyStoreFile::file).toList()) + ", protocols=" + protocols
                + (ciphers.isEmpty() ? "" : ", ciphers=" + ciphers) + ", verifyClient=" + verifyClient + "]";
    }

    public static final class Builder {

        private final List<KeyPair> certificates = new ArrayList<>();
        private final List<KeyStoreFile> keyStores = new ArrayList<>();
        private List<String> protocols = TlsProtocols.DEFAULT;
        private List<String> ciphers = List.of();
        private Path clientCertificate;
        private ClientVerify verifyClient = ClientVerify.OFF;

        private Builder() {
        }

        /**
         * A certificate chain (PEM, leaf first) and its key (PEM: PKCS#8, PKCS#1 or SEC 1, unencrypted); repeatable,
         * as nginx's {@code ssl_certificate}, for an RSA and an EC certificate side by side.
         */
        public Builder certificate(Path chain, Path key) {
            certificates.add(new KeyPair(chain, key));
            return this;
        }

        /**
         * The certificates of a key store, PKCS#12 or JKS, where a Java service keeps them: each key entry with its
         * chain; repeatable, and beside PEM files.
         */
        public Builder keyStore(Path file, String password) {
            keyStores.add(new KeyStoreFile(file, password));
            return this;
        }

        /** The protocols accepted ({@code ssl_protocols}): some of TLSv1.2 and TLSv1.3. */
        public Builder protocols(String... protocols) {
            this.protocols = TlsProtocols.checked("ssl_protocols", protocols);
            return this;
        }

        /** The cipher suites accepted, by their JSSE names such as {@code TLS_AES_128_GCM_SHA256}. */
        public Builder ciphers(String... suites) {
            if (suites.length == 0) {
                throw new IllegalArgumentException("ssl_ciphers needs at least one cipher suite");
            }
            this.ciphers = List.of(suites);
            return this;
        }

        /** The CAs client certificates must chain to ({@code ssl_client_certificate}), a PEM bundle. */
        public Builder clientCertificate(Path pemBundle) {
            this.clientCertificate = Objects.requireNonNull(pemBundle, "pemBundle");
            return this;
        }

        /** Asks for client certificates ({@code ssl_verify_client}); OFF by default. */
        public Builder verifyClient(ClientVerify verify) {
            this.verifyClient = Objects.requireNonNull(verify, "verify");
            return this;
        }

        /**
         * Checks and builds.
         *
         * @throws IllegalArgumentException without a certificate, or asking for client certificates without the CAs
         *     to check them against
         */
        public ServerTls build() {
            if (certificates.isEmpty() && keyStores.isEmpty()) {
                throw new IllegalArgumentException("TLS for clients needs a certificate (ssl_certificate, or a key"
                        + " store)");
            }
            if (verifyClient != ClientVerify.OFF && clientCertificate == null) {
                throw new IllegalArgumentException("ssl_verify_client " + verifyClient.name().toLowerCase(
                        java.util.Locale.ROOT) + " needs the CAs to check against (ssl_client_certificate)");
            }
            return new ServerTls(this);
        }
    }
}
