package dev.sluice.internal.proxy;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.sluice.internal.proxy.UpstreamHarness.group;
import static dev.sluice.internal.proxy.UpstreamHarness.peer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.http.Fault;
import dev.sluice.observe.ExchangeRecord;
import dev.sluice.testing.RawClient;
import dev.sluice.testing.ScriptedUpstream;
import dev.sluice.testing.Upstreams;
import dev.sluice.upstream.UpstreamGroup;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * WireMock's faults and delays behind the proxy (read timeout 800 ms): the status the client gets from a peer
 * that fails that way, and whether the request moves on to a second peer under the default {@code
 * proxy_next_upstream error timeout}. One WireMock serves every case, one path per fault.
 */
class WireMockFaultTest {

    private static final Duration READ_TIMEOUT = Duration.ofMillis(800);

    @RegisterExtension
    static final Upstreams upstreams = new Upstreams();

    private static WireMockServer wireMock;

    private final UpstreamHarness proxy = new UpstreamHarness(upstreams);

    @BeforeAll
    static void stubEveryFault() {
        wireMock = upstreams.wireMock();
        wireMock.stubFor(get(urlEqualTo("/reset")).willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
        wireMock.stubFor(get(urlEqualTo("/empty")).willReturn(aResponse().withFault(Fault.EMPTY_RESPONSE)));
        wireMock.stubFor(get(urlEqualTo("/malformed")).willReturn(aResponse().withFault(Fault.MALFORMED_RESPONSE_CHUNK)));
        wireMock.stubFor(get(urlEqualTo("/random")).willReturn(aResponse().withFault(Fault.RANDOM_DATA_THEN_CLOSE)));
        wireMock.stubFor(get(urlEqualTo("/late")).willReturn(aResponse().withBody("late").withFixedDelay(2000)));
        // eight pieces 150 ms apart: 1.2 s in all, more than the read timeout, but no gap comes near it
        wireMock.stubFor(get(urlEqualTo("/dribble")).willReturn(aResponse().withBody("0123456789ab")
                .withChunkedDribbleDelay(8, 1200)));
        // WireMock waits one gap before the first piece, head included: 2 s of silence before any byte
        wireMock.stubFor(get(urlEqualTo("/dribble-stall")).willReturn(aResponse().withBody("0123456789")
                .withChunkedDribbleDelay(2, 4000)));
        wireMock.stubFor(get(urlEqualTo("/warm")).willReturn(aResponse().withBody("warm")));
        // Jetty's and WireMock's first requests load classes for longer than the read timeout: get that done
        for (String path : new String[] {"/warm", "/warm", "/reset", "/empty", "/malformed", "/random"}) {
            try (RawClient client = RawClient.connect(wireMock.port())) {
                client.send(closing(path)).readUntilClose(Duration.ofSeconds(2));
            } catch (IOException e) {
                // a fault did what it should
            }
        }
    }

    /**
     * The first line and how the response ended, read until the proxy closes ({@code Connection: close}), since
     * a cut response cannot be read as a whole one.
     */
    private String fetch(String path) throws Exception {
        try (RawClient client = proxy.client()) {
            RawClient.Received received = client.send(closing(path)).readUntilClose(Duration.ofSeconds(5));
            assertEquals(RawClient.End.EOF, received.end(), received.string());
            return received.string();
        }
    }

    private static String closing(String path) {
        return "GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
    }

    /** The body of a complete response read until close, its chunked framing (if any) removed. */
    private static String body(String response) {
        int headEnd = response.indexOf("\r\n\r\n") + 4;
        if (!response.substring(0, headEnd).toLowerCase(java.util.Locale.ROOT).contains("transfer-encoding: chunked")) {
            return response.substring(headEnd);
        }
        StringBuilder body = new StringBuilder();
        int at = headEnd;
        for (int size; (size = Integer.parseInt(response.substring(at, response.indexOf("\r\n", at)), 16)) > 0; ) {
            at = response.indexOf("\r\n", at) + 2;
            body.append(response, at, at + size);
            at += size + 2;
        }
        return body.toString();
    }

    private static int status(String response) {
        assertTrue(response.startsWith("HTTP/1.1 "), response);
        return Integer.parseInt(response.substring(9, 12));
    }

    @ParameterizedTest(name = "{0}: {1}, upstream_status {2}")
    @CsvSource({
        "/reset,         502, 502, ",
        "/empty,         502, 502, ",
        // the head (200, chunked) went to the client before the broken chunk: the client sees a cut response
        "/malformed,     200, 200, ",
        // nginx would take random bytes for an HTTP/0.9 response; the strict parser calls them an invalid header
        "/random,        502, 502, ",
        "/late,          504, 504, ",
        "/dribble,       200, 200, 0123456789ab",
        "/dribble-stall, 504, 504, ",
    })
    void aSinglePeerWithTheFaultGivesNginxsStatus(String path, int status, String upstreamStatus, String body)
            throws Exception {
        proxy.start(group("127.0.0.1:" + wireMock.port()), r -> r.readTimeout(READ_TIMEOUT));

        String response = fetch(path);

        assertEquals(status, status(response), response);
        if (body != null) {
            assertEquals(body, body(response), response);
        }
        if (path.equals("/malformed")) {
            assertTrue(!response.contains("\r\n0\r\n\r\n"), "a cut response never ends with the last chunk: " + response);
        }
        assertEquals(upstreamStatus, proxy.exchange().upstreamStatus());
    }

    @ParameterizedTest(name = "{0}: retried {1}")
    @CsvSource({
        "/reset,         true,  502",
        "/empty,         true,  502",
        "/malformed,     false, 200",
        "/random,        false, 502",
        "/late,          true,  504",
        "/dribble,       false, 200",
        "/dribble-stall, true,  504",
    })
    void theFaultIsRetriedOnASecondPeerOnlyForErrorsAndTimeoutsBeforeTheHead(String path, boolean retried,
            int firstStatus) throws Exception {
        ScriptedUpstream good = upstreams.scripted().identity();
        String faulty = "127.0.0.1:" + wireMock.port();
        UpstreamGroup group = group(faulty, good.address());
        proxy.start(group, r -> r.readTimeout(READ_TIMEOUT));

        String response = fetch(path);

        ExchangeRecord record = proxy.exchange();
        if (retried) {
            assertEquals(200, status(response), response);
            assertEquals(String.valueOf(good.port()), body(response), response);
            assertEquals(faulty + ", " + good.address(), record.upstreamAddr());
            assertEquals(firstStatus + ", 200", record.upstreamStatus());
        } else {
            assertEquals(firstStatus, status(response), response);
            assertEquals(faulty, record.upstreamAddr());
            assertEquals(0, good.requestCount());
        }
        // a failure before the head counts against the peer; a broken body or a good answer does not
        boolean counted = firstStatus >= 502;
        assertEquals(counted ? 1 : 0, peer(group, faulty).fails());
    }
}
