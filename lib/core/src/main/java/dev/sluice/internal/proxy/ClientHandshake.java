package dev.sluice.internal.proxy;

import dev.sluice.ClientTls;
import dev.sluice.internal.net.Interest;
import dev.sluice.internal.net.Wire;
import dev.sluice.internal.tls.TlsServer;
import dev.sluice.internal.tls.TlsSession;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Locale;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TLS handshake of a client that connected to a TLS address, before its first request: nginx's {@code
 * ngx_http_ssl_handshake}. The first bytes decide, as nginx decides them: a TLS record (0x16) or an SSLv2 hello
 * (high bit set) begins the handshake; anything else is plain HTTP sent to the TLS port, which the connection reads
 * as such to answer it 400. The handshake runs under the connection's {@code client_header_timeout}; one that fails
 * closes the connection, as nginx logs at {@code info} and closes. A client certificate the address demands and
 * did not get, or that did not verify, costs each request a 400, as nginx answers it after the handshake.
 */
final class ClientHandshake {

    private static final Logger log = LoggerFactory.getLogger(ClientHandshake.class);
    private static final byte HANDSHAKE_RECORD = 0x16;

    private final ClientConnection client;
    private final TlsServer tls;
    private final SocketChannel channel;
    private final SelectionKey key;
    private TlsSession session;

    ClientHandshake(ClientConnection client, TlsServer tls, SocketChannel channel, SelectionKey key) {
        this.client = client;
        this.tls = tls;
        this.channel = channel;
        this.key = key;
    }

    /** The client's socket is ready: sniff its first bytes from {@code input}, then go on with the handshake. */
    void ready(ClientInput input) {
        if (session == null) {
            if (input.read() < 0) {
                client.close();
                return;
            }
            ByteBuffer first = input.bytes();
            if (!first.hasRemaining()) {
                return;
            }
            byte b = first.get(first.position());
            if (b != HANDSHAKE_RECORD && (b & 0x80) == 0) {
                client.plainOnTlsPort();
                return;
            }
            session = tls.open(channel, first);
            first.position(first.limit());
            input.releaseIfEmpty();
        }
        Wire.Progress progress;
        try {
            progress = session.handshake();
        } catch (IOException e) {
            log.debug("TLS handshake with client {} failed: {}", client, e.getMessage());
            client.close();
            return;
        }
        switch (progress) {
            case DONE -> {
                ClientTls facts = facts(session.engine().getSession());
                TlsRefusal refusal = !tls.demandsClientCertificate() || facts.clientVerified() ? null
                        : facts.clientVerify().equals("NONE") ? TlsRefusal.NO_CERTIFICATE
                        : TlsRefusal.CERTIFICATE_ERROR;
                client.secured(session, facts, refusal);
            }
            case NEED_READ -> Interest.set(key, SelectionKey.OP_READ);
            default -> Interest.set(key, SelectionKey.OP_WRITE);
        }
    }

    /** Whether the client sent a byte of its handshake: before that, the proxy may close it to make room. */
    boolean started() {
        return session != null;
    }

    /** What the handshake settled, for the variables and the handler. */
    private static ClientTls facts(SSLSession session) {
        String serverName = null;
        if (session instanceof ExtendedSSLSession extended) {
            for (SNIServerName name : extended.getRequestedServerNames()) {
                if (name instanceof SNIHostName host) {
                    serverName = host.getAsciiName().toLowerCase(Locale.ROOT);
                }
            }
        }
        String verdict = TlsServer.clientVerify(session);
        String subject = null;
        try {
            Certificate[] chain = session.getPeerCertificates();
            subject = ((X509Certificate) chain[0]).getSubjectX500Principal().getName();
        } catch (SSLPeerUnverifiedException none) {
            // no client certificate: $ssl_client_s_dn is empty
        }
        return new ClientTls(session.getProtocol(), session.getCipherSuite(), serverName, verdict, subject);
    }
}
