package dev.sluice.internal.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sluice.ProxyServer;
import dev.sluice.testing.RawClient;
import dev.sluice.testing.RecordedRequest;
import dev.sluice.testing.ScriptedUpstream;
import dev.sluice.testing.Upstreams;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * nginx's {@code underscores_in_headers off} and {@code ignore_invalid_headers on}, by default: a request field
 * whose name holds an underscore (or another token character that is no letter, digit or hyphen) is dropped as it
 * is read, so {@code X_Forwarded_For} cannot pose as the proxy's own {@code X-Forwarded-For} to a server that maps
 * {@code _} and {@code -} to one variable. Both options can be turned.
 */
class InvalidHeaderNamesTest {

    private static final String SPOOFING = "GET / HTTP/1.1\r\nHost: a\r\nX_Forwarded_For: 7.7.7.7\r\n"
            + "X_Real_IP: 7.7.7.7\r\nX.Dotted: d\r\nAccept: */*\r\n\r\n";

    @RegisterExtension
    final Upstreams upstreams = new Upstreams();

    private final ScriptedUpstream upstream = upstreams.scripted().echo();

    private RecordedRequest forward(Consumer<ProxyServer.Builder> server, String request) throws Exception {
        ProxyServer proxy = FrontProxy.start(upstreams, upstream, server,
                r -> r.setHeader("X-Forwarded-For", "$proxy_add_x_forwarded_for").setHeader("X-Seen", "[$http_x_real_ip]"));
        RawClient client = FrontProxy.client(upstreams, proxy);
        client.send(request);
        assertEquals(200, client.readResponse().status());
        return upstream.requests().get(0);
    }

    @Test
    void fieldsWithUnderscoresOrOtherInvalidNamesAreDroppedByDefault() throws Exception {
        RecordedRequest received = forward(s -> { }, SPOOFING);

        assertEquals("GET / HTTP/1.1\r\nHost: backend\r\nAccept: */*\r\nX-Forwarded-For: 127.0.0.1\r\nX-Seen: []\r\n\r\n",
                received.rawString());
    }

    @Test
    void underscoresInHeadersOnKeepsUnderscoredNamesAndStillDropsOtherInvalidOnes() throws Exception {
        RecordedRequest received = forward(s -> s.underscoresInHeaders(true), SPOOFING);

        assertEquals(List.of("7.7.7.7"), received.headerValues("X_Forwarded_For"));
        assertEquals(List.of("127.0.0.1"), received.headerValues("X-Forwarded-For"));
        assertEquals(List.of(), received.headerValues("X.Dotted"));
    }

    @Test
    void ignoreInvalidHeadersOffForwardsEveryTokenName() throws Exception {
        RecordedRequest received = forward(s -> s.ignoreInvalidHeaders(false), SPOOFING);

        assertEquals(List.of("7.7.7.7"), received.headerValues("X_Real_IP"));
        assertEquals(List.of("d"), received.headerValues("X.Dotted"));
    }

    @Test
    void aDroppedFieldDoesNotFrameTheBody() throws Exception {
        RecordedRequest received = forward(s -> { },
                "POST / HTTP/1.1\r\nHost: a\r\nContent_Length: 99\r\nContent-Length: 2\r\n\r\nhi");

        assertEquals(List.of("2"), received.headerValues("Content-Length"));
        assertEquals(List.of(), received.headerValues("Content_Length"));
        assertEquals("hi", received.bodyUtf8());
    }
}
