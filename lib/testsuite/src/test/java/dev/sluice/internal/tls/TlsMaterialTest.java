package dev.sluice.internal.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.testing.TestCertificates;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Certificates and keys read from PEM files in every form nginx reads, refused with the file and the reason when they
 * cannot serve, and the TLS contexts made of them, tried in real handshakes on loopback: a client that verifies
 * accepts only a certificate its trust issued for the name it asked for, one that does not verify accepts any.
 */
class TlsMaterialTest {

    @TempDir
    static Path dir;
    private static TestCertificates ca;
    private static TestCertificates.Issued rsa;
    private static TestCertificates.Issued ec;
    private static TestCertificates.Issued otherName;
    private static TestCertificates.Issued expired;

    @BeforeAll
    static void issue() throws IOException {
        ca = TestCertificates.create(dir);
        rsa = ca.issue("localhost", "RSA", false, "dns:localhost", "ip:127.0.0.1");
        ec = ca.issue("localhost", "EC", false, "dns:localhost", "ip:127.0.0.1");
        otherName = ca.issue("elsewhere.test", "RSA", false, "dns:elsewhere.test");
        expired = ca.issue("localhost", "RSA", true, "dns:localhost");
    }

    @ParameterizedTest
    @ValueSource(strings = {"RSA PKCS#8", "RSA PKCS#1", "EC PKCS#8", "EC SEC1"})
    void aKeyInEachFormNginxReadsMatchesItsCertificate(String form) {
        TestCertificates.Issued issued = form.startsWith("RSA") ? rsa : ec;
        Path key = form.endsWith("PKCS#8") ? issued.keyFile() : issued.traditionalKeyFile();

        Credentials credentials = Credentials.read(issued.certificateFile(), key);

        assertEquals(issued.certificate(), credentials.chain().get(0));
        assertEquals(form.substring(0, form.indexOf(' ')), credentials.key().getAlgorithm());
    }

    @Test
    void aKeyOfAnotherCertificateIsAMismatchNamingBothFiles() {
        TlsFileException e = assertThrows(TlsFileException.class,
                () -> Credentials.read(rsa.certificateFile(), otherName.keyFile()));

        assertEquals(otherName.keyFile(), e.file());
        assertTrue(e.getMessage().contains("key values mismatch") && e.getMessage().contains(
                rsa.certificateFile().toString()), e.getMessage());
    }

    @Test
    void filesThatCannotServeAreRefusedWithTheirNameAndTheReason() throws IOException {
        Path encrypted = Files.writeString(dir.resolve("encrypted.key"),
                "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIBvTBXBgkqhkiG9w0BBQ0wSjApBgkqhkiG9w0BBQwwHAQI\n"
                        + "-----END ENCRYPTED PRIVATE KEY-----\n");
        Path garbage = Files.writeString(dir.resolve("garbage.pem"), "not a certificate\n");
        Path missing = dir.resolve("missing.pem");

        assertTrue(assertThrows(TlsFileException.class, () -> Pem.privateKey(encrypted)).getMessage()
                .startsWith(encrypted + ": the key is encrypted"));
        assertEquals(garbage + ": no PEM block (\"-----BEGIN ...-----\")",
                assertThrows(TlsFileException.class, () -> Pem.certificates(garbage)).getMessage());
        assertTrue(assertThrows(TlsFileException.class, () -> Pem.certificates(missing)).getMessage()
                .startsWith(missing + ": cannot be read"));
        assertEquals(rsa.keyFile() + ": no \"BEGIN CERTIFICATE\" block",
                assertThrows(TlsFileException.class, () -> Pem.certificates(rsa.keyFile())).getMessage());
    }

    @Test
    void aVerifyingClientAcceptsACertificateItsTrustIssuedForTheNameItAskedFor() throws Exception {
        SSLContext client = TlsContexts.client(true, Pem.certificates(ca.caFile()), null);

        assertEquals("hello", handshake(rsa, client, true));
        assertEquals("hello", handshake(ec, client, true));
    }

    @Test
    void aVerifyingClientRefusesAnotherNameAnExpiredCertificateAndAnUnknownIssuer() {
        SSLContext trusting = TlsContexts.client(true, Pem.certificates(ca.caFile()), null);
        SSLContext jdkDefaults = TlsContexts.client(true, null, null);

        assertThrows(SSLException.class, () -> handshake(otherName, trusting, true));
        assertThrows(SSLException.class, () -> handshake(expired, trusting, true));
        assertThrows(SSLException.class, () -> handshake(rsa, jdkDefaults, true));
    }

    @Test
    void aClientThatDoesNotVerifyAcceptsAnyCertificate() throws Exception {
        SSLContext client = TlsContexts.client(false, null, null);

        assertEquals("hello", handshake(otherName, client, false));
        assertEquals("hello", handshake(expired, client, false));
    }

    /**
     * A TLS server on loopback presenting {@code issued} writes "hello" to one client made from {@code client},
     * which asks for "localhost" and, when {@code checkName}, checks the certificate is for it.
     */
    private static String handshake(TestCertificates.Issued issued, SSLContext client, boolean checkName)
            throws Exception {
        SSLContext server = TlsContexts.server(Credentials.read(issued.certificateFile(), issued.keyFile()));
        try (SSLServerSocket listening = (SSLServerSocket) server.getServerSocketFactory().createServerSocket(0, 1,
                java.net.InetAddress.getLoopbackAddress())) {
            listening.setSoTimeout(10_000);
            CompletableFuture<Void> served = CompletableFuture.runAsync(() -> {
                try (SSLSocket accepted = (SSLSocket) listening.accept(); OutputStream out =
                        accepted.getOutputStream()) {
                    accepted.setSoTimeout(10_000);
                    out.write("hello".getBytes());
                } catch (IOException e) {
                    // the client refused the certificate: the handshake failed on this side too
                }
            });
            try (SSLSocket socket = (SSLSocket) client.getSocketFactory().createSocket("localhost",
                    listening.getLocalPort())) {
                socket.setSoTimeout(10_000);
                SSLParameters parameters = socket.getSSLParameters();
                if (checkName) {
                    parameters.setEndpointIdentificationAlgorithm("HTTPS");
                }
                socket.setSSLParameters(parameters);
                InputStream in = socket.getInputStream();
                return new String(in.readNBytes(5));
            } finally {
                served.get(10, TimeUnit.SECONDS);
            }
        }
    }
}
