package dev.sluice.internal.http;

/**
 * What an upstream response's lines mean, as nginx's upstream and proxy modules decide it: a repeated
 * Content-Length or Transfer-Encoding, both together, a malformed Content-Length, or any Transfer-Encoding but
 * {@code chunked} make the header invalid (502). The body framing then follows RFC 9112 §6.3.
 */
final class ResponseRules implements HeadReader.Rules {

    private final ResponseHead head;
    private boolean headRequest;

    ResponseRules(ResponseHead head) {
        this.head = head;
    }

    /** Whether the request was HEAD, whose response never has a body. */
    void headRequest(boolean value) {
        this.headRequest = value;
    }

    @Override
    public boolean skipsLeadingEmptyLines() {
        return false;
    }

    @Override
    public Violation startLine(byte[] buf, int start, int end) {
        return StatusLine.parse(buf, start, end, head);
    }

    @Override
    public Violation tooLarge(int scannerResult, boolean inStartLine) {
        return Violation.RESPONSE_HEAD_TOO_LARGE;
    }

    @Override
    public Violation field(int index) {
        HttpFields fields = head.fields;
        int known = KnownField.of(head.buf, fields.nameStart(index), fields.nameEnd(index));
        // nginx: any Connection value containing "close", in any case, ends the connection's reuse.
        if (known == KnownField.CONNECTION
                && Ascii.containsIgnoreCase(head.buf, fields.valueStart(index), fields.valueEnd(index), "close")) {
            head.connectionClose = true;
        }
        return head.framingField(known, index);
    }

    @Override
    public Violation complete() {
        int status = head.status;
        if (status < 200 && head.version == HttpVersion.HTTP_1_0) {
            return Violation.INTERIM_IN_HTTP_1_0; // nginx refuses 103 over HTTP/1.0; RFC 9110 §15.2 forbids any 1xx
        }
        int te = head.transferEncodingIndex;
        if (te >= 0 && head.contentLengthIndex >= 0) {
            return Violation.CONTENT_LENGTH_WITH_TRANSFER_ENCODING;
        }
        Violation v = head.readContentLength();
        if (v != null) {
            return v;
        }
        if (te >= 0 && !Framing.isChunked(head.buf, head.fields.valueStart(te), head.fields.valueEnd(te))) {
            return Violation.UNSUPPORTED_TRANSFER_CODING;
        }
        if (head.version == HttpVersion.HTTP_1_0) {
            head.connectionClose = true;
        }
        if (headRequest || status < 200 || status == HttpStatus.NO_CONTENT || status == HttpStatus.NOT_MODIFIED) {
            head.framing = BodyFraming.NONE;
        } else if (te >= 0) {
            head.framing = BodyFraming.CHUNKED;
        } else if (head.contentLengthIndex >= 0) {
            head.framing = BodyFraming.CONTENT_LENGTH;
        } else {
            head.framing = BodyFraming.UNTIL_CLOSE;
        }
        return null;
    }
}
