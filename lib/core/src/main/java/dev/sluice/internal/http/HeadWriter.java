package dev.sluice.internal.http;

import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * Writes message heads into a {@code ByteBuffer}: the request head the proxy sends upstream (always HTTP/1.1, as
 * nginx ≥ 1.29.7 sends by default) and the responses it makes itself — simple ones with a body, and nginx-style
 * error pages. Nothing
 * is allocated: characters are written one byte each (ISO-8859-1).
 *
 * <p>Every method checks its input before writing, so a value cannot smuggle a CR or LF into the head: a method or
 * field name must be a token, a target printable ASCII, a value free of control bytes but HTAB; otherwise an
 * {@code IllegalArgumentException} is thrown. Each call writes all of its bytes or, with a
 * {@code BufferOverflowException} and the buffer untouched, none.
 *
 * <pre>{@code
 * HeadWriter.requestLine(out, "GET", "/index.html");
 * HeadWriter.field(out, "Host", "backend");
 * HeadWriter.copyField(out, head.fields(), i);     // forward a client field without building Strings
 * HeadWriter.endHead(out);
 * }</pre>
 */
public final class HeadWriter {

    private static final byte[] CRLF = {'\r', '\n'};
    private static final String PAGE_HEAD = "<html>\r\n<head><title>";
    private static final String PAGE_TITLE_END = "</title></head>\r\n<body>\r\n<center><h1>";
    private static final String PAGE_TAIL = "</h1></center>\r\n<hr><center>sluice</center>\r\n</body>\r\n</html>\r\n";

    private HeadWriter() {
    }

    /** Writes {@code method SP target SP HTTP/1.1 CRLF}. */
    public static void requestLine(ByteBuffer dst, CharSequence method, CharSequence target) {
        int methodLength = checkToken(method, "method");
        int targetLength = target.length();
        if (targetLength == 0) {
            throw new IllegalArgumentException("target must not be empty");
        }
        for (int i = 0; i < targetLength; i++) {
            char c = target.charAt(i);
            if (c > 0x7f || !Ascii.isTargetChar((byte) c)) {
                throw new IllegalArgumentException("forbidden character in target at index " + i);
            }
        }
        ensure(dst, methodLength + 1 + targetLength + 1 + 8 + 2);
        putAscii(dst, method);
        dst.put(Ascii.SP);
        putAscii(dst, target);
        dst.put(Ascii.SP);
        putAscii(dst, "HTTP/1.1");
        dst.put(CRLF);
    }

    /**
     * Writes a parsed request's method and target, bytes as received, as {@code method SP target SP HTTP/1.1 CRLF}:
     * what nginx sends upstream when {@code proxy_pass} has no URI part. Builds no String.
     */
    public static void requestLine(ByteBuffer dst, RequestHead head) {
        requestLine(dst, head, HttpVersion.HTTP_1_1);
    }

    /** As {@link #requestLine(ByteBuffer, RequestHead)}, with the version sent upstream ({@code proxy_http_version}). */
    public static void requestLine(ByteBuffer dst, RequestHead head, HttpVersion version) {
        int methodLength = head.methodEnd() - head.methodStart();
        int targetLength = head.targetEnd() - head.targetStart();
        ensure(dst, methodLength + 1 + targetLength + 1 + 8 + 2);
        dst.put(head.buf, head.methodStart(), methodLength);
        dst.put(Ascii.SP);
        dst.put(head.buf, head.targetStart(), targetLength);
        dst.put(Ascii.SP);
        putAscii(dst, version.text());
        dst.put(CRLF);
    }

    /** Writes {@code HTTP/1.1 SSS Reason CRLF} with the reason phrase of {@link HttpStatus#reasonPhrase(int)}. */
    public static void statusLine(ByteBuffer dst, int status) {
        statusLine(dst, status, HttpStatus.reasonPhrase(status));
    }

