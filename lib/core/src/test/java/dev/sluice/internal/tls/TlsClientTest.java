package dev.sluice.internal.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import org.junit.jupiter.api.Test;

/** The name a TLS connection to a peer verifies and sends by default: the host of the peer's server line. */
class TlsClientTest {

    @Test
    void theDefaultNameIsTheServerLinesHost() throws UnknownHostException {
        InetSocketAddress address = new InetSocketAddress(InetAddress.getByName("10.0.0.7"), 8443);
        assertEquals("api.internal", TlsClient.hostOf("api.internal:8443", address));
        assertEquals("api.internal", TlsClient.hostOf("api.internal", address));
        assertEquals("10.0.0.7", TlsClient.hostOf("10.0.0.7:8443", address));
        assertEquals("::1", TlsClient.hostOf("[::1]:8443", address));
    }

    @Test
    void aLineWithoutAHostNamesThePeersAddress() throws UnknownHostException {
        InetSocketAddress address = new InetSocketAddress(InetAddress.getByName("10.0.0.7"), 8443);
        assertEquals("10.0.0.7", TlsClient.hostOf("k8s:shop/web", address));
        assertEquals("10.0.0.7", TlsClient.hostOf("", address));
    }
}
