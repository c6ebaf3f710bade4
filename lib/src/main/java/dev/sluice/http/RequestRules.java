package dev.sluice.http;

/**
 * What a request's fields mean for framing, as nginx's {@code ngx_http_process_request_header()} decides it, with
 * RFC 9112 §6.3 where nginx is silent. Host, Content-Length, Transfer-Encoding and Expect may appear once; a
 * repeated Content-Length is refused even when both values are equal, as nginx does, though the RFC would allow it.
 */
final class RequestRules {

    private RequestRules() {
    }

    /** Records field {@code index} if it is one the head acts on; refuses repeats of the unique ones. */
    static Violation field(RequestHead head, HttpFields fields, int index) {
        byte[] buf = fields.buffer();
        switch (KnownField.of(buf, fields.nameStart(index), fields.nameEnd(index))) {
            case KnownField.HOST:
                if (head.hostIndex >= 0) {
                    return Violation.DUPLICATE_HOST;
                }
                head.hostIndex = index;
                return null;
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
            case KnownField.EXPECT:
                if (head.expectIndex >= 0) {
                    return Violation.DUPLICATE_EXPECT;
                }
                head.expectIndex = index;
                return null;
            case KnownField.CONNECTION:
                head.connectionFlags |= ConnectionOptions.flags(buf, fields.valueStart(index), fields.valueEnd(index));
                return null;
            case KnownField.UPGRADE:
                if (head.upgradeIndex < 0) {
                    head.upgradeIndex = index;
                }
                return null;
            default:
                return null;
        }
    }

    /** Checks the whole head once its final CRLF arrived and decides the body framing. */
    static Violation complete(RequestHead head, HttpFields fields) {
        byte[] buf = fields.buffer();
        int host = head.hostIndex;
        if (host < 0) {
            if (head.version == HttpVersion.HTTP_1_1) {
                return Violation.MISSING_HOST;
            }
        } else if (!HostCheck.isValid(buf, fields.valueStart(host), fields.valueEnd(host), false)) {
            return Violation.INVALID_HOST;
        }
        int cl = head.contentLengthIndex;
        if (cl >= 0) {
            head.contentLength = Framing.contentLength(buf, fields.valueStart(cl), fields.valueEnd(cl));
            if (head.contentLength < 0) {
                return Violation.INVALID_CONTENT_LENGTH;
            }
        }
        int te = head.transferEncodingIndex;
        if (te >= 0) {
            if (head.version == HttpVersion.HTTP_1_0) {
                return Violation.TRANSFER_ENCODING_IN_HTTP_1_0;
            }
            if (cl >= 0) {
                return Violation.CONTENT_LENGTH_WITH_TRANSFER_ENCODING;
            }
            int start = fields.valueStart(te);
            int end = fields.valueEnd(te);
            if (!Framing.isChunked(buf, start, end)) {
                return Framing.rejectRequestCoding(buf, start, end);
            }
            head.framing = BodyFraming.CHUNKED;
        } else if (cl >= 0) {
            head.framing = BodyFraming.CONTENT_LENGTH;
        }
        return null;
    }
}
