package dev.sluice.testing;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import java.util.function.UnaryOperator;

/**
 * Starts WireMock servers for {@link Upstreams}. Kept apart so that {@link Upstreams} loads without WireMock
 * on the class path: the kit's dependency on it is optional, and only a test that asks for one needs it.
 */
final class WireMocks {

    private WireMocks() {
    }

    /** Starts a server from the 127.0.0.1, dynamic-port configuration after {@code customizer} adjusted it. */
    static WireMockServer start(UnaryOperator<WireMockConfiguration> customizer) {
        WireMockConfiguration config = customizer.apply(wireMockConfig()
                .dynamicPort()
                .bindAddress("127.0.0.1")
                .containerThreads(8)
                .jettyAcceptors(1));
        WireMockServer server = new WireMockServer(config);
        server.start();
        return server;
    }
}
