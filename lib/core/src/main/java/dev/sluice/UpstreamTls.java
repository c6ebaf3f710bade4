package dev.sluice;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How a route speaks TLS to its peers: nginx's {@code proxy_pass https://} with the {@code proxy_ssl_*} directives.
 * Give it to {@link Route.Builder#upstreamTls}; a route without one speaks plain HTTP.
 *
 * <p>Defaults, as nginx's:
 * <ul>
 *   <li>{@link Builder#verify} off ({@code proxy_ssl_verify off}): the peer's certificate is not checked. The proxy
 *       logs a warning at start for each route that runs so; {@code verify(true)} checks the chain against
 *       {@link Builder#trustedCertificate} (or the JDK's default trust store without one) and the name against
 *       {@link Builder#name};</li>
 *   <li>{@link Builder#name}: the host of the peer's {@code server} line ({@code proxy_ssl_name}; nginx's default is
 *       the proxy_pass host, which for a group is the group's name, rarely a certificate's);</li>
 *   <li>{@link Builder#serverName} off ({@code proxy_ssl_server_name off}): no SNI is sent;</li>
 *   <li>{@link Builder#sessionReuse} on ({@code proxy_ssl_session_reuse on}): a new connection to a peer resumes the
 *       last session made with it, which saves the full handshake;</li>
 *   <li>{@link Builder#protocols} TLSv1.2 and TLSv1.3 ({@code proxy_ssl_protocols}, nginx's list less the old
 *       ones); no client certificate ({@code proxy_ssl_certificate}).</li>
 * </ul>
 *
 * <p>Files are read when the proxy starts: one that cannot be used stops the start with its name and the reason.
 * TLS connections live in the keepalive pool like plain ones; a failed handshake, a certificate that does not
 * verify or a TLS alert is an upstream {@code error} (502, counted toward {@code max_fails}).
 */
public final class UpstreamTls {

    private static final UpstreamTls DEFAULTS = builder().build();

    private final boolean verify;
    private final Path trustedCertificate;
    private final String name;
    private final boolean serverName;
    private final boolean sessionReuse;
    private final Path certificate;
    private final Path certificateKey;
    private final List<String> protocols;

    private UpstreamTls(Builder b) {
        this.verify = b.verify;
        this.trustedCertificate = b.trustedCertificate;
        this.name = b.name;
        this.serverName = b.serverName;
        this.sessionReuse = b.sessionReuse;
        this.certificate = b.certificate;
        this.certificateKey = b.certificateKey;
        this.protocols = b.protocols;
    }

    /** nginx's defaults: {@code proxy_pass https://} with no {@code proxy_ssl_*} directive. */
    public static UpstreamTls defaults() {
        return DEFAULTS;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Whether the peer's certificate chain and name are checked ({@code proxy_ssl_verify}). */
    public boolean verify() {
        return verify;
    }

    /** The PEM bundle of trusted certificates ({@code proxy_ssl_trusted_certificate}); empty: the JDK's. */
    public Optional<Path> trustedCertificate() {
        return Optional.ofNullable(trustedCertificate);
    }

    /** The name verified and sent as SNI ({@code proxy_ssl_name}); empty: the host of the peer's server line. */
    public Optional<String> name() {
        return Optional.ofNullable(name);
    }

    /** Whether the name is sent as SNI ({@code proxy_ssl_server_name}). */
    public boolean serverName() {
        return serverName;
    }

    /** Whether sessions are resumed on new connections ({@code proxy_ssl_session_reuse}). */
    public boolean sessionReuse() {
        return sessionReuse;
    }

    /** The client certificate chain presented to peers that ask ({@code proxy_ssl_certificate}), or empty. */
    public Optional<Path> certificate() {
        return Optional.ofNullable(certificate);
    }

    /** The key of {@link #certificate()} ({@code proxy_ssl_certificate_key}), or empty. */
    public Optional<Path> certificateKey() {
        return Optional.ofNullable(certificateKey);
    }

    /** The protocols offered ({@code proxy_ssl_protocols}). */
    public List<String> protocols() {
        return protocols;
    }

    @Override
    public String toString() {
        return "UpstreamTls[verify=" + verify + ", name=" + (name == null ? "(server line host)" : name)
                + ", serverName=" + serverName + ", sessionReuse=" + sessionReuse + ", protocols=" + protocols
                + (certificate == null ? "" : ", certificate=" + certificate) + "]";
    }

    public static final class Builder {

        private boolean verify;
        private Path trustedCertificate;
        private String name;
        private boolean serverName;
        private boolean sessionReuse = true;
        private Path certificate;
        private Path certificateKey;
        private List<String> protocols = TlsProtocols.DEFAULT;

        private Builder() {
        }

        /** Checks the peer's certificate chain and name ({@code proxy_ssl_verify}); off by default. */
        public Builder verify(boolean on) {
            this.verify = on;
            return this;
        }

        /** Trusts the certificates of a PEM bundle instead of the JDK's ({@code proxy_ssl_trusted_certificate}). */
        public Builder trustedCertificate(Path pemBundle) {
            this.trustedCertificate = Objects.requireNonNull(pemBundle, "pemBundle");
            return this;
        }

        /**
         * The host name the peer's certificate must carry and, with {@link #serverName}, the SNI sent
         * ({@code proxy_ssl_name}); the host of the peer's server line by default.
         */
        public Builder name(String host) {
            Objects.requireNonNull(host, "host");
            if (host.isEmpty() || host.chars().anyMatch(c -> c <= ' ' || c >= 0x7f || c == '/' || c == ':')) {
                throw new IllegalArgumentException("proxy_ssl_name must be a host name: \"" + host + "\"");
            }
            this.name = host;
            return this;
        }

        /** Sends the name as SNI ({@code proxy_ssl_server_name}); off by default, as nginx. */
        public Builder serverName(boolean on) {
            this.serverName = on;
            return this;
        }

        /**
         * Resumes sessions on new connections ({@code proxy_ssl_session_reuse}); on by default. Off, every connection
         * makes a full handshake: no TLS 1.2 session and no TLS 1.3 ticket is kept.
         */
        public Builder sessionReuse(boolean on) {
            this.sessionReuse = on;
            return this;
        }

        /**
         * Presents a client certificate to peers that ask for one, mutual TLS ({@code proxy_ssl_certificate} and
         * {@code proxy_ssl_certificate_key}): a PEM chain, leaf first, and its PEM key (PKCS#8, PKCS#1 or SEC 1,
         * unencrypted).
         */
        public Builder certificate(Path chain, Path key) {
            this.certificate = Objects.requireNonNull(chain, "chain");
            this.certificateKey = Objects.requireNonNull(key, "key");
            return this;
        }

        /** The protocols offered ({@code proxy_ssl_protocols}): some of TLSv1.2 and TLSv1.3. */
        public Builder protocols(String... protocols) {
            this.protocols = TlsProtocols.checked("proxy_ssl_protocols", protocols);
            return this;
        }

        public UpstreamTls build() {
            return new UpstreamTls(this);
        }
    }
}
