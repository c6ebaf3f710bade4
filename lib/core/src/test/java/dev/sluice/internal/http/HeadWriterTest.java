package dev.sluice.internal.http;

import static dev.sluice.internal.http.Wire.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HeadWriterTest {

    private final ByteBuffer out = ByteBuffer.allocate(4096);

    private String written() {
        return Wire.text(out, 0, out.position());
    }

    @Test
    void requestHeadIsWrittenAsHttp11() {
        HeadWriter.requestLine(out, "GET", "/a?b=c");
        HeadWriter.field(out, "Host", "backend:8080");
        HeadWriter.field(out, "Content-Length", 1234567890123L);
        HeadWriter.field(out, "X-Empty", "");
        HeadWriter.endHead(out);

        assertEquals("GET /a?b=c HTTP/1.1\r\nHost: backend:8080\r\nContent-Length: 1234567890123\r\n"
                + "X-Empty: \r\n\r\n", written());
    }

    @Test
    void writtenRequestHeadParsesBack() {
        HeadWriter.requestLine(out, "POST", "/upload");
        HeadWriter.field(out, "Host", "h");
        HeadWriter.field(out, "Content-Length", 0);
        HeadWriter.endHead(out);
        RequestParser parser = new RequestParser();

        assertEquals(ParseResult.DONE, parser.parse(out.flip()));
        assertEquals("POST", parser.head().method());
        assertEquals(0, parser.head().contentLength());
    }

    @Test
    void parsedRequestLineIsForwardedAsHttp11() {
        RequestParser parser = new RequestParser();
        parser.parse(ByteBuffer.wrap(bytes("PROPFIND /dav/a%20b?x=1 HTTP/1.0\r\n\r\n")));

        HeadWriter.requestLine(out, parser.head());

        assertEquals("PROPFIND /dav/a%20b?x=1 HTTP/1.1\r\n", written());
    }

    @Test
    void parsedFieldsAreCopiedByteForByte() {
        RequestParser parser = new RequestParser();
        parser.parse(ByteBuffer.wrap(bytes("GET / HTTP/1.1\r\nhOST:   a  \r\nX-Name:  caf\u00e9 \r\n\r\n")));
        HttpFields fields = parser.head().fields();

        HeadWriter.copyField(out, fields, 0);
        HeadWriter.copyField(out, fields, 1);

        assertEquals("hOST: a\r\nX-Name: caf\u00e9\r\n", written());
    }

    @Test
    void statusLineCarriesTheReasonPhrase() {
        HeadWriter.statusLine(out, 502);
        HeadWriter.statusLine(out, 299);
        HeadWriter.statusLine(out, 200, "Fine");

        assertEquals("HTTP/1.1 502 Bad Gateway\r\nHTTP/1.1 299 \r\nHTTP/1.1 200 Fine\r\n", written());
    }

    @Test
    void upstreamStatusLineIsForwardedWithItsOwnReason() {
        ResponseParser parser = new ResponseParser();
        parser.parse(ByteBuffer.wrap(bytes("HTTP/1.0 404 Nothing Here\r\n\r\n")));

        HeadWriter.statusLine(out, parser.head());

        assertEquals("HTTP/1.1 404 Nothing Here\r\n", written());
    }

    @Test
    void errorResponseLooksLikeNginxsAndDeclaresItsLength() {
        HeadWriter.errorResponse(out, 502, false);
        out.flip();
        ResponseParser parser = new ResponseParser();

        assertEquals(ParseResult.DONE, parser.parse(out));
        ResponseHead head = parser.head();
        assertEquals(502, head.status());
        assertEquals("text/html", head.fields().get("content-type"));
        assertEquals("close", head.fields().get("connection"));
        assertEquals(out.remaining(), head.contentLength());
        assertEquals(HeadWriter.errorPageLength(502), out.remaining());
        assertEquals("<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
                + "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>sluice</center>\r\n</body>\r\n</html>\r\n",
                Wire.text(out, out.position(), out.remaining()));
    }

    @Test
    void keepAliveErrorResponseSaysSo() {
        HeadWriter.errorResponse(out, HttpStatus.HEADER_TOO_LARGE, true);

        String text = written();
        assertTrue(text.startsWith("HTTP/1.1 431 Request Header Fields Too Large\r\n"));
        assertTrue(text.contains("\r\nConnection: keep-alive\r\n"));
    }

    @Test
    void simpleResponseCarriesItsBodyAndLeavesTheSourceUntouched() {
        ByteBuffer body = ByteBuffer.wrap(bytes("{\"ok\":true}"));

        HeadWriter.simpleResponse(out, 200, "application/json", body, true);

        assertEquals("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n"
                + "Connection: keep-alive\r\n\r\n{\"ok\":true}", written());
        assertEquals(0, body.position());
    }

    @Test
    void simpleResponseWithoutContentTypeOrBody() {
        HeadWriter.simpleResponse(out, 204, null, ByteBuffer.allocate(0), false);

        assertEquals("HTTP/1.1 204 No Content\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", written());
    }

    @Test
    void simpleResponseThatDoesNotFitWritesNothing() {
        ByteBuffer small = ByteBuffer.allocate(80);

        assertThrows(BufferOverflowException.class,
                () -> HeadWriter.simpleResponse(small, 200, "text/plain", ByteBuffer.allocate(40), true));
        assertThrows(IllegalArgumentException.class,
                () -> HeadWriter.simpleResponse(small, 200, "text/plain\r\nX: y", ByteBuffer.allocate(0), true));
        assertEquals(0, small.position());
    }

    @ParameterizedTest
    @ValueSource(strings = {"a\r\nX-Injected: 1", "a\nb", "a\rb", "a\u0000b", "a\u007fb", " a", "a\t", "\u0100"})
    void valuesThatCouldBreakTheHeadAreRefused(String value) {
        assertThrows(IllegalArgumentException.class, () -> HeadWriter.field(out, "X-A", value));
        assertEquals(0, out.position());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "X A", "X:A", "X\r\nA", "X\u00e9"})
    void namesThatAreNotTokensAreRefused(String name) {
        assertThrows(IllegalArgumentException.class, () -> HeadWriter.field(out, name, "v"));
        assertEquals(0, out.position());
    }

    @Test
    void requestLinePartsAreChecked() {
        assertThrows(IllegalArgumentException.class, () -> HeadWriter.requestLine(out, "GE T", "/"));
        assertThrows(IllegalArgumentException.class, () -> HeadWriter.requestLine(out, "GET", "/a b"));
        assertThrows(IllegalArgumentException.class, () -> HeadWriter.requestLine(out, "GET", "/a\r\n"));
        assertThrows(IllegalArgumentException.class, () -> HeadWriter.requestLine(out, "GET", ""));
        assertThrows(IllegalArgumentException.class, () -> HeadWriter.statusLine(out, 200, "OK\r\nX: y"));
        assertThrows(IllegalArgumentException.class, () -> HeadWriter.statusLine(out, 99));
        assertThrows(IllegalArgumentException.class, () -> HeadWriter.statusLine(out, 600));
        assertThrows(IllegalArgumentException.class, () -> HeadWriter.field(out, "Content-Length", -1));
        assertEquals(0, out.position());
    }

    @Test
    void aWriteThatDoesNotFitLeavesTheBufferUntouched() {
        ByteBuffer small = ByteBuffer.allocate(20);
        HeadWriter.field(small, "A", "b");
        int before = small.position();

        assertThrows(BufferOverflowException.class, () -> HeadWriter.field(small, "Host", "a-long-host-name"));
        assertThrows(BufferOverflowException.class, () -> HeadWriter.errorResponse(small, 400, false));
        assertThrows(BufferOverflowException.class, () -> HeadWriter.requestLine(small, "GET", "/abcdefgh"));
        assertEquals(before, small.position());
    }

    @Test
    void numbersAreWrittenWithoutPadding() {
        HeadWriter.field(out, "A", 0);
        HeadWriter.field(out, "B", 10);
        HeadWriter.field(out, "C", Long.MAX_VALUE);

        assertEquals("A: 0\r\nB: 10\r\nC: 9223372036854775807\r\n", written());
    }
}
