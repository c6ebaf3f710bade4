package dev.sluice.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Certificates made for a test by the JDK's own {@code keytool}, nothing checked in that could expire: a test CA, and
 * certificates it issues for names and addresses, written as PEM files the way nginx users keep them (the chain in
 * one file, the key in PKCS#8 and in its traditional form: PKCS#1 for RSA, SEC1 for EC).
 *
 * <pre>{@code
 * TestCertificates ca = TestCertificates.create(tempDir);
 * TestCertificates.Issued server = ca.issue("localhost", "RSA", false, "dns:localhost", "ip:127.0.0.1");
 * }</pre>
 */
public final class TestCertificates {

    /** The password of every key store this class writes. */
    public static final String PASSWORD = "changeit";
    private static final long KEYTOOL_SECONDS = 60;

    private final Path dir;
    private final Path caStore;
    private final X509Certificate caCertificate;
    private final Path caFile;

    private TestCertificates(Path dir) throws IOException {
        this.dir = dir;
        this.caStore = dir.resolve("ca.p12");
        keytool("-genkeypair", "-alias", "ca", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=Sluice Test CA",
                "-ext", "bc:c", "-validity", "2", "-keystore", caStore.toString());
        try {
            this.caCertificate = (X509Certificate) load(caStore).getCertificate("ca");
        } catch (GeneralSecurityException e) {
            throw new IOException("keytool's CA cannot be read", e);
        }
        this.caFile = write(dir.resolve("ca.crt"), pem("CERTIFICATE", encoded(caCertificate)));
    }

    /** A new test CA whose files live in {@code dir}, which is created if need be. */
    public static TestCertificates create(Path dir) throws IOException {
        return new TestCertificates(java.nio.file.Files.createDirectories(dir));
    }

    /** The CA's certificate as a PEM file: what a client that verifies trusts. */
    public Path caFile() {
        return caFile;
    }

    public X509Certificate caCertificate() {
        return caCertificate;
    }

    /** A TLS context that trusts this CA alone and presents nothing: a client that verifies the server. */
    public SSLContext trustingContext() throws IOException {
        return context(null);
    }

    /**
     * A TLS context that trusts this CA and presents {@code identity} (null: nothing), issued by this CA or another:
     * a server that asks for client certificates, or a client that presents one.
     */
    public SSLContext context(Issued identity) throws IOException {
        try {
            KeyManager[] keys = null;
            if (identity != null) {
                KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                factory.init(load(identity.keyStoreFile()), PASSWORD.toCharArray());
                keys = factory.getKeyManagers();
            }
            KeyStore trusted = KeyStore.getInstance("PKCS12");
            trusted.load(null, null);
            trusted.setCertificateEntry("ca", caCertificate);
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trusted);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys, trust.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IOException("the JDK cannot make a TLS context", e);
        }
    }

    /**
     * A certificate for {@code name}, issued by this CA, with a key of {@code algorithm} ({@code RSA} or {@code
     * EC}) and the subject alternative names {@code names} ({@code dns:NAME}, {@code ip:ADDRESS}); valid from
     * yesterday for two days, or, when {@code expired}, from ten days ago for one.
     */
    public Issued issue(String name, String algorithm, boolean expired, String... names) throws IOException {
        String alias = name.replaceAll("[^A-Za-z0-9]", "_") + (expired ? "_expired" : "") + "_" + algorithm;
        Path store = dir.resolve(alias + ".p12");
        List<String> generate = new ArrayList<>(List.of("-genkeypair", "-alias", alias, "-keyalg", algorithm,
                "-dname", "CN=" + name, "-keystore", store.toString()));
        generate.addAll(algorithm.equals("EC") ? List.of("-groupname", "secp256r1") : List.of("-keysize", "2048"));
        keytool(generate.toArray(new String[0]));
        Path request = dir.resolve(alias + ".csr");
        keytool("-certreq", "-alias", alias, "-keystore", store.toString(), "-file", request.toString());
        Path signed = dir.resolve(alias + ".signed");
        List<String> sign = new ArrayList<>(List.of("-gencert", "-alias", "ca", "-keystore", caStore.toString(),
                "-infile", request.toString(), "-outfile", signed.toString(), "-rfc",
                "-startdate", expired ? "-10d" : "-1d", "-validity", expired ? "1" : "2"));
        if (names.length > 0) {
            sign.addAll(List.of("-ext", "SAN=" + String.join(",", names)));
        }
        keytool(sign.toArray(new String[0]));
        try (InputStream in = Files.newInputStream(signed)) {
            X509Certificate leaf = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
            PrivateKey key = (PrivateKey) load(store).getKey(alias, PASSWORD.toCharArray());
            byte[] pkcs8 = key.getEncoded();
            Path chain = write(dir.resolve(alias + ".crt"), pem("CERTIFICATE", encoded(leaf)));
            Path keyFile = write(dir.resolve(alias + ".key"), pem("PRIVATE KEY", pkcs8));
            Path traditional = write(dir.resolve(alias + ".traditional.key"), algorithm.equals("EC")
                    ? pem("EC PRIVATE KEY", sec1(pkcs8)) : pem("RSA PRIVATE KEY", innerKey(pkcs8)));
            KeyStore issued = KeyStore.getInstance("PKCS12");
            issued.load(null, null);
            issued.setKeyEntry(alias, key, PASSWORD.toCharArray(), new X509Certificate[] {leaf, caCertificate});
            Path keyStore = dir.resolve(alias + ".issued.p12");
            try (OutputStream out = Files.newOutputStream(keyStore)) {
                issued.store(out, PASSWORD.toCharArray());
            }
            return new Issued(chain, keyFile, traditional, keyStore, leaf);
        } catch (GeneralSecurityException e) {
            throw new IOException("keytool's output cannot be read", e);
        }
    }

    /**
     * A certificate the CA issued, as PEM files.
     *
     * @param certificateFile the leaf certificate ({@code ssl_certificate})
     * @param keyFile its key in PKCS#8 ({@code BEGIN PRIVATE KEY})
     * @param traditionalKeyFile the same key in PKCS#1 ({@code BEGIN RSA PRIVATE KEY}) or SEC1 ({@code BEGIN EC
     *     PRIVATE KEY}, with its curve)
     * @param keyStoreFile the key with the leaf and the CA's certificate as a PKCS#12 store, password {@link
     *     #PASSWORD}: what a JDK server (WireMock's HTTPS) is configured with
     * @param certificate the leaf certificate
     */
    public record Issued(Path certificateFile, Path keyFile, Path traditionalKeyFile, Path keyStoreFile,
            X509Certificate certificate) {
    }

    private static void keytool(String... arguments) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(Arrays.asList(arguments));
        command.addAll(List.of("-storepass", PASSWORD, "-storetype", "PKCS12", "-noprompt"));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(KEYTOOL_SECONDS, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IOException("keytool " + String.join(" ", arguments) + " failed: "
                        + new String(output, StandardCharsets.UTF_8));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while keytool ran", e);
        } finally {
            process.destroyForcibly();
        }
    }

    private static KeyStore load(Path store) throws IOException {
        try (InputStream in = Files.newInputStream(store)) {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(in, PASSWORD.toCharArray());
            return keys;
        } catch (GeneralSecurityException e) {
            throw new IOException("keytool's store cannot be read: " + store, e);
        }
    }

    private static byte[] encoded(X509Certificate certificate) throws IOException {
        try {
            return certificate.getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IOException("a certificate that cannot be encoded", e);
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static Path write(Path file, String text) throws IOException {
        return Files.writeString(file, text, StandardCharsets.US_ASCII);
    }

    // A PKCS#8 PrivateKeyInfo is SEQUENCE { INTEGER version, SEQUENCE algorithm, OCTET STRING key }: the key's
    // traditional form is the OCTET STRING's contents (for EC, with the curve added as SEC1's [0] parameters).

    private static byte[] innerKey(byte[] pkcs8) {
        return elements(contents(pkcs8, 0)).get(2).contents;
    }

    private static byte[] sec1(byte[] pkcs8) {
        List<Element> info = elements(contents(pkcs8, 0));
        byte[] curve = elements(info.get(1).contents).get(1).whole;
        List<Element> key = elements(contents(info.get(2).contents, 0));
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(key.get(0).whole); // version 1
        body.writeBytes(key.get(1).whole); // the private key's octets
        body.writeBytes(tagged(0xa0, curve));
        for (int i = 2; i < key.size(); i++) {
            if ((key.get(i).whole[0] & 0xff) != 0xa0) {
                body.writeBytes(key.get(i).whole); // a public key, if the JDK wrote one
            }
        }
        return tagged(0x30, body.toByteArray());
    }

    private record Element(byte[] whole, byte[] contents) {
    }

    /** The contents of the element at {@code offset} of {@code der}. */
    private static byte[] contents(byte[] der, int offset) {
        return elements(Arrays.copyOfRange(der, offset, der.length)).get(0).contents;
    }

    private static List<Element> elements(byte[] der) {
        List<Element> list = new ArrayList<>();
        int at = 0;
        while (at < der.length) {
            int start = at;
            at++; // tag
            int length = der[at++] & 0xff;
            if (length >= 0x80) {
                int count = length & 0x7f;
                length = 0;
                for (int i = 0; i < count; i++) {
                    length = length << 8 | der[at++] & 0xff;
                }
            }
            list.add(new Element(Arrays.copyOfRange(der, start, at + length), Arrays.copyOfRange(der, at,
                    at + length)));
            at += length;
        }
        return list;
    }

    private static byte[] tagged(int tag, byte[] contents) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(tag);
        int n = contents.length;
        if (n >= 0x100) {
            out.write(0x82);
            out.write(n >> 8);
        } else if (n >= 0x80) {
            out.write(0x81);
        }
        out.write(n);
        out.writeBytes(contents);
        return out.toByteArray();
    }
}
