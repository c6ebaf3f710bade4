package dev.sluice.internal.http;

import static dev.sluice.internal.http.Wire.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RequestParserTest {

    private final RequestParser parser = new RequestParser();

    private RequestHead parse(String raw) {
        parser.reset();
        ByteBuffer in = ByteBuffer.wrap(bytes(raw));
        assertEquals(ParseResult.DONE, parser.parse(in), () -> String.valueOf(parser.errorReason()));
        return parser.head();
    }

    @Test
    void fieldNamesNginxCallsInvalidAreDroppedByDefaultAndKeptWhenAllowed() {
        String raw = "GET / HTTP/1.1\r\nX_Real_IP: 7\r\nHost: a\r\nX.Y: 1\r\nContent_Length: 5\r\nA-b9: 2\r\n\r\n";
        RequestHead head = parse(raw);
        assertEquals("[Host, A-b9]", List.of(head.fields().name(0), head.fields().name(1)).toString());
        assertEquals(2, head.fields().size());
        assertEquals(BodyFraming.NONE, head.bodyFraming());

        RequestParser underscores = new RequestParser(HeadLimits.REQUEST_DEFAULT, true, true);
        assertEquals(ParseResult.DONE, underscores.parse(ByteBuffer.wrap(bytes(raw))));
        assertEquals("7", underscores.head().fields().get("X_Real_IP"));
        assertEquals(null, underscores.head().fields().get("X.Y"));

        RequestParser keepAll = new RequestParser(HeadLimits.REQUEST_DEFAULT, false, false);
        assertEquals(ParseResult.DONE, keepAll.parse(ByteBuffer.wrap(bytes(raw))));
        assertEquals(5, keepAll.head().fields().size());
    }

    @Test
    void typicalBrowserRequestParsesIntoMethodTargetVersionAndFields() {
        RequestHead head = parse(Samples.BROWSER_REQUEST);

        assertSame("GET", head.method());
        assertEquals("/catalog/items?page=2&sort=price", head.target());
        assertEquals(TargetForm.ORIGIN, head.targetForm());
        assertEquals(HttpVersion.HTTP_1_1, head.version());
        assertEquals(10, head.fields().size());
        assertEquals("shop.example.com", head.host());
        assertEquals("Accept-Language", head.fields().name(3));
        assertEquals("en-GB,en;q=0.5", head.fields().value(3));
        assertEquals(BodyFraming.NONE, head.bodyFraming());
        assertEquals(-1, head.contentLength());
        assertFalse(head.hasBody());
        assertTrue(head.isKeepAlive());
        assertEquals(Samples.BROWSER_REQUEST.length(), head.headLength());
    }

    @Test
    void fieldNamesAreLookedUpIgnoringCase() {
        HttpFields fields = parse("GET / HTTP/1.1\r\nhOsT: a\r\nX-Custom-Thing: v\r\n\r\n").fields();

        assertEquals("v", fields.get("x-custom-thing"));
        assertEquals("v", fields.get("X-CUSTOM-THING"));
        assertEquals("hOsT", fields.name(0));
        assertTrue(fields.nameEquals(0, "Host"));
        assertTrue(fields.contains("HOST"));
        assertNull(fields.get("X-Custom-Thin"));
        assertEquals(-1, fields.indexOf("x-custom-thingy"));
    }

    @Test
    void namesThatDifferOnlyInPunctuationAreNotConfused() {
        // '^' | 0x20 == '~': a case fold by bit-twiddling would make these equal.
        RequestParser keepAll = new RequestParser(HeadLimits.REQUEST_DEFAULT, true, false);
        assertEquals(ParseResult.DONE, keepAll.parse(ByteBuffer.wrap(bytes("GET / HTTP/1.1\r\nHost: a\r\nX^: caret\r\n\r\n"))));
        HttpFields fields = keepAll.head().fields();

        assertEquals(-1, fields.indexOf("X~"));
        assertEquals("caret", fields.get("x^"));
    }

    @Test
    void optionalWhitespaceAroundValuesIsTrimmedButInnerWhitespaceKept() {
        HttpFields fields = parse("GET / HTTP/1.1\r\nHost:a\r\nX-A: \t one  two \t \r\nX-B:\r\nX-C:   \r\n\r\n")
                .fields();

        assertEquals("a", fields.get("host"));
        assertEquals("one  two", fields.get("x-a"));
        assertEquals("", fields.get("x-b"));
        assertEquals("", fields.get("x-c"));
    }

    @Test
    void repeatedFieldsStaySeparateAndInOrder() {
        HttpFields fields = parse("GET / HTTP/1.1\r\nHost: a\r\nAccept: x\r\nAccept: y\r\nCookie: c=1\r\n\r\n")
                .fields();

        assertEquals(List.of("x", "y"), fields.getAll("accept"));
        assertEquals(List.of(), fields.getAll("missing"));
        assertEquals(2, fields.indexOf("Accept", 2));
    }

    @Test
    void obsoleteTextInValuesIsKeptByteForByte() {
        RequestHead head = parse("GET / HTTP/1.1\r\nHost: a\r\nX-Name: caf\u00e9 \u00ff\r\n\r\n");

        assertEquals("caf\u00e9 \u00ff", head.fields().get("x-name"));
    }

    @Test
    void emptyLinesBeforeTheRequestLineAreIgnored() {
        RequestHead head = parse("\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n");

        assertEquals("/", head.target());
        assertEquals(4 + 27, head.headLength());
    }

    @Test
    void knownMethodsAreSharedConstantsAndUnknownOnesAreKeptVerbatim() {
        assertSame("DELETE", parse("DELETE /x HTTP/1.1\r\nHost: a\r\n\r\n").method());
        RequestHead head = parse("BREW /pot HTTP/1.1\r\nHost: a\r\n\r\n");
        assertEquals("BREW", head.method());
        assertTrue(head.isMethod("BREW"));
        assertFalse(head.isMethod("BRE"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"get", "Post", "GET1", "M.SEARCH", "GE~T"})
    void methodsOutsideNginxsAlphabetAre400(String method) {
        assertStatus(400, method + " / HTTP/1.1\r\nHost: a\r\n\r\n");
    }

    @Test
    void methodsMayHoldUnderscoresAndHyphens() {
        assertEquals("VERSION-CONTROL", parse("VERSION-CONTROL / HTTP/1.1\r\nHost: a\r\n\r\n").method());
        assertEquals("X_Y", parse("X_Y / HTTP/1.1\r\nHost: a\r\n\r\n").method());
    }

    @Test
    void originAndAbsoluteFormsAreRecognised() {
        assertEquals(TargetForm.ORIGIN, parse("GET /a?b HTTP/1.1\r\nHost: a\r\n\r\n").targetForm());
        RequestHead absolute = parse("GET http://example.com:8080/a?b HTTP/1.1\r\nHost: a\r\n\r\n");
        assertEquals(TargetForm.ABSOLUTE, absolute.targetForm());
        assertEquals("http://example.com:8080/a?b", absolute.target());
        assertEquals(TargetForm.ABSOLUTE, parse("GET https://[::1]?q HTTP/1.1\r\nHost: a\r\n\r\n").targetForm());
    }

    @Test
    void optionsAsteriskIs400AsNginxTakesNoAsteriskFormTarget() {
        assertStatus(400, "OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n");
        assertStatus(400, "OPTIONS * HTTP/1.1\r\nHost: a\r\nX-Long: " + "v".repeat(9000) + "\r\n\r\n");
    }

    @Test
    void connectIs405OnceTheHeadIsWellFormedAsNginxAnswersWithoutATunnel() {
        assertStatus(405, "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n");
        assertStatus(405, "CONNECT example.com:443 HTTP/1.0\r\n\r\n");
        assertStatus(405, "CONNECT example.com:443 HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\n");
        assertStatus(400, "CONNECT example.com:443 HTTP/1.1\r\n\r\n");
        assertStatus(400, "CONNECT example.com:443 HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n");
    }

    @Test
    void traceIs405AsNginxRefusesIt() {
        assertStatus(405, "TRACE / HTTP/1.1\r\nHost: a\r\n\r\n");
        assertStatus(405, "TRACE /x HTTP/1.0\r\n\r\n");
    }

    @Test
    void theTargetIsKeptAsSentAndItsPathNormalisedAsNginxUri() {
        RequestHead head = parse("GET /api/..//admin/./a%2Fb%20c?x=/.. HTTP/1.1\r\nHost: a\r\n\r\n");

        assertEquals("/api/..//admin/./a%2Fb%20c?x=/..", head.target());
        assertEquals("/admin/a/b%20c", path(head));
        assertTrue(head.pathStartsWith("/admin/a/b c"));
        assertFalse(head.pathStartsWith("/api"));
    }

    @Test
    void anAbsoluteFormTargetHasItsPathNormalisedAndAnEmptyOneIsTheRoot() {
        assertEquals("/b", path(parse("GET http://h:8080/a/../b?c HTTP/1.1\r\nHost: a\r\n\r\n")));
        assertEquals("/", path(parse("GET http://h?c HTTP/1.1\r\nHost: a\r\n\r\n")));
        assertEquals("/", path(parse("GET http://h HTTP/1.1\r\nHost: a\r\n\r\n")));
    }

    @Test
    void theNormalisedPathOfAnEarlierRequestDoesNotLeakIntoALaterOne() {
        parse("GET /" + "a".repeat(200) + " HTTP/1.1\r\nHost: a\r\n\r\n");

        assertEquals("/b", path(parse("GET /b HTTP/1.1\r\nHost: a\r\n\r\n")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/..", "/a/../..", "/%2e%2e/x", "/a/..%2F..", "/%zz", "/a%", "/a%2", "/a%00b",
        "http://h/../x", "http://h/%g1"})
    void aPathNginxRefusesIs400(String target) {
        assertStatus(400, "GET " + target + " HTTP/1.1\r\nHost: a\r\n\r\n");
    }

    @Test
    void http10WithoutHostIsAccepted() {
        RequestHead head = parse("GET / HTTP/1.0\r\n\r\n");

        assertEquals(HttpVersion.HTTP_1_0, head.version());
        assertNull(head.host());
    }

    @Test
    void higherMinorVersionsAreTreatedAsHttp11() {
        assertEquals(HttpVersion.HTTP_1_1, parse("GET / HTTP/1.7\r\nHost: a\r\n\r\n").version());
    }

    @Test
    void hostMayCarryPortIpLiteralOrTrailingDot() {
        assertEquals("a.example:8080", parse("GET / HTTP/1.1\r\nHost: a.example:8080\r\n\r\n").host());
        assertEquals("[::1]:80", parse("GET / HTTP/1.1\r\nHost: [::1]:80\r\n\r\n").host());
        assertEquals("example.com.", parse("GET / HTTP/1.1\r\nHost: example.com.\r\n\r\n").host());
    }

    @Test
    void parseStopsExactlyAtTheEndOfTheHead() {
        ByteBuffer in = ByteBuffer.wrap(bytes("POST /u HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhelloGET"));

        assertEquals(ParseResult.DONE, parser.parse(in));
        assertEquals("hello", Wire.text(in, in.position(), 5));
        assertEquals(5, parser.head().contentLength());
    }

    @Test
    void pipelinedRequestsInOneBufferParseOneAfterAnother() {
        ByteBuffer in = ByteBuffer.wrap(bytes(""
                + "GET /1 HTTP/1.1\r\nHost: a\r\n\r\n"
                + "POST /2 HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc"
                + "POST /3 HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nxyz\r\n0\r\n\r\n"
                + "\r\nDELETE /4 HTTP/1.1\r\nHost: a\r\n\r\n"));
        ContentLengthDecoder fixed = new ContentLengthDecoder();
        ChunkedDecoder chunked = new ChunkedDecoder();

        assertEquals(ParseResult.DONE, parser.parse(in));
        assertEquals("/1", parser.head().target());
        parser.reset();
        assertEquals(ParseResult.DONE, parser.parse(in));
        assertEquals("/2", parser.head().target());
        fixed.reset(parser.head().contentLength());
        assertEquals(ParseResult.DONE, fixed.scan(in));
        parser.reset();
        assertEquals(ParseResult.DONE, parser.parse(in));
        assertEquals("/3", parser.head().target());
        assertEquals(BodyFraming.CHUNKED, parser.head().bodyFraming());
        assertEquals(ParseResult.DONE, chunked.scan(in));
        parser.reset();
        assertEquals(ParseResult.DONE, parser.parse(in));
        assertEquals("/4", parser.head().target());
        assertFalse(in.hasRemaining());
    }

    @Test
    void everySplitOfValidRequestsParsesAlike() {
        RequestParser small = new RequestParser(HeadLimits.of(64, 64, 256));
        for (String raw : List.of(
                Samples.BROWSER_REQUEST,
                "\r\nPOST /a HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\n0123456789",
                "GET http://h/ HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET / HTTP/1.0\r\n\r\n",
                "PUT /x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: Chunked\r\nExpect: 100-continue\r\n\r\n")) {
            Wire.Outcome outcome = Wire.sameAtEverySplit(Wire.requests(parser), bytes(raw));
            assertEquals(ParseResult.DONE, outcome.result(), raw);
            assertEquals(raw.indexOf("\r\n\r\n", 2) + 4, outcome.consumed(), raw);
        }
        Wire.Outcome outcome = Wire.sameAtEverySplit(Wire.requests(small),
                bytes("GET / HTTP/1.1\r\nHost: h\r\n\r\n"));
        assertEquals(ParseResult.DONE, outcome.result());
    }

    @Test
    void headsLargerThanTheInitialBufferGrowIt() {
        StringBuilder raw = new StringBuilder("GET / HTTP/1.1\r\nHost: a\r\n");
        for (int i = 0; i < 40; i++) {
            raw.append("X-Field-").append(i).append(": ").append("v".repeat(500)).append("\r\n");
        }
        raw.append("\r\n");

        RequestHead head = parse(raw.toString());

        assertEquals(41, head.fields().size());
        assertEquals("v".repeat(500), head.fields().get("x-field-39"));
        assertEquals(raw.length(), head.headLength());
    }

    @Test
    void resetForgetsThePreviousRequest() {
        parse("POST /a HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nConnection: close\r\nX-Old: 1\r\n\r\n");
        RequestHead head = parse("GET /b HTTP/1.1\r\nHost: b\r\n\r\n");

        assertEquals("/b", head.target());
        assertEquals("b", head.host());
        assertEquals(1, head.fields().size());
        assertNull(head.fields().get("x-old"));
        assertEquals(-1, head.contentLength());
        assertEquals(BodyFraming.NONE, head.bodyFraming());
        assertTrue(head.isKeepAlive());
    }

    @Test
    void stringsBuiltForOneRequestAreNotServedForTheNext() {
        parse("GET /a HTTP/1.1\r\nHost: first\r\n\r\n").fields().value(0);
        assertEquals("second", parse("GET /a HTTP/1.1\r\nHost: second\r\n\r\n").fields().value(0));
    }

    @Test
    void parsingAgainWithoutResetIsAProgrammingError() {
        parse("GET / HTTP/1.1\r\nHost: a\r\n\r\n");

        assertThrows(IllegalStateException.class, () -> parser.parse(ByteBuffer.allocate(0)));
    }

    @Test
    void headIsUnavailableUntilDone() {
        parser.parse(ByteBuffer.wrap(bytes("GET / HTTP/1.1\r\n")));

        assertFalse(parser.isDone());
        assertThrows(IllegalStateException.class, parser::head);
        assertEquals(0, parser.errorStatus());
        assertNull(parser.errorReason());
    }

    @Test
    void anErrorIsStickyUntilReset() {
        assertEquals(ParseResult.ERROR, parser.parse(ByteBuffer.wrap(bytes("GET / HTTP/1.1\n"))));
        assertEquals(ParseResult.ERROR, parser.parse(ByteBuffer.wrap(bytes("Host: a\r\n\r\n"))));
        assertEquals(400, parser.errorStatus());
        assertEquals("line ends in LF without CR", parser.errorReason());

        parser.reset();
        assertEquals(ParseResult.DONE, parser.parse(ByteBuffer.wrap(bytes("GET / HTTP/1.1\r\nHost: a\r\n\r\n"))));
    }

    @Test
    void directBuffersParseLikeHeapBuffers() {
        byte[] raw = bytes(Samples.BROWSER_REQUEST + "next");
        ByteBuffer in = ByteBuffer.allocateDirect(raw.length).put(raw).flip();

        assertEquals(ParseResult.DONE, parser.parse(in));
        assertEquals(Samples.BROWSER_REQUEST.length(), in.position());
        assertEquals("shop.example.com", parser.head().host());
    }

    @ParameterizedTest
    @ValueSource(strings = {"HTTP/2.0", "HTTP/3.0", "HTTP/9.9"})
    void majorVersionsAboveOneAre505(String version) {
        assertStatus(505, "GET / " + version + "\r\nHost: a\r\n\r\n");
    }

    @ParameterizedTest
    @ValueSource(strings = {"HTTP/0.9", "HTTP/1.10", "HTTP/11", "HTTP/1", "HTTP/2", "http/1.1", "HTTP/1.1 ", "HTTP/a.b",
        "HTTP/1,1", "HTTX/1.1", ""})
    void malformedVersionsAre400(String version) {
        assertStatus(400, "GET / " + version + "\r\nHost: a\r\n\r\n");
    }

    @ParameterizedTest
    @ValueSource(strings = {"GET /\r\n", "GET  / HTTP/1.1\r\n", "GET /  HTTP/1.1\r\n", " GET / HTTP/1.1\r\n",
        "GET\t/ HTTP/1.1\r\n", "GET /\tHTTP/1.1\r\n", "GET\r\n", "G(T / HTTP/1.1\r\n", "GET /a b HTTP/1.1\r\n",
        "GET /a#frag HTTP/1.1\r\n", "GET /caf\u00e9 HTTP/1.1\r\n", "GET /\u0000 HTTP/1.1\r\n",
        "GET * HTTP/1.1\r\n", "CONNECT / HTTP/1.1\r\n", "CONNECT example.com HTTP/1.1\r\n",
        "GET example.com/a HTTP/1.1\r\n", "GET http:/a HTTP/1.1\r\n", "GET http:///a HTTP/1.1\r\n",
        "GET http://u@h/ HTTP/1.1\r\n", "GET 1http://h/ HTTP/1.1\r\n"})
    void malformedRequestLinesAre400(String requestLine) {
        assertStatus(400, requestLine + "Host: a\r\n\r\n");
    }

    @Test
    void requestLineAtItsLimitIsAcceptedAndOneByteMoreIs414() {
        RequestParser limited = new RequestParser(HeadLimits.of(64, 64, 256));
        String prefix = "GET /";
        String suffix = " HTTP/1.1\r\n";
        String fits = prefix + "a".repeat(64 - prefix.length() - suffix.length()) + suffix;
        String over = prefix + "a".repeat(65 - prefix.length() - suffix.length()) + suffix;

        assertEquals(64, fits.length());
        assertEquals(ParseResult.DONE,
                Wire.sameAtEverySplit(Wire.requests(limited), bytes(fits + "Host: a\r\n\r\n")).result());
        Wire.Outcome outcome = Wire.sameAtEverySplit(Wire.requests(limited), bytes(over + "Host: a\r\n\r\n"));
        assertEquals(414, outcome.status());
    }

    @Test
    void fieldLineAtItsLimitIsAcceptedAndOneByteMoreIs431() {
        RequestParser limited = new RequestParser(HeadLimits.of(64, 32, 256));
        String fits = "X-A: " + "v".repeat(32 - 7) + "\r\n";
        String over = "X-A: " + "v".repeat(33 - 7) + "\r\n";

        assertEquals(32, fits.length());
        assertEquals(ParseResult.DONE, Wire.sameAtEverySplit(Wire.requests(limited),
                bytes("GET / HTTP/1.1\r\nHost: a\r\n" + fits + "\r\n")).result());
        assertEquals(431, Wire.sameAtEverySplit(Wire.requests(limited),
                bytes("GET / HTTP/1.1\r\nHost: a\r\n" + over + "\r\n")).status());
    }

    @Test
    void headAtItsLimitIsAcceptedAndOneByteMoreIs431() {
        RequestParser limited = new RequestParser(HeadLimits.of(32, 32, 128));
        String start = "GET / HTTP/1.1\r\nHost: a\r\n";
        String filler = "X-Padding: " + "p".repeat(128 - start.length() - 13 - 2) + "\r\n";
        String fits = start + filler + "\r\n";
        String over = start + "X-Padding: " + "p".repeat(128 - start.length() - 13 - 2 + 1) + "\r\n\r\n";
        // Split the filler over lines short enough for the field-line limit.
        fits = fits.replace(filler, split(filler));
        over = over.replace(over.substring(start.length(), over.length() - 2),
                split(over.substring(start.length(), over.length() - 2)));

        assertEquals(128, fits.length());
        assertEquals(ParseResult.DONE, Wire.sameAtEverySplit(Wire.requests(limited), bytes(fits)).result());
        assertEquals(129, over.length());
        assertEquals(431, Wire.sameAtEverySplit(Wire.requests(limited), bytes(over)).status());
    }

    /** Rewrites one long "X-Padding: ppp...\r\n" line as several field lines of the same total length. */
    private static String split(String line) {
        int total = line.length();
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (total - out.length() > 30) {
            out.append("X-P").append(i++).append(": ").append("p".repeat(20)).append("\r\n");
        }
        int rest = total - out.length();
        out.append("X: ").append("p".repeat(rest - 5)).append("\r\n");
        return out.toString();
    }

    @Test
    void endlessRequestLineIsRefusedWithoutBufferingMoreThanTheLimit() {
        RequestParser limited = new RequestParser(HeadLimits.of(1024, 1024, 4096));
        ByteBuffer in = ByteBuffer.wrap(bytes("GET /" + "a".repeat(100_000)));

        assertEquals(ParseResult.ERROR, limited.parse(in));
        assertEquals(414, limited.errorStatus());
        assertTrue(in.position() <= 4096, "consumed " + in.position());
    }

    @Test
    void endlessFieldLineIs431() {
        RequestParser limited = new RequestParser(HeadLimits.of(1024, 1024, 4096));
        ByteBuffer in = ByteBuffer.wrap(bytes("GET / HTTP/1.1\r\nCookie: " + "a".repeat(100_000)));

        assertEquals(ParseResult.ERROR, limited.parse(in));
        assertEquals(HttpStatus.HEADER_TOO_LARGE, limited.errorStatus());
    }

    @Test
    void endlessEmptyLinesCountTowardsTheHeadLimit() {
        RequestParser limited = new RequestParser(HeadLimits.of(64, 64, 256));

        assertEquals(ParseResult.ERROR, limited.parse(ByteBuffer.wrap(bytes("\r\n".repeat(200)))));
        assertEquals(431, limited.errorStatus());
    }

    private static String path(RequestHead head) {
        StringBuilder sb = new StringBuilder();
        head.appendPath(sb);
        return sb.toString();
    }

    private void assertStatus(int status, String raw) {
        Wire.Outcome outcome = Wire.sameAtEverySplit(Wire.requests(parser), bytes(raw));
        assertEquals(ParseResult.ERROR, outcome.result(), raw);
        assertEquals(status, outcome.status(), () -> raw + " -> " + outcome.head());
    }
}
