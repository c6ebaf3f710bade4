package dev.sluice.cli;

import dev.sluice.ServerTls;
import dev.sluice.UpstreamTls;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The TLS flags of both sides, gathered as Cli reads them and turned into the library's settings once all are in:
 * {@code --ssl-*} for the {@code ssl} addresses ({@link ServerTls}) and {@code --proxy-ssl-*} for the group when
 * {@code --proxy-pass https://} says so ({@link UpstreamTls}). A flag of either side given without its side is
 * refused naming it.
 */
final class TlsFlags {

    /** Whether a {@code --listen} line says {@code ssl}: clients speak TLS there, as the {@code --ssl-*} flags say. */
    private boolean sslListen;
    private final List<Step<ServerTls.Builder>> serverSteps = new ArrayList<>();
    private final List<Path> sslCertificates = new ArrayList<>();
    private final List<Path> sslCertificateKeys = new ArrayList<>();
    /** {@code --proxy-pass https://}: the route speaks TLS to the group, as the {@code --proxy-ssl-*} flags say. */
    private boolean upstreamTls;
    private final List<Step<UpstreamTls.Builder>> upstreamSteps = new ArrayList<>();
    private Path proxySslCertificate;
    private Path proxySslCertificateKey;

    /**
     * The route's TLS to the group from the {@code --proxy-ssl-*} flags, or null without {@code --proxy-pass
     * https://}.
     *
     * @throws UsageException when a client certificate comes without its key, or the other way round
     */
    UpstreamTls upstream() {
        if (!upstreamTls) {
            return null;
        }
        UpstreamTls.Builder tls = Step.applyAll(UpstreamTls.builder(), upstreamSteps);
        if (proxySslCertificate != null && proxySslCertificateKey != null) {
            tls.certificate(proxySslCertificate, proxySslCertificateKey);
        } else if (proxySslCertificate != null) {
            throw new UsageException("--proxy-ssl-certificate", "needs --proxy-ssl-certificate-key too");
        } else if (proxySslCertificateKey != null) {
            throw new UsageException("--proxy-ssl-certificate-key", "needs --proxy-ssl-certificate too");
        }
        return tls.build();
    }

    /**
     * The TLS of the {@code ssl} addresses from the {@code --ssl-*} flags, each certificate paired with the key given
     * in the same place.
     *
     * @throws UsageException when certificates and keys do not pair up, or there is none
     */
    ServerTls server() {
        if (sslCertificates.isEmpty() || sslCertificates.size() != sslCertificateKeys.size()) {
            throw new UsageException(sslCertificates.isEmpty() ? "--listen" : "--ssl-certificate-key",
                    "an ssl address needs each --ssl-certificate with its --ssl-certificate-key, as many of one as"
                            + " of the other (" + sslCertificates.size() + " and " + sslCertificateKeys.size() + ")");
        }
        ServerTls.Builder tls = Step.applyAll(ServerTls.builder(), serverSteps);
        for (int i = 0; i < sslCertificates.size(); i++) {
            tls.certificate(sslCertificates.get(i), sslCertificateKeys.get(i));
        }
        try {
            return tls.build();
        } catch (IllegalArgumentException e) {
            throw new UsageException("--ssl-verify-client", e.getMessage());
        }
    }

    /**
     * Checks that each side's flags come with their side.
     *
     * @throws UsageException naming a {@code --ssl-*} flag given without an {@code ssl} address, or a {@code
     *     --proxy-ssl-*} flag given without {@code --proxy-pass https://}
     */
    void check() {
        String upstream = upstreamTls ? null : !upstreamSteps.isEmpty() ? upstreamSteps.get(0).flag()
                : proxySslCertificate != null ? "--proxy-ssl-certificate"
                : proxySslCertificateKey != null ? "--proxy-ssl-certificate-key" : null;
        if (upstream != null) {
            throw new UsageException(upstream, "applies to TLS to the upstream: add --proxy-pass https://"
                    + Settings.GROUP);
        }
        String server = sslListen ? null : !serverSteps.isEmpty() ? serverSteps.get(0).flag()
                : !sslCertificates.isEmpty() ? "--ssl-certificate"
                : !sslCertificateKeys.isEmpty() ? "--ssl-certificate-key" : null;
        if (server != null) {
            throw new UsageException(server, "applies to TLS for clients: add ssl to a --listen ('HOST:PORT ssl')");
        }
    }

    void listensWithTls(boolean ssl) {
        sslListen |= ssl;
    }

    void addSslCertificate(Path file) {
        sslCertificates.add(file);
    }

    void addSslCertificateKey(Path file) {
        sslCertificateKeys.add(file);
    }

    void addServerStep(Step<ServerTls.Builder> step) {
        serverSteps.add(step);
    }

    void setUpstreamTls(boolean on) {
        upstreamTls = on;
    }

    void setProxySslCertificate(Path file) {
        proxySslCertificate = file;
    }

    void setProxySslCertificateKey(Path file) {
        proxySslCertificateKey = file;
    }

    void addUpstreamStep(Step<UpstreamTls.Builder> step) {
        upstreamSteps.add(step);
    }
}
