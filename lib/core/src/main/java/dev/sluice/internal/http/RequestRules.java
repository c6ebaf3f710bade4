package dev.sluice.internal.http;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a request's lines mean, as nginx's {@code ngx_http_process_request_header()} decides it, with RFC 9112 §6.3
 * where nginx is silent. Host, Content-Length, Transfer-Encoding and Expect may appear once; a repeated
 * Content-Length is refused even when both values are equal, as nginx does, though the RFC would allow it. A
 * CONNECT request with a well-formed head is refused last, with 405, as nginx does unless a module takes the tunnel
 * (nginx 1.29.3 and later; older releases refuse its host:port target with 400). A TRACE request is refused with 405
 * too, as nginx refuses it (its echo of the request would hand a script the client's credentials).
 */
final class RequestRules implements HeadReader.Rules {

    private static final Logger log = LoggerFactory.getLogger(RequestRules.class);

    private final RequestHead head;
    private final boolean underscoresInHeaders;
    private final boolean ignoreInvalidHeaders;

    RequestRules(RequestHead head, boolean underscoresInHeaders, boolean ignoreInvalidHeaders) {
        this.head = head;
        this.underscoresInHeaders = underscoresInHeaders;
        this.ignoreInvalidHeaders = ignoreInvalidHeaders;
    }

    @Override
    public boolean skipsLeadingEmptyLines() {
        return true; // as nginx does, and RFC 9112 §2.2 asks
    }

    @Override
    public Violation startLine(byte[] buf, int start, int end) {
        return RequestLine.parse(buf, start, end, head);
    }

    @Override
    public Violation tooLarge(int scannerResult, boolean inStartLine) {
        if (scannerResult == HeadScanner.LINE_TOO_LONG) {
            return inStartLine ? Violation.REQUEST_LINE_TOO_LONG : Violation.FIELD_LINE_TOO_LONG;
        }
        return Violation.HEAD_TOO_LARGE;
    }

    @Override
    public Violation field(int index) {
        HttpFields fields = head.fields;
        byte[] buf = head.buf;
        if (ignoreInvalidHeaders && !isValidName(buf, fields.nameStart(index), fields.nameEnd(index))) {
            if (log.isDebugEnabled()) {
                log.debug("client sent invalid header line: \"{}\", ignored", fields.name(index));
            }
            fields.removeLast();
            return null;
        }
        int known = KnownField.of(buf, fields.nameStart(index), fields.nameEnd(index));
        switch (known) {
            case KnownField.HOST:
                if (head.hostIndex >= 0) {
                    return Violation.DUPLICATE_HOST;
                }
                head.hostIndex = index;
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
                return head.framingField(known, index);
        }
    }

    /** nginx's valid field name: letters, digits, hyphens, and underscores when {@code underscores_in_headers}. */
    private boolean isValidName(byte[] buf, int start, int end) {
        for (int i = start; i < end; i++) {
            byte b = buf[i];
            if (!(b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '-'
                    || b == '_' && underscoresInHeaders)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public Violation complete() {
        HttpFields fields = head.fields;
        byte[] buf = head.buf;
        int host = head.hostIndex;
        if (host < 0) {
            if (head.version == HttpVersion.HTTP_1_1) {
                return Violation.MISSING_HOST;
            }
        } else if (!HostCheck.isValid(buf, fields.valueStart(host), fields.valueEnd(host), false)) {
            return Violation.INVALID_HOST;
        }
        Violation v = head.readContentLength();
        if (v != null) {
            return v;
        }
        int te = head.transferEncodingIndex;
        if (te >= 0) {
            if (head.version == HttpVersion.HTTP_1_0) {
                return Violation.TRANSFER_ENCODING_IN_HTTP_1_0;
            }
            if (head.contentLengthIndex >= 0) {
                return Violation.CONTENT_LENGTH_WITH_TRANSFER_ENCODING;
            }
            int start = fields.valueStart(te);
            int end = fields.valueEnd(te);
            if (!Framing.isChunked(buf, start, end)) {
                return Framing.rejectRequestCoding(buf, start, end);
            }
            head.framing = BodyFraming.CHUNKED;
        } else if (head.contentLengthIndex >= 0) {
            head.framing = BodyFraming.CONTENT_LENGTH;
        }
        if (head.targetForm == TargetForm.AUTHORITY) {
            return Violation.CONNECT_METHOD;
        }
        if (head.isMethod(Methods.TRACE)) {
            return Violation.TRACE_METHOD;
        }
        return null;
    }
}
