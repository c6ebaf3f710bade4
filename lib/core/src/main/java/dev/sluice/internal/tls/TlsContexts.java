package dev.sluice.internal.tls;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The {@link SSLContext}s of the two sides, on the JDK's own provider: a server's from its {@link Credentials}
 * ({@code ssl_certificate}), and a client's for HTTPS upstreams, which trusts a PEM bundle ({@code
 * proxy_ssl_trusted_certificate}), the JDK's default trust store, or, with verification off (nginx's default,
 * {@code proxy_ssl_verify off}), any certificate, and may present {@link Credentials} of its own ({@code
 * proxy_ssl_certificate}). Hostname verification is the engine's to switch on ({@code HTTPS} endpoint
 * identification) when verification is on.
 */
public final class TlsContexts {

    private static final char[] NO_PASSWORD = new char[0];

    private TlsContexts() {
    }

    /** A server's context presenting {@code credentials}. */
    public static SSLContext server(Credentials credentials) {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keyManagers(credentials), null, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK cannot make a TLS server context", e);
        }
    }

    /**
     * A client's context: trusting {@code trusted} (null: the JDK's default trust store) when {@code verify}, any
     * certificate otherwise; presenting {@code own} when not null.
     */
    public static SSLContext client(boolean verify, List<X509Certificate> trusted, Credentials own) {
        try {
            TrustManager[] trust;
            if (!verify) {
                trust = new TrustManager[] {TrustingAll.INSTANCE};
            } else {
                TrustManagerFactory factory = TrustManagerFactory.getInstance(
                        TrustManagerFactory.getDefaultAlgorithm());
                factory.init(trusted == null ? null : trustStore(trusted));
                trust = factory.getTrustManagers();
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(own == null ? null : keyManagers(own), trust, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK cannot make a TLS client context", e);
        }
    }

    private static KeyManager[] keyManagers(Credentials credentials) throws GeneralSecurityException {
        KeyStore store = emptyStore();
        store.setKeyEntry("key", credentials.key(), NO_PASSWORD,
                credentials.chain().toArray(new Certificate[0]));
        KeyManagerFactory factory = KeyManagerFactory.getInstance("NewSunX509");
        factory.init(store, NO_PASSWORD);
        return factory.getKeyManagers();
    }

    private static KeyStore trustStore(List<X509Certificate> trusted) throws GeneralSecurityException {
        KeyStore store = emptyStore();
        for (int i = 0; i < trusted.size(); i++) {
            store.setCertificateEntry("trusted-" + i, trusted.get(i));
        }
        return store;
    }

    private static KeyStore emptyStore() throws GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try {
            store.load(null, null);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("an empty key store cannot fail to load", e);
        }
        return store;
    }

    /** nginx's {@code proxy_ssl_verify off}: the upstream's certificate is not checked at all. */
    private static final class TrustingAll extends X509ExtendedTrustManager {

        static final TrustingAll INSTANCE = new TrustingAll();

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
