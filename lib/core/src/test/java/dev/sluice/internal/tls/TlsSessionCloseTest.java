package dev.sluice.internal.tls;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.security.NoSuchAlgorithmException;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSession;
import org.junit.jupiter.api.Test;

/** What closing a TLS connection does to its engine: the JDK's keeps its session; another provider's is freed. */
class TlsSessionCloseTest {

    private static SSLEngine jdkEngine() throws NoSuchAlgorithmException {
        SSLEngine engine = SSLContext.getDefault().createSSLEngine("peer.test", 443);
        engine.setUseClientMode(true);
        return engine;
    }

    /** Closes a session of {@code engine} over a real loopback connection. */
    private static void openAndClose(SSLEngine engine) throws IOException {
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            SocketChannel channel = SocketChannel.open(server.getLocalAddress());
            try (SocketChannel accepted = server.accept()) {
                new TlsSession(engine, channel).close();
                assertFalse(channel.isOpen());
            }
        }
    }

    @Test
    void theJdksEngineKeepsItsInboundSideSoItsSessionStaysResumable() throws Exception {
        SSLEngine engine = jdkEngine();
        openAndClose(engine);

        assertTrue(engine.isOutboundDone());
        assertFalse(engine.isInboundDone(), "closing it without the peer's close_notify would invalidate the session");
    }

    @Test
    void anotherProvidersEngineIsClosedOnBothSidesToFreeItsNativeState() throws Exception {
        SSLEngine engine = new ForeignEngine(jdkEngine());
        openAndClose(engine);

        assertTrue(engine.isOutboundDone());
        assertTrue(engine.isInboundDone(), "a provider over a native library frees its state once both sides are closed");
    }

    /** An engine of a provider other than the JDK's (a class outside the JDK), made of the JDK's own. */
    private static final class ForeignEngine extends SSLEngine {

        private final SSLEngine jdk;

        ForeignEngine(SSLEngine jdk) {
            this.jdk = jdk;
        }

        @Override
        public SSLEngineResult wrap(ByteBuffer[] srcs, int offset, int length, ByteBuffer dst) throws SSLException {
            return jdk.wrap(srcs, offset, length, dst);
        }

        @Override
        public SSLEngineResult unwrap(ByteBuffer src, ByteBuffer[] dsts, int offset, int length) throws SSLException {
            return jdk.unwrap(src, dsts, offset, length);
        }

        @Override
        public Runnable getDelegatedTask() {
            return jdk.getDelegatedTask();
        }

        @Override
        public void closeInbound() throws SSLException {
            jdk.closeInbound();
        }

        @Override
        public boolean isInboundDone() {
            return jdk.isInboundDone();
        }

        @Override
        public void closeOutbound() {
            jdk.closeOutbound();
        }

        @Override
        public boolean isOutboundDone() {
            return jdk.isOutboundDone();
        }

        @Override
        public String[] getSupportedCipherSuites() {
            return jdk.getSupportedCipherSuites();
        }

        @Override
        public String[] getEnabledCipherSuites() {
            return jdk.getEnabledCipherSuites();
        }

        @Override
        public void setEnabledCipherSuites(String[] suites) {
            jdk.setEnabledCipherSuites(suites);
        }

        @Override
        public String[] getSupportedProtocols() {
            return jdk.getSupportedProtocols();
        }

        @Override
        public String[] getEnabledProtocols() {
            return jdk.getEnabledProtocols();
        }

        @Override
        public void setEnabledProtocols(String[] protocols) {
            jdk.setEnabledProtocols(protocols);
        }

        @Override
        public SSLSession getSession() {
            return jdk.getSession();
        }

        @Override
        public void beginHandshake() throws SSLException {
            jdk.beginHandshake();
        }

        @Override
        public SSLEngineResult.HandshakeStatus getHandshakeStatus() {
            return jdk.getHandshakeStatus();
        }

        @Override
        public void setUseClientMode(boolean mode) {
            jdk.setUseClientMode(mode);
        }

        @Override
        public boolean getUseClientMode() {
            return jdk.getUseClientMode();
        }

        @Override
        public void setNeedClientAuth(boolean need) {
            jdk.setNeedClientAuth(need);
        }

        @Override
        public boolean getNeedClientAuth() {
            return jdk.getNeedClientAuth();
        }

        @Override
        public void setWantClientAuth(boolean want) {
            jdk.setWantClientAuth(want);
        }

        @Override
        public boolean getWantClientAuth() {
            return jdk.getWantClientAuth();
        }

        @Override
        public void setEnableSessionCreation(boolean flag) {
            jdk.setEnableSessionCreation(flag);
        }

        @Override
        public boolean getEnableSessionCreation() {
            return jdk.getEnableSessionCreation();
        }
    }
}
