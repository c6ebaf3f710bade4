package dev.sluice.internal.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.Answer;
import dev.sluice.ProxyServer;
import dev.sluice.VirtualServer;
import dev.sluice.testing.RawClient;
import dev.sluice.testing.Upstreams;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** nginx's {@code listen} in a {@code server} block: servers per address, and each address's default server. */
class ListenServersTest {

    private static final String FRONT = "127.0.0.1:18081";
    private static final String ADMIN = "127.0.0.1:18082";

    @RegisterExtension
    final Upstreams upstreams = Upstreams.inMemory();

    @Test
    void eachAddressHasItsOwnServersAndTheFirstThereIsItsDefault() throws Exception {
        ProxyServer proxy = start(p -> p
                .server("www.test", s -> answering(s.listen(FRONT), "www"))
                .server("shop.test", s -> answering(s.listen(FRONT), "shop"))
                .server("admin.test", s -> answering(s.listen(ADMIN), "admin")));

        assertEquals(List.of(address(FRONT), address(ADMIN)), proxy.addresses(), "the proxy listens where they do");
        assertEquals("shop", get(FRONT, "shop.test"));
        assertEquals("www", get(FRONT, "unknown.test"), "the first server of the address is its default");
        assertEquals("www", get(FRONT, "admin.test"), "a server is not found on an address it does not listen on");
        assertEquals("admin", get(ADMIN, "www.test"));
    }

    @Test
    void aServerMarkedDefaultTakesTheUnknownHostsOfItsAddressesOnly() throws Exception {
        start(p -> p.listen(FRONT).listen(ADMIN)
                .route("/", r -> r.answer(Answer.of(200, "unnamed")))
                .server("www.test", s -> answering(s, "www"))
                .server("catch-all.test", s -> answering(s.listen(ADMIN).defaultServer(), "catch-all")));

        assertEquals("unnamed", get(FRONT, "unknown.test"), "the proxy's own routes are the default elsewhere");
        assertEquals("catch-all", get(ADMIN, "unknown.test"));
        assertEquals("www", get(ADMIN, "www.test"), "a server that names no address listens on all of them");
    }

    @Test
    void twoDefaultServersForOneAddressAreRefused() {
        ProxyServer.Builder builder = ProxyServer.builder().selectorProvider(upstreams.network())
                .server("a.test", s -> answering(s.listen(FRONT).defaultServer(), "a"))
                .server("b.test", s -> answering(s.defaultServer(), "b"));

        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, builder::start);
        assertTrue(refused.getMessage().contains("has more than one default server: [a.test, b.test]"),
                refused.getMessage());
    }

    @Test
    void aServerListensOnANamedPort() {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> VirtualServer.builder("a.test").listen("127.0.0.1:0"));
        assertTrue(refused.getMessage().contains("listen needs a port other than 0"), refused.getMessage());
    }

    /** A proxy in memory that listens only where {@code options} says. */
    private ProxyServer start(Consumer<ProxyServer.Builder> options) throws Exception {
        ProxyServer.Builder builder = ProxyServer.builder().workers(1).selectorProvider(upstreams.network())
                .ticker(upstreams.network().ticker());
        options.accept(builder);
        return upstreams.manage(builder.start());
    }

    private static VirtualServer.Builder answering(VirtualServer.Builder server, String name) {
        return server.route("/", r -> r.answer(Answer.of(200, name)));
    }

    private String get(String address, String host) throws Exception {
        RawClient client = upstreams.manage(RawClient.over(upstreams.network().socket(address)));
        client.send("GET / HTTP/1.1\r\nHost: " + host + "\r\n\r\n");
        return client.readResponse().bodyString();
    }

    private static InetSocketAddress address(String hostPort) {
        int colon = hostPort.indexOf(':');
        return new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
    }
}
