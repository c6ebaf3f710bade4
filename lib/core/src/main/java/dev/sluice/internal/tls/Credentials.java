package dev.sluice.internal.tls;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A certificate chain and the private key of its leaf, read from PEM files as nginx's {@code ssl_certificate} and
 * {@code ssl_certificate_key} (or {@code proxy_ssl_certificate} and {@code proxy_ssl_certificate_key}) read them, and
 * checked to belong together as nginx checks them ("key values mismatch"): the key signs, the leaf's public key
 * verifies.
 *
 * @param chain the leaf certificate first, then the intermediates
 * @param key the leaf's private key
 */
public record Credentials(List<X509Certificate> chain, PrivateKey key) {

    private static final byte[] PROBE = "sluice".getBytes(StandardCharsets.US_ASCII);

    public Credentials {
        chain = List.copyOf(chain);
    }

    /**
     * Reads {@code certificateFile} and {@code keyFile}.
     *
     * @throws TlsFileException naming the file and what is wrong with it, or naming both when the key is not the
     *     leaf certificate's
     */
    public static Credentials read(Path certificateFile, Path keyFile) {
        List<X509Certificate> chain = Pem.certificates(certificateFile);
        PrivateKey key = Pem.privateKey(keyFile);
        if (!belong(chain.get(0), key)) {
            throw new TlsFileException(keyFile, "the key does not match the certificate " + certificateFile
                    + " (key values mismatch)");
        }
        return new Credentials(chain, key);
    }

    /**
     * Reads every key entry of the key store {@code file} (PKCS#12 or JKS, told apart by the JDK), each with its
     * chain; {@code password} opens the store and its keys.
     *
     * @throws TlsFileException naming the file when it cannot be read, the password is wrong, or it holds no key
     */
    public static List<Credentials> readStore(Path file, String password) {
        KeyStore store;
        try {
            store = KeyStore.getInstance(file.toFile(), password.toCharArray());
        } catch (java.io.IOException | GeneralSecurityException e) {
            throw new TlsFileException(file, "cannot be read as a PKCS#12 or JKS key store (or the password is"
                    + " wrong): " + e.getMessage(), e);
        }
        List<Credentials> found = new ArrayList<>();
        try {
            for (String alias : Collections.list(store.aliases())) {
                if (store.isKeyEntry(alias) && store.getKey(alias, password.toCharArray()) instanceof PrivateKey key) {
                    List<X509Certificate> chain = new ArrayList<>();
                    for (Certificate c : store.getCertificateChain(alias)) {
                        chain.add((X509Certificate) c);
                    }
                    found.add(new Credentials(chain, key));
                }
            }
        } catch (GeneralSecurityException e) {
            throw new TlsFileException(file, "a key cannot be read with the store's password: " + e.getMessage(), e);
        }
        if (found.isEmpty()) {
            throw new TlsFileException(file, "holds no private key with its certificate chain");
        }
        return found;
    }

    private static boolean belong(X509Certificate leaf, PrivateKey key) {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            default -> key.getAlgorithm(); // Ed25519, Ed448
        };
        try {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(PROBE);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(leaf.getPublicKey());
            verifier.update(PROBE);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false; // a key of another algorithm than the certificate's
        }
    }
}
