package dev.sluice.internal.tls;

import dev.sluice.UpstreamTls;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/**
 * The client side of a route's {@link UpstreamTls}: its files read once into one {@link SSLContext}, shared by every
 * loop so that a session made on one resumes on another, and a {@link TlsSession} opened per upstream connection
 * with the route's name, SNI, verification and protocols.
 */
public final class TlsClient {

    /**
     * A session lifetime past the longest a TLS 1.3 ticket may have (7 days, RFC 8446 section 4.6.1): the JDK keeps
     * no ticket in a client context whose sessions may outlive it, so that nothing is left to resume from. A TLS 1.2
     * session is forgotten when its handshake is done ({@link TlsSession#forgetSessionWhenDone}).
     */
    private static final int TICKETS_DISCARDED = Integer.MAX_VALUE;

    private final SSLContext context;
    private final UpstreamTls settings;
    private final String[] protocols;

    private TlsClient(SSLContext context, UpstreamTls settings) {
        this.context = context;
        this.settings = settings;
        this.protocols = settings.protocols().toArray(new String[0]);
    }

    /**
     * Reads {@code settings}' files.
     *
     * @throws TlsFileException naming a trust bundle, certificate or key that cannot be used, and why
     */
    public static TlsClient of(UpstreamTls settings) {
        List<X509Certificate> trusted = settings.trustedCertificate().map(Pem::certificates).orElse(null);
        Credentials own = null;
        if (settings.certificate().isPresent()) {
            Path key = settings.certificateKey().orElseThrow();
            own = Credentials.read(settings.certificate().get(), key);
        }
        SSLContext context = TlsContexts.client(settings.verify(), trusted, own);
        if (!settings.sessionReuse()) {
            context.getClientSessionContext().setSessionTimeout(TICKETS_DISCARDED);
        }
        return new TlsClient(context, settings);
    }

    /** The settings this client was made from. */
    public UpstreamTls settings() {
        return settings;
    }

    /**
     * A session over {@code channel}, connected to {@code address}, the peer of the server line {@code server}
     * (whose host is the default name; empty for a peer a discovery source gave); its handshake is still to be
     * driven.
     */
    public TlsSession open(SocketChannel channel, String server, InetSocketAddress address) {
        String name = settings.name().orElseGet(() -> hostOf(server, address));
        SSLEngine engine = context.createSSLEngine(name, address.getPort());
        engine.setUseClientMode(true);
        SSLParameters parameters = engine.getSSLParameters();
        parameters.setProtocols(protocols);
        parameters.setServerNames(settings.serverName() && isHostName(name)
                ? List.<SNIServerName>of(new SNIHostName(name)) : List.of());
        if (settings.verify()) {
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
        }
        engine.setSSLParameters(parameters);
        TlsSession session = new TlsSession(engine, channel);
        if (!settings.sessionReuse()) {
            session.forgetSessionWhenDone();
        }
        return session;
    }

    /**
     * The host of a server line ({@code host}, {@code host:port}, {@code [v6]:port}); the address's own when the
     * line names no host (empty, or a discovery source's name such as {@code k8s:shop/web}).
     */
    static String hostOf(String server, InetSocketAddress address) {
        String host;
        if (server.isEmpty() || server.indexOf('/') >= 0) {
            host = "";
        } else if (server.startsWith("[")) {
            int end = server.indexOf(']');
            host = end < 0 ? server : server.substring(1, end);
        } else {
            int colon = server.indexOf(':');
            host = colon >= 0 && colon == server.lastIndexOf(':') ? server.substring(0, colon) : server;
        }
        return host.isEmpty() ? address.getAddress().getHostAddress() : host;
    }

    /** Whether {@code name} may be sent as SNI: a host name, not an address literal. */
    private static boolean isHostName(String name) {
        if (name.indexOf(':') >= 0 || name.endsWith(".")) {
            return false;
        }
        return !name.chars().allMatch(c -> c == '.' || c >= '0' && c <= '9');
    }
}
