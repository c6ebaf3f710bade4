package dev.sluice.internal.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sluice.ProxyServer;
import dev.sluice.testing.RawClient;
import dev.sluice.testing.ScriptedUpstream;
import dev.sluice.testing.Upstreams;
import java.time.Duration;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The two request-target forms without a path get nginx's answers, from the proxy itself, with the connection
 * closed: {@code OPTIONS *} is a 400 (nginx's request-line parser takes no asterisk-form target) and {@code CONNECT
 * host:port} a 405 once the head is known to be well-formed (nginx 1.29.3 and later, without a tunnel module).
 */
class TargetsWithoutAPathTest {

    @RegisterExtension
    final Upstreams upstreams = new Upstreams();

    @ParameterizedTest(name = "{0} gets {1}")
    @CsvSource(delimiter = '|', value = {
        "OPTIONS * HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n | 400",
        "OPTIONS * HTTP/1.0\\r\\n\\r\\n | 400",
        "CONNECT example.com:443 HTTP/1.1\\r\\nHost: example.com:443\\r\\n\\r\\n | 405",
        "CONNECT example.com:443 HTTP/1.0\\r\\n\\r\\n | 405",
        "CONNECT [::1]:443 HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: 5\\r\\n\\r\\nhello | 405",
        "CONNECT example.com:443 HTTP/1.1\\r\\n\\r\\n | 400",
        "TRACE / HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n | 405"})
    void isAnsweredByTheProxyWithNginxsStatusAndAClosedConnection(String request, int status) throws Exception {
        String raw = request.replace("\\r\\n", "\r\n");
        ScriptedUpstream upstream = upstreams.scripted().echo();
        ProxyServer proxy = FrontProxy.start(upstreams, upstream);
        RawClient client = FrontProxy.client(upstreams, proxy);

        client.send(raw);
        RawClient.Reply reply = client.readResponse();

        assertEquals(status, reply.status());
        assertEquals("close", reply.header("Connection"));
        assertEquals(RawClient.End.EOF, client.readUntilClose(Duration.ofSeconds(2)).end());
        assertEquals(0, upstream.requestCount());
    }
}
