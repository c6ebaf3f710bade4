package dev.sluice.internal.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Certificates and private keys in PEM files, as nginx's {@code ssl_certificate} and {@code ssl_certificate_key} read
 * them: a chain of {@code CERTIFICATE} blocks (the leaf first), and a key as {@code PRIVATE KEY} (PKCS#8, RSA, EC or
 * EdDSA), {@code RSA PRIVATE KEY} (PKCS#1) or {@code EC PRIVATE KEY} (SEC1, an {@code EC PARAMETERS} block before it
 * skipped). An encrypted key is refused: nginx needs {@code ssl_password_file} for one, which Sluice does not have.
 * Every problem is a {@link TlsFileException} naming the file and the reason.
 */
public final class Pem {

    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----\\s*(.*?)-----END \\1-----", Pattern.DOTALL);
    private static final int MOST_BYTES = 1 << 20;

    private Pem() {
    }

    /** The certificates of {@code file}, in order: a chain starts with the leaf. */
    public static List<X509Certificate> certificates(Path file) {
        List<X509Certificate> chain = new ArrayList<>();
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            for (Block block : blocks(file)) {
                if (block.type.equals("CERTIFICATE")) {
                    chain.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(block.der)));
                }
            }
        } catch (GeneralSecurityException e) {
            throw new TlsFileException(file, "not a readable certificate (" + e.getMessage() + ")", e);
        }
        if (chain.isEmpty()) {
            throw new TlsFileException(file, "no \"BEGIN CERTIFICATE\" block");
        }
        return List.copyOf(chain);
    }

    /** The one private key of {@code file}. */
    public static PrivateKey privateKey(Path file) {
        List<Block> keys = new ArrayList<>();
        for (Block block : blocks(file)) {
            if (block.type.endsWith("PRIVATE KEY")) {
                keys.add(block);
            }
        }
        if (keys.size() != 1) {
            throw new TlsFileException(file, keys.isEmpty() ? "no \"BEGIN PRIVATE KEY\" block" : keys.size()
                    + " private keys where one was expected");
        }
        Block key = keys.get(0);
        if (key.type.startsWith("ENCRYPTED") || key.encrypted) {
            throw new TlsFileException(file, "the key is encrypted; write it unencrypted (openssl pkey -in KEY -out"
                    + " KEY.plain) and keep the file readable by the proxy only");
        }
        try {
            return switch (key.type) {
                case "PRIVATE KEY" -> pkcs8(key.der);
                case "RSA PRIVATE KEY" -> KeyFactory.getInstance("RSA").generatePrivate(
                        new PKCS8EncodedKeySpec(Der.privateKeyInfo(Der.concat(Der.RSA_ALGORITHM, new byte[] {
                                Der.NULL, 0}), key.der)));
                case "EC PRIVATE KEY" -> KeyFactory.getInstance("EC").generatePrivate(
                        new PKCS8EncodedKeySpec(Der.privateKeyInfo(Der.concat(Der.EC_ALGORITHM, curveOf(key.der)),
                                key.der)));
                default -> throw new TlsFileException(file, "a \"" + key.type + "\" block is not a key Sluice reads"
                        + " (PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY)");
            };
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new TlsFileException(file, "not a readable " + key.type.toLowerCase() + " (" + e.getMessage()
                    + ")", e);
        }
    }

    /** A PKCS#8 key of whichever algorithm reads it. */
    private static PrivateKey pkcs8(byte[] der) throws GeneralSecurityException {
        GeneralSecurityException last = null;
        for (String algorithm : new String[] {"RSA", "EC", "Ed25519", "Ed448", "RSASSA-PSS"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                last = e;
            }
        }
        throw last;
    }

    /** The named curve a SEC1 ECPrivateKey holds in its [0] parameters, as an encoded OBJECT IDENTIFIER. */
    private static byte[] curveOf(byte[] sec1) {
        Der key = Der.sequence(sec1);
        key.element(Der.INTEGER);
        key.element(Der.OCTET_STRING);
        while (key.hasMore()) {
            if (key.peekTag() == Der.CONTEXT_0) {
                return key.enter(Der.CONTEXT_0).element(Der.OBJECT_IDENTIFIER);
            }
            key.element(key.peekTag());
        }
        throw new IllegalArgumentException("an EC key without its curve");
    }

    private record Block(String type, byte[] der, boolean encrypted) {
    }

    private static List<Block> blocks(Path file) {
        String text;
        try {
            if (Files.size(file) > MOST_BYTES) {
                throw new TlsFileException(file, "larger than 1 MiB: not a PEM file");
            }
            text = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new TlsFileException(file, "cannot be read (" + e + ")", e);
        }
        List<Block> blocks = new ArrayList<>();
        Matcher m = BLOCK.matcher(text);
        while (m.find()) {
            String body = m.group(2);
            boolean encrypted = body.contains("Proc-Type: 4,ENCRYPTED");
            String base64 = encrypted ? "" : body.replaceAll("\\s", "");
            try {
                blocks.add(new Block(m.group(1), Base64.getDecoder().decode(base64), encrypted));
            } catch (IllegalArgumentException e) {
                throw new TlsFileException(file, "a \"" + m.group(1) + "\" block that is not base64", e);
            }
        }
        if (blocks.isEmpty()) {
            throw new TlsFileException(file, "no PEM block (\"-----BEGIN ...-----\")");
        }
        return blocks;
    }
}
