package dev.sluice.internal.http;

import static dev.sluice.internal.http.Wire.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class ResponseParserTest {

    private final ResponseParser parser = new ResponseParser();

    private ResponseHead parse(String raw, boolean headRequest) {
        parser.reset(headRequest);
        assertEquals(ParseResult.DONE, parser.parse(ByteBuffer.wrap(bytes(raw))), () -> parser.errorReason());
        return parser.head();
    }

    private ResponseHead parse(String raw) {
        return parse(raw, false);
    }

    @Test
    void statusLineAndFieldsAreParsed() {
        ResponseHead head = parse(Samples.UPSTREAM_RESPONSE);

        assertEquals(HttpVersion.HTTP_1_1, head.version());
        assertEquals(200, head.status());
        assertEquals("OK", head.reason());
        assertEquals(6, head.fields().size());
        assertEquals("text/html; charset=utf-8", head.fields().get("content-type"));
        assertEquals(BodyFraming.CONTENT_LENGTH, head.bodyFraming());
        assertEquals(1234, head.contentLength());
        assertTrue(head.isReusable());
        assertFalse(head.isConnectionClose());
        assertEquals(Samples.UPSTREAM_RESPONSE.length(), head.headLength());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "HTTP/1.1 404 Not Found     | 404 | Not Found",
        "HTTP/1.1 200               | 200 | ''",
        "HTTP/1.1 599 Whatever Else | 599 | Whatever Else",
        "HTTP/1.1 100 Continue      | 100 | Continue",
    })
    void reasonPhraseMayBeAnythingOrNothing(String line, int status, String reason) {
        ResponseHead head = parse(line + "\r\n\r\n");

        assertEquals(status, head.status());
        assertEquals(reason, head.reason());
    }

    @Test
    void emptyReasonAfterTheSpaceIsAccepted() {
        assertEquals("", parse("HTTP/1.1 204 \r\n\r\n").reason());
    }

    @Test
    void reasonWithObsoleteTextIsKept() {
        assertEquals("D\u00e9j\u00e0 vu\tok", parse("HTTP/1.1 200 D\u00e9j\u00e0 vu\tok\r\n\r\n").reason());
    }

    static Stream<Arguments> framing() {
        return Stream.of(
                framed("headRequestHasNoBody", true, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n",
                        BodyFraming.NONE, 10),
                framed("headRequestWithChunkedHasNoBody", true,
                        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", BodyFraming.NONE, -1),
                framed("noContentHasNoBody", false, "HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\n",
                        BodyFraming.NONE, 10),
                framed("notModifiedHasNoBody", false, "HTTP/1.1 304 Not Modified\r\nContent-Length: 99\r\n\r\n",
                        BodyFraming.NONE, 99),
                framed("continueHasNoBody", false, "HTTP/1.1 100 Continue\r\n\r\n", BodyFraming.NONE, -1),
                framed("earlyHintsHaveNoBody", false, "HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n",
                        BodyFraming.NONE, -1),
                framed("switchingProtocolsHasNoBody", false,
                        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n",
                        BodyFraming.NONE, -1),
                framed("chunkedBody", false, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
                        BodyFraming.CHUNKED, -1),
                framed("chunkedInAnyCase", false, "HTTP/1.1 200 OK\r\nTransfer-Encoding: ChUnKeD\r\n\r\n",
                        BodyFraming.CHUNKED, -1),
                framed("contentLengthBody", false, "HTTP/1.1 200 OK\r\nContent-Length: 42\r\n\r\n",
                        BodyFraming.CONTENT_LENGTH, 42),
                framed("emptyContentLengthBody", false, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
                        BodyFraming.CONTENT_LENGTH, 0),
                framed("errorWithContentLength", false, "HTTP/1.1 500 Oops\r\nContent-Length: 3\r\n\r\n",
                        BodyFraming.CONTENT_LENGTH, 3),
                framed("closeDelimitedBody", false, "HTTP/1.1 200 OK\r\n\r\n", BodyFraming.UNTIL_CLOSE, -1),
                framed("closeDelimitedHttp10Body", false, "HTTP/1.0 200 OK\r\n\r\n", BodyFraming.UNTIL_CLOSE, -1),
                framed("headRequestWithoutLengthHasNoBody", true, "HTTP/1.1 200 OK\r\n\r\n", BodyFraming.NONE, -1));
    }

    private static Arguments framed(String name, boolean head, String raw, BodyFraming framing, long length) {
        return Arguments.of(name, head, raw, framing, length);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("framing")
    void bodyFramingFollowsRfc9112(String name, boolean headRequest, String raw, BodyFraming framing, long length) {
        Wire.Outcome outcome = Wire.sameAtEverySplit(Wire.responses(parser, headRequest), bytes(raw + "body"));

        assertEquals(ParseResult.DONE, outcome.result(), () -> outcome.head());
        assertEquals(raw.length(), outcome.consumed());
        assertEquals(framing, parser.head().bodyFraming());
        assertEquals(length, parser.head().contentLength());
    }

    static Stream<Arguments> invalidHeads() {
        String ok = "HTTP/1.1 200 OK\r\n";
        return Stream.of(
                invalid(ok + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
                        "Content-Length and Transfer-Encoding together"),
                invalid(ok + "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n",
                        "Content-Length and Transfer-Encoding together"),
                invalid(ok + "Content-Length: 5\r\nContent-Length: 6\r\n\r\n", "duplicate Content-Length"),
                invalid(ok + "Content-Length: 5\r\nContent-Length: 5\r\n\r\n", "duplicate Content-Length"),
                invalid(ok + "Content-Length: 5, 5\r\n\r\n", "invalid Content-Length"),
                invalid(ok + "Content-Length: -5\r\n\r\n", "invalid Content-Length"),
                invalid(ok + "Transfer-Encoding: gzip\r\n\r\n", "unknown Transfer-Encoding"),
                invalid(ok + "Transfer-Encoding: gzip, chunked\r\n\r\n", "unknown Transfer-Encoding"),
                invalid(ok + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
                        "duplicate Transfer-Encoding"),
                invalid(ok + "X-A: b\r\n c\r\n\r\n", "obsolete line folding"),
                invalid(ok + "X-A: b\u0000\r\n\r\n", "forbidden byte in field value"),
                invalid(ok + "X-A : b\r\n\r\n", "whitespace between field name and colon"),
                invalid(ok + "X-A: b\n\r\n", "line ends in LF without CR"),
                invalid("HTTP/1.1 200 OK\n\r\n", "line ends in LF without CR"),
                invalid("HTTP/1.0 100 Continue\r\n\r\n", "1xx response in HTTP/1.0"),
                invalid("HTTP/1.0 103 Early Hints\r\n\r\n", "1xx response in HTTP/1.0"),
                invalid("HTTP/1.1 099 Low\r\n\r\n", "status code outside 100-599"),
                invalid("HTTP/1.1 600 High\r\n\r\n", "status code outside 100-599"),
                invalid("HTTP/1.1 20 OK\r\n\r\n", "malformed status line"),
                invalid("HTTP/1.1 2000 OK\r\n\r\n", "malformed status line"),
                invalid("HTTP/1.1 20x OK\r\n\r\n", "malformed status line"),
                invalid("HTTP/1.1  200 OK\r\n\r\n", "malformed status line"),
                invalid("HTTP/1.1 200\tOK\r\n\r\n", "malformed status line"),
                invalid("HTTP/1.1 200 O\u0000K\r\n\r\n", "malformed status line"),
                invalid("HTTP/2 200 OK\r\n\r\n", "malformed status line"),
                invalid("HTTP/2.0 200 OK\r\n\r\n", "malformed status line"),
                invalid("http/1.1 200 OK\r\n\r\n", "malformed status line"),
                invalid("HTTP/1.1\r\n\r\n", "malformed status line"),
                invalid("\r\nHTTP/1.1 200 OK\r\n\r\n", "malformed status line"),
                invalid("<html>hello</html>\r\n\r\n", "malformed status line"));
    }

    private static Arguments invalid(String raw, String reason) {
        return Arguments.of(raw, reason);
    }

    @ParameterizedTest
    @MethodSource("invalidHeads")
    void invalidUpstreamHeadIsA502(String raw, String reason) {
        Wire.Outcome outcome = Wire.sameAtEverySplit(Wire.responses(parser, false), bytes(raw));

        assertEquals(ParseResult.ERROR, outcome.result(), raw);
        assertEquals(502, outcome.status());
        assertEquals(reason, outcome.head(), raw);
    }

    @Test
    void headBeyondTheBufferSizeIsA502() {
        ResponseParser limited = new ResponseParser(HeadLimits.of(64, 64, 128));
        String raw = "HTTP/1.1 200 OK\r\n" + "X-A: 0123456789012345678901234567890123456789\r\n".repeat(3) + "\r\n";

        Wire.Outcome outcome = Wire.sameAtEverySplit(Wire.responses(limited, false), bytes(raw));

        assertEquals(502, outcome.status());
        assertEquals("upstream sent too big header", outcome.head());
    }

    @Test
    void defaultLimitIsNginxsFourKilobyteProxyBuffer() {
        String fits = "HTTP/1.1 200 OK\r\nX-A: " + "a".repeat(4096 - 17 - 7 - 2) + "\r\n\r\n";

        assertEquals(4096, fits.length());
        parse(fits);
        parser.reset(false);
        assertEquals(ParseResult.ERROR, parser.parse(ByteBuffer.wrap(bytes(fits.replace("X-A: ", "X-AB: ")))));
    }

    @Test
    void interimResponseIsItsOwnHeadAndTheFinalOneFollows() {
        ByteBuffer in = ByteBuffer.wrap(bytes("HTTP/1.1 100 Continue\r\n\r\n"
                + "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n"
                + "HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok"));
        parser.reset(false);

        assertEquals(ParseResult.DONE, parser.parse(in));
        assertTrue(parser.head().isInterim());
        assertEquals(100, parser.head().status());
        parser.nextHead();
        assertEquals(ParseResult.DONE, parser.parse(in));
        assertTrue(parser.head().isInterim());
        assertEquals("</style.css>; rel=preload", parser.head().fields().get("link"));
        parser.nextHead();
        assertEquals(ParseResult.DONE, parser.parse(in));
        assertFalse(parser.head().isInterim());
        assertEquals(201, parser.head().status());
        assertEquals(1, parser.head().fields().size());
        assertEquals("ok", Wire.text(in, in.position(), in.remaining()));
    }

    @Test
    void interimResponseKeepsTheHeadRequestRule() {
        ByteBuffer in = ByteBuffer.wrap(bytes("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n"));
        parser.reset(true);

        assertEquals(ParseResult.DONE, parser.parse(in));
        parser.nextHead();
        assertEquals(ParseResult.DONE, parser.parse(in));
        assertEquals(BodyFraming.NONE, parser.head().bodyFraming());
    }

    @Test
    void nextHeadAfterAFinalResponseIsAProgrammingError() {
        parse("HTTP/1.1 200 OK\r\n\r\n");

        assertThrows(IllegalStateException.class, parser::nextHead);
        assertThrows(IllegalStateException.class, () -> parser.parse(ByteBuffer.allocate(1)));
    }

    @Test
    void switchingProtocolsIsFinalAndNeverReusable() {
        ResponseHead head = parse("HTTP/1.1 101 Switching Protocols\r\nConnection: upgrade\r\nUpgrade: h2c\r\n\r\n");

        assertFalse(head.isInterim());
        assertTrue(head.isUpgrade());
        assertFalse(head.isReusable());
    }

    @ParameterizedTest(name = "{0} with Connection [{1}] closes: {2}")
    @CsvSource(delimiter = '|', value = {
        "HTTP/1.1 |                  | false",
        "HTTP/1.1 | close            | true",
        "HTTP/1.1 | CLOSE            | true",
        "HTTP/1.1 | keep-alive       | false",
        "HTTP/1.1 | Keep-Alive, Close| true",
        "HTTP/1.1 | x-closed-by-lb   | true",
        "HTTP/1.0 |                  | true",
        "HTTP/1.0 | keep-alive       | true",
    })
    void connectionCloseFollowsNginxsSubstringRule(String version, String connection, boolean close) {
        String field = connection == null ? "" : "Connection: " + connection + "\r\n";
        ResponseHead head = parse(version + " 200 OK\r\nContent-Length: 0\r\n" + field + "\r\n");

        assertEquals(close, head.isConnectionClose());
        assertEquals(!close, head.isReusable());
    }

    @Test
    void closeDelimitedResponseIsNotReusable() {
        assertFalse(parse("HTTP/1.1 200 OK\r\n\r\n").isReusable());
    }

    @Test
    void http10ChunkedResponseIsReadButNotReused() {
        ResponseHead head = parse("HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");

        assertEquals(BodyFraming.CHUNKED, head.bodyFraming());
        assertFalse(head.isReusable());
    }

    @ParameterizedTest(name = "Keep-Alive [{0}] gives timeout {1}, max {2}")
    @CsvSource(delimiter = '|', value = {
        "timeout=5, max=100          | 5  | 100",
        "max=7,timeout=60            | 60 | 7",
        "Timeout = 30                | 30 | -1",
        "timeout=\"15\"              | 15 | -1",
        "timeout=abc, max=-1         | -1 | -1",
        "timeout=, max               | -1 | -1",
        "timeouts=5, maximum=9       | -1 | -1",
        "timeout=99999999999999999999| -1 | -1",
    })
    void keepAliveParametersAreReadWhenValid(String value, long timeout, long max) {
        ResponseHead head = parse("HTTP/1.1 200 OK\r\nKeep-Alive: " + value + "\r\n\r\n");

        assertEquals(timeout, head.keepAliveTimeout());
        assertEquals(max, head.keepAliveMax());
    }

    @Test
    void keepAliveParametersAreMinusOneWithoutTheField() {
        ResponseHead head = parse("HTTP/1.1 200 OK\r\n\r\n");

        assertEquals(-1, head.keepAliveTimeout());
        assertEquals(-1, head.keepAliveMax());
    }

    @Test
    void keepAliveParametersMaySpanSeveralFields() {
        ResponseHead head = parse("HTTP/1.1 200 OK\r\nKeep-Alive: max=3\r\nkeep-alive: timeout=4\r\n\r\n");

        assertEquals(4, head.keepAliveTimeout());
        assertEquals(3, head.keepAliveMax());
    }

    @Test
    void connectionTokensOfAResponseNameItsHopByHopFields() {
        ResponseHead head = parse("HTTP/1.1 200 OK\r\nConnection: X-Backend-Id\r\nX-Backend-Id: 7\r\n\r\n");

        assertEquals(List.of("x-backend-id"), head.connectionTokens());
        assertTrue(head.isListedInConnection(1));
        assertFalse(head.isListedInConnection(0));
    }

    @Test
    void everySplitOfValidResponsesParsesAlike() {
        for (String raw : List.of(Samples.UPSTREAM_RESPONSE,
                "HTTP/1.1 100 Continue\r\n\r\n",
                "HTTP/1.0 404 Not Found\r\nConnection: close\r\n\r\n<html>")) {
            Wire.Outcome outcome = Wire.sameAtEverySplit(Wire.responses(parser, false), bytes(raw));
            assertEquals(ParseResult.DONE, outcome.result(), raw);
            assertEquals(raw.indexOf("\r\n\r\n") + 4, outcome.consumed());
        }
    }

    @Test
    void resetForgetsThePreviousResponse() {
        parse("HTTP/1.0 500 X\r\nContent-Length: 3\r\nConnection: close\r\n\r\n");
        ResponseHead head = parse("HTTP/1.1 200 OK\r\n\r\n", true);

        assertEquals(200, head.status());
        assertEquals(0, head.fields().size());
        assertEquals(-1, head.contentLength());
        assertFalse(head.isConnectionClose());
        assertEquals(BodyFraming.NONE, head.bodyFraming());
    }
}
