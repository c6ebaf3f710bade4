package dev.sluice.internal.http;

import java.util.List;
import java.util.Objects;

/**
 * What request and response heads have in common: version, fields, body framing, and the Connection field's
 * hop-by-hop list. Package-private: users see its methods through {@link RequestHead} and {@link ResponseHead}.
 */
abstract class MessageHead {

    final HttpFields fields;
    byte[] buf;
    HttpVersion version;
    int contentLengthIndex;
    int transferEncodingIndex;
    BodyFraming framing;
    long contentLength;
    int headLength;

    MessageHead(HttpFields fields) {
        this.fields = fields;
    }

    void clear() {
        version = null;
        contentLengthIndex = -1;
        transferEncodingIndex = -1;
        framing = BodyFraming.NONE;
        contentLength = -1;
        headLength = 0;
    }

    void bind(byte[] buffer) {
        this.buf = buffer;
    }

    /**
     * Records field {@code index} if it is Content-Length or Transfer-Encoding; either may appear only once, as
     * nginx requires of both clients and upstreams.
     */
    Violation framingField(int knownField, int index) {
        if (knownField == KnownField.CONTENT_LENGTH) {
            if (contentLengthIndex >= 0) {
                return Violation.DUPLICATE_CONTENT_LENGTH;
            }
            contentLengthIndex = index;
        } else if (knownField == KnownField.TRANSFER_ENCODING) {
            if (transferEncodingIndex >= 0) {
                return Violation.DUPLICATE_TRANSFER_ENCODING;
            }
            transferEncodingIndex = index;
        }
        return null;
    }

    /** Reads the Content-Length value, if any, into {@link #contentLength}; null if absent or valid. */
    Violation readContentLength() {
        int cl = contentLengthIndex;
        if (cl >= 0) {
            contentLength = Framing.contentLength(buf, fields.valueStart(cl), fields.valueEnd(cl));
            if (contentLength < 0) {
                return Violation.INVALID_CONTENT_LENGTH;
            }
        }
        return null;
    }

    /** HTTP/1.0 or HTTP/1.1 (1.2 to 1.9 count as 1.1). */
    public HttpVersion version() {
        return version;
    }

    /** Every field line, in order. */
    public HttpFields fields() {
        return fields;
    }

    /** How the body that follows the head is delimited. */
    public BodyFraming bodyFraming() {
        return framing;
    }

    /** The Content-Length value, or -1 when there is none. */
    public long contentLength() {
        return contentLength;
    }

    /** The tokens of every Connection field, lower-cased: extra hop-by-hop field names, plus options. */
    public List<String> connectionTokens() {
        return ConnectionOptions.tokens(fields);
    }

    /** Whether field {@code index} is named by a Connection token and so must not be forwarded. No allocation. */
    public boolean isListedInConnection(int index) {
        Objects.checkIndex(index, fields.size());
        return ConnectionOptions.lists(fields, index);
    }

    /** Bytes the head occupied on the wire, through its final CRLF. */
    public int headLength() {
        return headLength;
    }
}
