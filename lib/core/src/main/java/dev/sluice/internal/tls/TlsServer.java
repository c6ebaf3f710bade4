package dev.sluice.internal.tls;

import dev.sluice.ServerTls;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * The server side of one TLS listening address: its {@link ServerTls} and those of the virtual servers that listen
 * there, read into one {@link SSLContext} whose key manager picks each handshake's certificate by the SNI name, as
 * nginx switches to the server block the name selects, and falls back to the address's own for a name no server
 * claims or no name at all. Protocols, ciphers, ALPN ({@code http/1.1}) and client certificates are the address's.
 *
 * <p>Client certificates are checked as nginx checks them: the handshake never fails over one; the verdict
 * ({@code $ssl_client_verify}: SUCCESS, FAILED:reason or NONE) rides on the session, and the request is answered
 * 400 afterwards when the address demands one.
 *
 * <p>{@link #prepareReload()} reads every file again, to be swapped in at once; when a file fails, it throws and
 * the certificates in use stay.
 */
public final class TlsServer {

    /** The session value holding the client certificate verdict, as {@code $ssl_client_verify} says it. */
    private static final String VERDICT = "sluice.ssl_client_verify";
    private static final String[] ALPN = {"http/1.1"};

    private final ServerTls settings;
    private final List<ServerTls> servers;
    private final Function<String, ServerTls> byName;
    private final SSLContext context;
    private final String[] protocols;
    private final String[] ciphers;
    private volatile Material material;

    /** What the files held when last read: each setting's credentials by alias, and the CAs clients chain to. */
    private record Material(Map<ServerTls, List<String>> aliases, Map<String, Credentials> credentials,
            X509TrustManager clientCas) {
    }

    private TlsServer(ServerTls settings, List<ServerTls> servers, Function<String, ServerTls> byName) {
        this.settings = settings;
        this.servers = servers;
        this.byName = byName;
        this.material = read(settings, servers);
        this.protocols = settings.protocols().toArray(new String[0]);
        try {
            this.context = SSLContext.getInstance("TLS");
            context.init(new KeyManager[] {new Keys()}, settings.verifyClient() == ServerTls.ClientVerify.OFF ? null
                    : new TrustManager[] {new ClientCas()}, null);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK cannot make a TLS server context", e);
        }
        this.ciphers = settings.ciphers().isEmpty() ? null : checkedCiphers(settings.ciphers());
    }

    /**
     * Reads the files of {@code address}, the TLS of a listening address, and of {@code servers}, the virtual servers'
     * own there; {@code byName} gives the setting whose certificate an SNI name selects (lowercased), or null for the
     * address's.
     *
     * @throws TlsFileException naming a certificate, key or CA file that cannot be used
     * @throws IllegalArgumentException naming a cipher suite the JDK does not have
     */
    public static TlsServer of(ServerTls address, List<ServerTls> servers, Function<String, ServerTls> byName) {
        return new TlsServer(address, List.copyOf(servers), byName);
    }

    /** A session for a client that connected on {@code channel} and already sent {@code prefix} (read mode). */
    public TlsSession open(SocketChannel channel, ByteBuffer prefix) {
        SSLEngine engine = context.createSSLEngine();
        engine.setUseClientMode(false);
        SSLParameters parameters = engine.getSSLParameters();
        parameters.setProtocols(protocols);
        if (ciphers != null) {
            parameters.setCipherSuites(ciphers);
        }
        parameters.setApplicationProtocols(ALPN);
        if (settings.verifyClient() != ServerTls.ClientVerify.OFF) {
            parameters.setWantClientAuth(true);
        }
        engine.setSSLParameters(parameters);
        return new TlsSession(engine, channel, prefix);
    }

    /** Whether the address demands a valid client certificate ({@code ssl_verify_client on}). */
    public boolean demandsClientCertificate() {
        return settings.verifyClient() == ServerTls.ClientVerify.ON;
    }

    /**
     * Reads every file again; the action returned uses what they hold for the handshakes from then on, so that
     * several servers change all together or not at all.
     *
     * @throws TlsFileException naming the file that cannot be used; the certificates in use stay
     */
    public Runnable prepareReload() {
        Material read = read(settings, servers);
        return () -> material = read;
    }

    /**
     * The client certificate verdict of a finished handshake, as {@code $ssl_client_verify} says it: {@code
     * SUCCESS}, {@code FAILED:reason}, or {@code NONE} when none was sent (or none was asked for).
     */
    public static String clientVerify(SSLSession session) {
        Object verdict = session.getValue(VERDICT);
        return verdict == null ? "NONE" : (String) verdict;
    }

    private static Material read(ServerTls address, List<ServerTls> servers) {
        Map<ServerTls, List<String>> aliases = new IdentityHashMap<>();
        Map<String, Credentials> credentials = new LinkedHashMap<>();
        List<ServerTls> all = new ArrayList<>();
        all.add(address);
        all.addAll(servers);
        for (ServerTls tls : all) {
            if (aliases.containsKey(tls)) {
                continue;
            }
            List<String> names = new ArrayList<>();
            for (ServerTls.KeyPair pair : tls.certificates()) {
                String alias = "c" + credentials.size();
                credentials.put(alias, Credentials.read(pair.chain(), pair.key()));
                names.add(alias);
            }
            for (ServerTls.KeyStoreFile store : tls.keyStores()) {
                for (Credentials entry : Credentials.readStore(store.file(), store.password())) {
                    String alias = "c" + credentials.size();
                    credentials.put(alias, entry);
                    names.add(alias);
                }
            }
            aliases.put(tls, names);
        }
        X509TrustManager cas = address.clientCertificate().map(TlsServer::trusting).orElse(null);
        return new Material(aliases, credentials, cas);
    }

    private static X509TrustManager trusting(java.nio.file.Path caFile) {
        List<X509Certificate> cas = Pem.certificates(caFile);
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            for (int i = 0; i < cas.size(); i++) {
                store.setCertificateEntry("ca-" + i, cas.get(i));
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(store);
            for (TrustManager manager : factory.getTrustManagers()) {
                if (manager instanceof X509TrustManager x509) {
                    return x509;
                }
            }
            throw new IllegalStateException("the JDK has no X.509 trust manager");
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalStateException("the JDK cannot make a trust store", e);
        }
    }

    private String[] checkedCiphers(List<String> wanted) {
        Set<String> supported = Set.of(context.getSupportedSSLParameters().getCipherSuites());
        for (String suite : wanted) {
            if (!supported.contains(suite)) {
                throw new IllegalArgumentException("ssl_ciphers: the JDK has no cipher suite \"" + suite + "\"");
            }
        }
        return wanted.toArray(new String[0]);
    }

    /**
     * The certificate for a handshake: the one of the key type asked for of the server the SNI name selects, or of
     * the address when the name selects none; the engine asks type after type in its order of preference.
     */
    private final class Keys extends X509ExtendedKeyManager {

        @Override
        public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
            Material now = material;
            ServerTls chosen = null;
            SSLSession handshake = engine.getHandshakeSession();
            if (handshake instanceof ExtendedSSLSession extended) {
                for (SNIServerName name : extended.getRequestedServerNames()) {
                    if (name instanceof SNIHostName host) {
                        chosen = byName.apply(host.getAsciiName().toLowerCase(Locale.ROOT));
                    }
                }
            }
            // the chosen server's certificate of this type, or none, so that the engine asks for its next type
            return ofType(now, chosen == null ? settings : chosen, keyType);
        }

        private String ofType(Material now, ServerTls tls, String keyType) {
            for (String alias : now.aliases().getOrDefault(tls, List.of())) {
                if (now.credentials().get(alias).key().getAlgorithm().equals(keyType)) {
                    return alias;
                }
            }
            return null;
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return ofType(material, settings, keyType);
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            Credentials c = material.credentials().get(alias);
            return c == null ? null : c.chain().toArray(new X509Certificate[0]);
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            Credentials c = material.credentials().get(alias);
            return c == null ? null : c.key();
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return material.credentials().keySet().toArray(new String[0]);
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return null;
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            return null;
        }
    }

    /**
     * Client certificates checked against the address's CAs, as nginx's verify callback does: never failing the
     * handshake, the verdict noted on the session for the request to be judged by.
     */
    private final class ClientCas extends X509ExtendedTrustManager {

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
            String verdict;
            try {
                material.clientCas().checkClientTrusted(chain, authType);
                verdict = "SUCCESS";
            } catch (CertificateException e) {
                verdict = "FAILED:" + e.getMessage();
            }
            engine.getHandshakeSession().putValue(VERDICT, verdict);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
            throw new UnsupportedOperationException("the proxy's TLS runs on engines");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
            throw new UnsupportedOperationException("the proxy's TLS runs on engines");
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            throw new CertificateException("a server certificate has no place on the client side");
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            throw new CertificateException("a server certificate has no place on the client side");
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("a server certificate has no place on the client side");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return material.clientCas().getAcceptedIssuers();
        }
    }
}