    /** Writes {@code HTTP/1.1 SSS reason CRLF}; {@code status} must be 100-599. */
    public static void statusLine(ByteBuffer dst, int status, CharSequence reason) {
        checkStatus(status);
        int reasonLength = checkValue(reason, "reason");
        ensure(dst, 13 + reasonLength + 2);
        putAscii(dst, "HTTP/1.1 ");
        putDecimal(dst, status);
        dst.put(Ascii.SP);
        putAscii(dst, reason);
        dst.put(CRLF);
    }

    /** Writes the status line of a parsed upstream head as HTTP/1.1, keeping its status and reason bytes. */
    public static void statusLine(ByteBuffer dst, ResponseHead head) {
        int reasonLength = head.reasonEnd() - head.reasonStart();
        ensure(dst, 13 + reasonLength + 2);
        putAscii(dst, "HTTP/1.1 ");
        putDecimal(dst, head.status());
        dst.put(Ascii.SP);
        dst.put(head.buf, head.reasonStart(), reasonLength);
        dst.put(CRLF);
    }

    /** Writes {@code name: value CRLF}. */
    public static void field(ByteBuffer dst, CharSequence name, CharSequence value) {
        int nameLength = checkToken(name, "field name");
        int valueLength = checkValue(value, "field value");
        ensure(dst, nameLength + 2 + valueLength + 2);
        putAscii(dst, name);
        dst.put((byte) ':').put(Ascii.SP);
        putAscii(dst, value);
        dst.put(CRLF);
    }

    /** Writes the {@code Date} field of the current second ({@link HttpDate}). */
    public static void dateField(ByteBuffer dst) {
        byte[] line = HttpDate.line();
        ensure(dst, line.length);
        dst.put(line);
    }

    /** Writes {@code name: value CRLF} for a non-negative number, e.g. Content-Length, without building a String. */
    public static void field(ByteBuffer dst, CharSequence name, long value) {
        if (value < 0) {
            throw new IllegalArgumentException("field value must not be negative: " + value);
        }
        int nameLength = checkToken(name, "field name");
        ensure(dst, nameLength + 2 + decimalLength(value) + 2);
        putAscii(dst, name);
        dst.put((byte) ':').put(Ascii.SP);
        putDecimal(dst, value);
        dst.put(CRLF);
    }

    /** Copies field {@code index} of a parsed head as {@code name: value CRLF}, bytes as received. */
    public static void copyField(ByteBuffer dst, HttpFields fields, int index) {
        Objects.checkIndex(index, fields.size());
        int nameStart = fields.nameStart(index);
        int nameLength = fields.nameEnd(index) - nameStart;
        int valueStart = fields.valueStart(index);
        int valueLength = fields.valueEnd(index) - valueStart;
        ensure(dst, nameLength + 2 + valueLength + 2);
        dst.put(fields.buffer(), nameStart, nameLength);
        dst.put((byte) ':').put(Ascii.SP);
        dst.put(fields.buffer(), valueStart, valueLength);
        dst.put(CRLF);
    }

    /** Writes the empty line that ends a head. */
    public static void endHead(ByteBuffer dst) {
        ensure(dst, 2);
        dst.put(CRLF);
    }

    /** The length of the {@link #errorPage} body for {@code status}, for its Content-Length. */
    public static int errorPageLength(int status) {
        checkStatus(status);
        int title = 4 + HttpStatus.reasonPhrase(status).length();
        return PAGE_HEAD.length() + title + PAGE_TITLE_END.length() + title + PAGE_TAIL.length();
    }

    /** Writes the HTML body nginx sends for an error status ("400 Bad Request" in a title and a heading). */
    public static void errorPage(ByteBuffer dst, int status) {
        ensure(dst, errorPageLength(status));
        String reason = HttpStatus.reasonPhrase(status);
        putAscii(dst, PAGE_HEAD);
        putDecimal(dst, status);
        dst.put(Ascii.SP);
        putAscii(dst, reason);
        putAscii(dst, PAGE_TITLE_END);
        putDecimal(dst, status);
        dst.put(Ascii.SP);
        putAscii(dst, reason);
        putAscii(dst, PAGE_TAIL);
    }

