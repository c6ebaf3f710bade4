package dev.sluice.internal.http;

import static dev.sluice.internal.http.Wire.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Heads that would let two hops disagree on where a request ends, or that nginx refuses, each with the exact status
 * the client gets. Every case is also fed split at every byte, which must not change the answer.
 */
class RequestSmugglingTest {

    private static final String GET = "GET / HTTP/1.1\r\nHost: a\r\n";
    private static final String POST = "POST / HTTP/1.1\r\nHost: a\r\n";

    static Stream<Arguments> refusedHeads() {
        return Stream.of(
                // Content-Length and Transfer-Encoding together, in either order.
                refused("contentLengthWithTransferEncoding", 400,
                        POST + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"),
                refused("transferEncodingWithContentLength", 400,
                        POST + "Transfer-Encoding: chunked\r\nContent-Length: 0\r\n\r\n"),
                refused("contentLengthWithUnknownTransferEncoding", 400,
                        POST + "Content-Length: 5\r\nTransfer-Encoding: gzip\r\n\r\n"),
                // Transfer-Encoding whose final coding is not chunked: the length is unknowable (RFC 9112 §6.3).
                refused("chunkedThenIdentity", 400, POST + "Transfer-Encoding: chunked, identity\r\n\r\n"),
                refused("identityAlone", 400, POST + "Transfer-Encoding: identity\r\n\r\n"),
                refused("gzipAlone", 400, POST + "Transfer-Encoding: gzip\r\n\r\n"),
                refused("chunkedLookalike", 400, POST + "Transfer-Encoding: xchunked\r\n\r\n"),
                refused("chunkedWithParameter", 400, POST + "Transfer-Encoding: chunked;q=1\r\n\r\n"),
                refused("emptyTransferEncoding", 400, POST + "Transfer-Encoding:\r\n\r\n"),
                refused("chunkedTwice", 400, POST + "Transfer-Encoding: chunked, chunked\r\n\r\n"),
                // Final coding chunked, but with codings nginx does not implement: nginx's 501.
                refused("gzipThenChunked", 501, POST + "Transfer-Encoding: gzip, chunked\r\n\r\n"),
                refused("chunkedWithTrailingComma", 501, POST + "Transfer-Encoding: chunked,\r\n\r\n"),
                refused("transferEncodingTwice", 400,
                        POST + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n"),
                refused("transferEncodingSplitOverTwoLines", 400,
                        POST + "Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n"),
                refused("transferEncodingInHttp10", 400,
                        "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n"),
                // Whitespace between name and colon.
                refused("spaceBeforeColon", 400, POST + "Transfer-Encoding : chunked\r\n\r\n"),
                refused("tabBeforeColon", 400, POST + "Transfer-Encoding\t: chunked\r\n\r\n"),
                refused("spaceBeforeColonInContentLength", 400, POST + "Content-Length : 5\r\n\r\n"),
                // Malformed Content-Length.
                refused("contentLengthWithPlusSign", 400, POST + "Content-Length: +5\r\n\r\n"),
                refused("negativeContentLength", 400, POST + "Content-Length: -1\r\n\r\n"),
                refused("contentLengthList", 400, POST + "Content-Length: 5, 6\r\n\r\n"),
                refused("contentLengthListOfEqualValues", 400, POST + "Content-Length: 5, 5\r\n\r\n"),
                refused("contentLengthWithInnerSpace", 400, POST + "Content-Length: 1 0\r\n\r\n"),
                refused("hexContentLength", 400, POST + "Content-Length: 0x5\r\n\r\n"),
                refused("decimalPointContentLength", 400, POST + "Content-Length: 5.0\r\n\r\n"),
                refused("emptyContentLength", 400, POST + "Content-Length:\r\n\r\n"),
                refused("contentLengthBeyond63Bits", 400, POST + "Content-Length: 9223372036854775808\r\n\r\n"),
                refused("hugeContentLength", 400, POST + "Content-Length: 99999999999999999999999\r\n\r\n"),
                refused("twoContentLengths", 400, POST + "Content-Length: 5\r\nContent-Length: 6\r\n\r\n"),
                refused("twoEqualContentLengths", 400, POST + "Content-Length: 5\r\nContent-Length: 5\r\n\r\n"),
                refused("twoContentLengthsInOtherCase", 400,
                        POST + "content-length: 5\r\nCONTENT-LENGTH: 5\r\n\r\n"),
                // Line structure.
                refused("obsFold", 400, GET + "X-A: b\r\n c\r\n\r\n"),
                refused("obsFoldWithTab", 400, GET + "X-A: b\r\n\tc\r\n\r\n"),
                refused("whitespaceBeforeFirstField", 400, "GET / HTTP/1.1\r\n Host: a\r\n\r\n"),
                refused("obsFoldHidingTransferEncoding", 400,
                        POST + "X-A: b\r\n Transfer-Encoding: chunked\r\n\r\n"),
                refused("bareLfAfterRequestLine", 400, "GET / HTTP/1.1\nHost: a\r\n\r\n"),
                refused("bareLfAfterField", 400, GET + "X-A: b\n\r\n"),
                refused("bareLfEndingHead", 400, GET + "\n"),
                refused("bareLfBeforeRequestLine", 400, "\nGET / HTTP/1.1\r\nHost: a\r\n\r\n"),
                refused("bareCrInValue", 400, GET + "X-A: b\rc\r\n\r\n"),
                refused("crBeforeCrLf", 400, GET + "X-A: b\r\r\n\r\n"),
                refused("bareCrEndingRequestLine", 400, "GET / HTTP/1.1\r\rHost: a\r\n\r\n"),
                // Bytes a value must not hold.
                refused("nulInValue", 400, GET + "X-A: b\u0000c\r\n\r\n"),
                refused("escapeInValue", 400, GET + "X-A: \u001b[31m\r\n\r\n"),
                refused("delInValue", 400, GET + "X-A: b\u007f\r\n\r\n"),
                refused("verticalTabInValue", 400, GET + "X-A: b\u000bc\r\n\r\n"),
                // Field names.
                refused("emptyFieldName", 400, GET + ": b\r\n\r\n"),
                refused("fieldNameWithParenthesis", 400, GET + "X(A): b\r\n\r\n"),
                refused("fieldNameWithNonAscii", 400, GET + "X-\u00e9: b\r\n\r\n"),
                refused("fieldLineWithoutColon", 400, GET + "X-A b\r\n\r\n"),
                refused("fieldNameWithNul", 400, GET + "X\u0000A: b\r\n\r\n"),
                // Host.
                refused("missingHostInHttp11", 400, "GET / HTTP/1.1\r\n\r\n"),
                refused("twoHosts", 400, GET + "Host: b\r\n\r\n"),
                refused("twoEqualHosts", 400, GET + "host: a\r\n\r\n"),
                refused("hostWithSpace", 400, "GET / HTTP/1.1\r\nHost: a b\r\n\r\n"),
                refused("hostWithPath", 400, "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n"),
                refused("hostWithUserinfo", 400, "GET / HTTP/1.1\r\nHost: user@a\r\n\r\n"),
                refused("hostWithDoubleDot", 400, "GET / HTTP/1.1\r\nHost: a..b\r\n\r\n"),
                refused("hostWithBadPort", 400, "GET / HTTP/1.1\r\nHost: a:65536\r\n\r\n"),
                refused("emptyHostInHttp11", 400, "GET / HTTP/1.1\r\nHost:\r\n\r\n"),
                refused("unclosedIpLiteralHost", 400, "GET / HTTP/1.1\r\nHost: [::1\r\n\r\n"),
                refused("invalidHostInHttp10", 400, "GET / HTTP/1.0\r\nHost: a b\r\n\r\n"),
                // Expect may appear once, as in nginx.
                refused("twoExpects", 400, POST + "Expect: 100-continue\r\nExpect: 100-continue\r\n\r\n"),
                // Version.
                refused("lowerCaseMethod", 400, "post / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n"),
                refused("http2RequestLine", 505, "GET / HTTP/2.0\r\nHost: a\r\n\r\n"),
                refused("http09RequestLine", 400, "GET /\r\n\r\n"));
    }

    private static Arguments refused(String name, int status, String raw) {
        return Arguments.of(name, status, raw);
    }

    @ParameterizedTest(name = "{0} is refused with {1}")
    @MethodSource("refusedHeads")
    void smugglingAttemptIsRefusedWithNginxStatus(String name, int status, String raw) {
        Wire.Outcome outcome = Wire.sameAtEverySplit(Wire.requests(new RequestParser()), bytes(raw));

        assertEquals(ParseResult.ERROR, outcome.result(), name);
        assertEquals(status, outcome.status(), () -> name + ": " + outcome.head());
    }
}
