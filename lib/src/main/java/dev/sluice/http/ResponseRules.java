package dev.sluice.http;

/**
 * What an upstream response's fields mean, as nginx's upstream and proxy modules decide it: a repeated
 * Content-Length or Transfer-Encoding, both together, a malformed Content-Length, or any Transfer-Encoding but
 * {@code chunked} make the header invalid (502). The body framing then follows RFC 9112 §6.3.
 */
final class ResponseRules {

    private ResponseRules() {
    }

    static Violation field(ResponseHead head, HttpFields fields, int index) {
        byte[] buf = fields.buffer();
        switch (KnownField.of(buf, fields.nameStart(index), fields.nameEnd(index))) {
            case KnownField.CONTENT_LENGTH:
                if (head.contentLengthIndex >= 0) {
                    return Violation.DUPLICATE_CONTENT_LENGTH;
                }
                head.contentLengthIndex = index;
                return null;
            case KnownField.TRANSFER_ENCODING:
                if (head.transferEncodingIndex >= 0) {
                    return Violation.DUPLICATE_TRANSFER_ENCODING;
                }
                head.transferEncodingIndex = index;
                return null;
            case KnownField.CONNECTION:
                // nginx: any Connection value containing "close", in any case, ends the connection's reuse.
                if (Ascii.containsIgnoreCase(buf, fields.valueStart(index), fields.valueEnd(index), "close")) {
                    head.connectionClose = true;
                }
                return null;
            default:
                return null;
        }
    }

    static Violation complete(ResponseHead head, HttpFields fields, boolean headRequest) {
        byte[] buf = fields.buffer();
        int status = head.status;
        if (status < 200 && head.version == HttpVersion.HTTP_1_0) {
            return Violation.INTERIM_IN_HTTP_1_0;
        }
        int cl = head.contentLengthIndex;
        int te = head.transferEncodingIndex;
        if (cl >= 0 && te >= 0) {
            return Violation.CONTENT_LENGTH_WITH_TRANSFER_ENCODING;
        }
        if (cl >= 0) {
            head.contentLength = Framing.contentLength(buf, fields.valueStart(cl), fields.valueEnd(cl));
            if (head.contentLength < 0) {
                return Violation.INVALID_CONTENT_LENGTH;
            }
        }
        if (te >= 0 && !Framing.isChunked(buf, fields.valueStart(te), fields.valueEnd(te))) {
            return Violation.UNSUPPORTED_TRANSFER_CODING;
        }
        if (head.version == HttpVersion.HTTP_1_0) {
            head.connectionClose = true;
        }
        if (headRequest || status < 200 || status == HttpStatus.NO_CONTENT || status == HttpStatus.NOT_MODIFIED) {
            head.framing = BodyFraming.NONE;
        } else if (te >= 0) {
            head.framing = BodyFraming.CHUNKED;
        } else if (cl >= 0) {
            head.framing = BodyFraming.CONTENT_LENGTH;
        } else {
            head.framing = BodyFraming.UNTIL_CLOSE;
        }
        return null;
    }
}