    /**
     * Writes a whole error response as nginx builds one: status line, {@code Content-Type: text/html},
     * {@code Content-Length}, {@code Connection: keep-alive} or {@code close}, and the {@link #errorPage}. All or
     * nothing is written.
     */
    public static void errorResponse(ByteBuffer dst, int status, boolean keepAlive) {
        int body = errorPageLength(status);
        ensure(dst, simpleHeadLength(status, "text/html", body, keepAlive) + body);
        simpleHead(dst, status, "text/html", body, keepAlive);
        errorPage(dst, status);
    }

    /**
     * Writes a complete response: status line, {@code Content-Type} (unless null), {@code Content-Length},
     * {@code Connection: keep-alive} or {@code close}, then the remaining bytes of {@code body}, whose position is
     * left unchanged. All or nothing is written.
     */
    public static void simpleResponse(ByteBuffer dst, int status, CharSequence contentType, ByteBuffer body,
            boolean keepAlive) {
        int bodyLength = body.remaining();
        ensure(dst, simpleHeadLength(status, contentType, bodyLength, keepAlive) + bodyLength);
        simpleHead(dst, status, contentType, bodyLength, keepAlive);
        dst.put(dst.position(), body, body.position(), bodyLength);
        dst.position(dst.position() + bodyLength);
    }

    private static int simpleHeadLength(int status, CharSequence contentType, int bodyLength, boolean keepAlive) {
        checkStatus(status);
        int length = 13 + HttpStatus.reasonPhrase(status).length() + 2
                + "Content-Length: ".length() + decimalLength(bodyLength) + 2
                + (keepAlive ? "Connection: keep-alive\r\n" : "Connection: close\r\n").length()
                + 2;
        if (contentType != null) {
            length += "Content-Type: ".length() + checkValue(contentType, "content type") + 2;
        }
        return length;
    }

    private static void simpleHead(ByteBuffer dst, int status, CharSequence contentType, int bodyLength,
            boolean keepAlive) {
        statusLine(dst, status);
        if (contentType != null) {
            field(dst, "Content-Type", contentType);
        }
        field(dst, "Content-Length", bodyLength);
        field(dst, "Connection", keepAlive ? "keep-alive" : "close");
        endHead(dst);
    }

    private static void ensure(ByteBuffer dst, int length) {
        if (dst.remaining() < length) {
            throw new BufferOverflowException();
        }
    }

    private static void checkStatus(int status) {
        if (status < 100 || status > 599) {
            throw new IllegalArgumentException("status must be 100-599: " + status);
        }
    }

    private static int checkToken(CharSequence token, String what) {
        int length = token.length();
        if (length == 0) {
            throw new IllegalArgumentException(what + " must not be empty");
        }
        for (int i = 0; i < length; i++) {
            char c = token.charAt(i);
            if (c > 0x7f || !Ascii.isTchar((byte) c)) {
                throw new IllegalArgumentException(what + " is not a token: forbidden character at index " + i);
            }
        }
        return length;
    }

    private static int checkValue(CharSequence value, String what) {
        int length = value.length();
        for (int i = 0; i < length; i++) {
            char c = value.charAt(i);
            if (c > 0xff || !Ascii.isFieldValueChar((byte) c)) {
                throw new IllegalArgumentException(what + " holds a forbidden character at index " + i);
            }
        }
        if (length > 0 && (Ascii.isWhitespace((byte) value.charAt(0))
                || Ascii.isWhitespace((byte) value.charAt(length - 1)))) {
            throw new IllegalArgumentException(what + " must not start or end with whitespace");
        }
        return length;
    }

    private static void putAscii(ByteBuffer dst, CharSequence s) {
        for (int i = 0, n = s.length(); i < n; i++) {
            dst.put((byte) s.charAt(i));
        }
    }

    private static int decimalLength(long value) {
        int digits = 1;
        while (value >= 10) {
            value /= 10;
            digits++;
        }
        return digits;
    }

    private static void putDecimal(ByteBuffer dst, long value) {
        long divisor = 1;
        for (int i = decimalLength(value); i > 1; i--) {
            divisor *= 10;
        }
        for (; divisor > 0; divisor /= 10) {
            dst.put((byte) ('0' + (value / divisor) % 10));
        }
    }
}
