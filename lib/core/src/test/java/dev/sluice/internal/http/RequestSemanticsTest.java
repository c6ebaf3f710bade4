package dev.sluice.internal.http;

import static dev.sluice.internal.http.Wire.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RequestSemanticsTest {

    private final RequestParser parser = new RequestParser();

    private RequestHead parse(String raw) {
        parser.reset();
        assertEquals(ParseResult.DONE, parser.parse(ByteBuffer.wrap(bytes(raw))), () -> parser.errorReason());
        return parser.head();
    }

    private RequestHead request(String version, String fields) {
        return parse("POST / " + version + "\r\nHost: a\r\n" + fields + "\r\n");
    }

    @ParameterizedTest(name = "{0} with Connection [{1}] keeps alive: {2}")
    @CsvSource(delimiter = '|', value = {
        "HTTP/1.1 |                        | true",
        "HTTP/1.1 | close                  | false",
        "HTTP/1.1 | Close                  | false",
        "HTTP/1.1 | keep-alive, close      | false",
        "HTTP/1.1 | keep-alive             | true",
        "HTTP/1.1 | closed                 | true",
        "HTTP/1.1 | upgrade                | true",
        "HTTP/1.0 |                        | false",
        "HTTP/1.0 | keep-alive             | true",
        "HTTP/1.0 | Keep-Alive             | true",
        "HTTP/1.0 | keep-alive, close      | false",
        "HTTP/1.0 | te, keep-alive         | true",
    })
    void keepAliveFollowsVersionAndConnection(String version, String connection, boolean keepAlive) {
        String field = connection == null ? "" : "Connection: " + connection + "\r\n";

        assertEquals(keepAlive, request(version, field).isKeepAlive());
    }

    @Test
    void closeInAnyOfSeveralConnectionFieldsWins() {
        assertFalse(request("HTTP/1.1", "Connection: keep-alive\r\nConnection: close\r\n").isKeepAlive());
    }

    @ParameterizedTest(name = "{0} Expect [{1}] waits for 100: {2}")
    @CsvSource(delimiter = '|', value = {
        "HTTP/1.1 | 100-continue | true",
        "HTTP/1.1 | 100-Continue | true",
        "HTTP/1.1 | 100-continued| false",
        "HTTP/1.1 | something    | false",
        "HTTP/1.0 | 100-continue | false",
    })
    void expectContinueIsDetectedOnlyInHttp11(String version, String expect, boolean expected) {
        RequestHead head = request(version, "Expect: " + expect + "\r\nContent-Length: 3\r\n");

        assertEquals(expected, head.expectsContinue());
    }

    @Test
    void requestWithoutExpectDoesNotWaitForContinue() {
        assertFalse(request("HTTP/1.1", "").expectsContinue());
    }

    @Test
    void upgradeNeedsConnectionUpgradeAndAnUpgradeField() {
        assertTrue(request("HTTP/1.1", "Connection: Upgrade\r\nUpgrade: websocket\r\n").isUpgrade());
        assertTrue(request("HTTP/1.1", "Upgrade: websocket\r\nConnection: keep-alive, upgrade\r\n").isUpgrade());
        assertFalse(request("HTTP/1.1", "Upgrade: websocket\r\n").isUpgrade());
        assertFalse(request("HTTP/1.1", "Connection: upgrade\r\n").isUpgrade());
        assertFalse(request("HTTP/1.0", "Connection: upgrade\r\nUpgrade: websocket\r\n").isUpgrade());
    }

    @Test
    void connectionTokensNameTheHopByHopFields() {
        RequestHead head = request("HTTP/1.1",
                "Connection: close, X-Trace\r\nX-Trace: 1\r\nX-Keep: 2\r\nconnection: X-Other\r\nX-OTHER: 3\r\n");
        HttpFields fields = head.fields();

        assertEquals(List.of("close", "x-trace", "x-other"), head.connectionTokens());
        assertTrue(head.isListedInConnection(fields.indexOf("x-trace")));
        assertTrue(head.isListedInConnection(fields.indexOf("x-other")));
        assertFalse(head.isListedInConnection(fields.indexOf("x-keep")));
        assertFalse(head.isListedInConnection(fields.indexOf("host")));
        assertTrue(fields.containsToken("connection", "X-TRACE"));
        assertFalse(fields.containsToken("connection", "x-keep"));
    }

    @Test
    void requestWithoutConnectionHasNoTokens() {
        assertEquals(List.of(), request("HTTP/1.1", "").connectionTokens());
    }

    @ParameterizedTest
    @ValueSource(strings = {"GET", "HEAD", "PUT", "DELETE", "OPTIONS", "PROPFIND", "UNLOCK", "BREW"})
    void methodsOtherThanPostLockAndPatchAreIdempotentAsInNginx(String method) {
        assertTrue(parse(method + " / HTTP/1.1\r\nHost: a\r\n\r\n").isIdempotent());
    }

    @ParameterizedTest
    @ValueSource(strings = {"POST", "LOCK", "PATCH"})
    void postLockAndPatchAreNotIdempotent(String method) {
        assertFalse(parse(method + " / HTTP/1.1\r\nHost: a\r\n\r\n").isIdempotent());
    }

    @Test
    void unknownMethodIsIdempotentEvenAfterItsNameWasBuilt() {
        RequestHead head = parse("BREW / HTTP/1.1\r\nHost: a\r\n\r\n");
        head.method();

        assertTrue(head.isIdempotent());
    }

    @ParameterizedTest(name = "[{0}] frames as {1} with length {2}")
    @CsvSource(delimiter = '|', value = {
        "                                 | NONE           | -1",
        "Content-Length: 0                | CONTENT_LENGTH | 0",
        "Content-Length: 10               | CONTENT_LENGTH | 10",
        "Content-Length: 007              | CONTENT_LENGTH | 7",
        "Content-Length: 9223372036854775807 | CONTENT_LENGTH | 9223372036854775807",
        "Transfer-Encoding: chunked       | CHUNKED        | -1",
        "Transfer-Encoding: CHUNKED       | CHUNKED        | -1",
        "Transfer-Encoding:  Chunked      | CHUNKED        | -1",
    })
    void bodyFramingFollowsContentLengthOrChunked(String field, BodyFraming framing, long length) {
        RequestHead head = request("HTTP/1.1", field == null ? "" : field + "\r\n");

        assertEquals(framing, head.bodyFraming());
        assertEquals(length, head.contentLength());
        assertEquals(framing == BodyFraming.CHUNKED || length > 0, head.hasBody());
    }

    @Test
    void contentLengthIsAllowedInHttp10() {
        RequestHead head = request("HTTP/1.0", "Content-Length: 4\r\n");

        assertEquals(BodyFraming.CONTENT_LENGTH, head.bodyFraming());
        assertEquals(4, head.contentLength());
    }
}
