package dev.sluice.internal.tls;

import java.io.ByteArrayOutputStream;

/**
 * The few DER (ITU-T X.690) pieces needed to turn the traditional key forms nginx accepts (PKCS#1 RSA, SEC1 EC)
 * into PKCS#8, the one form the JDK's key factories read: walking a value's tag and length, and writing a
 * SEQUENCE, an INTEGER 0, an OCTET STRING. Anything malformed is an {@link IllegalArgumentException}.
 */
final class Der {

    static final int INTEGER = 0x02;
    static final int OCTET_STRING = 0x04;
    static final int NULL = 0x05;
    static final int OBJECT_IDENTIFIER = 0x06;
    static final int SEQUENCE = 0x30;
    /** The context-specific, constructed tag [0] that holds an EC key's curve. */
    static final int CONTEXT_0 = 0xa0;

    /** rsaEncryption (1.2.840.113549.1.1.1) and id-ecPublicKey (1.2.840.10045.2.1), encoded with their tag. */
    static final byte[] RSA_ALGORITHM = {0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01,
            0x01, 0x01};
    static final byte[] EC_ALGORITHM = {0x06, 0x07, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x02, 0x01};

    private final byte[] bytes;
    private int position;
    private final int end;
    /** The length of the element {@link #header} read last. */
    private int length;

    private Der(byte[] bytes, int start, int end) {
        this.bytes = bytes;
        this.position = start;
        this.end = end;
    }

    /** A reader of the elements inside the SEQUENCE that {@code encoded} is. */
    static Der sequence(byte[] encoded) {
        Der outer = new Der(encoded, 0, encoded.length);
        Der inner = outer.enter(SEQUENCE);
        if (outer.position != encoded.length) {
            throw new IllegalArgumentException("bytes after the DER sequence");
        }
        return inner;
    }

    /** Whether another element follows. */
    boolean hasMore() {
        return position < end;
    }

    /** The next element's tag, without moving past it. */
    int peekTag() {
        need(1);
        return bytes[position] & 0xff;
    }

    /** Moves past the next element, which must have tag {@code tag}, and returns it whole (tag and length too). */
    byte[] element(int tag) {
        int start = position;
        int contents = header(tag);
        position = contents + length;
        byte[] whole = new byte[position - start];
        System.arraycopy(bytes, start, whole, 0, whole.length);
        return whole;
    }

    /** Moves into the next element, which must have tag {@code tag}: a reader of its contents. */
    Der enter(int tag) {
        int contents = header(tag);
        position = contents + length;
        return new Der(bytes, contents, contents + length);
    }

    /** Reads the tag and length of the next element; returns where its contents start. */
    private int header(int tag) {
        need(2);
        if ((bytes[position] & 0xff) != tag) {
            throw new IllegalArgumentException(String.format("DER tag 0x%02x where 0x%02x was expected",
                    bytes[position] & 0xff, tag));
        }
        int first = bytes[position + 1] & 0xff;
        int at = position + 2;
        if (first < 0x80) {
            length = first;
        } else {
            int count = first & 0x7f;
            if (count == 0 || count > 3) {
                throw new IllegalArgumentException("a DER length of " + count + " bytes");
            }
            length = 0;
            for (int i = 0; i < count; i++) {
                if (at >= end) {
                    throw new IllegalArgumentException("a DER length cut short");
                }
                length = length << 8 | bytes[at++] & 0xff;
            }
        }
        if (length > end - at) {
            throw new IllegalArgumentException("a DER value longer than what holds it");
        }
        return at;
    }

    private void need(int n) {
        if (end - position < n) {
            throw new IllegalArgumentException("a DER value cut short");
        }
    }

    /** The PKCS#8 PrivateKeyInfo of a key whose algorithm identifier's contents are {@code algorithm}. */
    static byte[] privateKeyInfo(byte[] algorithm, byte[] key) {
        return tagged(SEQUENCE, concat(new byte[] {INTEGER, 1, 0}, tagged(SEQUENCE, algorithm),
                tagged(OCTET_STRING, key)));
    }

    static byte[] tagged(int tag, byte[] contents) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(contents.length + 6);
        out.write(tag);
        int n = contents.length;
        if (n < 0x80) {
            out.write(n);
        } else if (n < 0x100) {
            out.write(0x81);
            out.write(n);
        } else if (n < 0x10000) {
            out.write(0x82);
            out.write(n >> 8);
            out.write(n);
        } else {
            out.write(0x83);
            out.write(n >> 16);
            out.write(n >> 8);
            out.write(n);
        }
        out.writeBytes(contents);
        return out.toByteArray();
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
