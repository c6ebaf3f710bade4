package dev.sluice.testing;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import dev.sluice.ProxyServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestInstanceFactoryContext;
import org.junit.jupiter.api.extension.TestInstancePreConstructCallback;

/**
 * A JUnit 5 extension that starts upstream servers and the proxy in front of them on demand and guarantees they
 * are stopped, so no test leaks a listening socket or a thread into the next one.
 *
 * <pre>{@code
 * @RegisterExtension final Upstreams upstreams = new Upstreams();
 *
 * @Test void retriesTheNextPeer() throws Exception {
 *     ScriptedUpstream broken = upstreams.scripted();
 *     broken.enqueue(Response.builder().resetOnRequest());
 *     ScriptedUpstream healthy = upstreams.scripted();
 *     UpstreamGroup group = UpstreamGroup.builder("backend")
 *             .server(broken.address()).server(healthy.address()).build();
 *     ProxyServer proxy = upstreams.proxy(p -> p.route("/", r -> r.upstream(group)));
 *     ...
 * }
 * }</pre>
 *
 * <p>Everything started for a test (in its field initializers, {@code @BeforeEach} or the test method)
 * is stopped after that test. With the extension in a static field, servers started in
 * {@code @BeforeAll} are shared by the class and stopped after it. Anything else that must not outlive the test
 * can be handed to {@link #manage}.
 *
 * <p>{@link #wireMock()} needs {@code org.wiremock:wiremock} on the test class path; the kit does not bring it.
 */
public final class Upstreams implements BeforeAllCallback, TestInstancePreConstructCallback, BeforeEachCallback,
        AfterEachCallback, AfterAllCallback {

    private final MemoryNetwork network;
    private final List<AutoCloseable> testScoped = new ArrayList<>();
    private final List<AutoCloseable> classScoped = new ArrayList<>();
    /** Registered in a static field, so servers started outside a test belong to the class. */
    private boolean classLevel;
    private boolean inTest;

    /** Servers and clients on the host's loopback sockets. */
    public Upstreams() {
        this(null);
    }

    private Upstreams(MemoryNetwork network) {
        this.network = network;
    }

    /**
     * Servers, proxies and clients on a {@link MemoryNetwork} of their own, with its manual clock: the same calls
     * as over sockets, but nothing touches the host's network and the proxy's timeouts fire when the test moves the
     * clock ({@link #network()}{@code .advance(...)}). Upstream groups that keep time ({@code fail_timeout}) take
     * {@code network().ticker()} too.
     */
    public static Upstreams inMemory() {
        return new Upstreams(new MemoryNetwork());
    }

    /**
     * The in-memory network of {@link #inMemory()}.
     *
     * @throws IllegalStateException when this extension runs on the host's sockets
     */
    public MemoryNetwork network() {
        if (network == null) {
            throw new IllegalStateException("on sockets, not in memory: use Upstreams.inMemory()");
        }
        return network;
    }

    /** Starts a {@link ScriptedUpstream} on 127.0.0.1 with an ephemeral port. */
    public ScriptedUpstream scripted() {
        if (network == null) {
            return manage(ScriptedUpstream.start());
        }
        try {
            return manage(ScriptedUpstream.start(network.serverSocket("127.0.0.1:0")));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen in memory", e);
        }
    }

    /** Starts {@code count} scripted upstreams, e.g. the peers of one upstream group. */
    public List<ScriptedUpstream> scripted(int count) {
        List<ScriptedUpstream> upstreams = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            upstreams.add(scripted());
        }
        return List.copyOf(upstreams);
    }

    /**
     * Starts a {@link ProxyServer} on 127.0.0.1 with a free port and one worker, after {@code options} has added
     * its routes and settings (they may change the worker count or listen on more addresses). The port is
     * {@link ProxyServer#port()}.
     */
    public ProxyServer proxy(Consumer<ProxyServer.Builder> options) throws IOException {
        ProxyServer.Builder builder = ProxyServer.builder().listen("127.0.0.1:0").workers(1);
        if (network != null) {
            builder.selectorProvider(network).ticker(network.ticker());
        }
        options.accept(builder);
        return manage(builder.start());
    }

    /** Starts a WireMock server on 127.0.0.1 with a dynamic port. */
    public WireMockServer wireMock() {
        return wireMock(config -> config);
    }

    /**
     * Starts a WireMock server from the 127.0.0.1, dynamic-port configuration after {@code customizer} has
     * adjusted it.
     */
    public WireMockServer wireMock(UnaryOperator<WireMockConfiguration> customizer) {
        if (network != null) {
            throw new IllegalStateException("WireMock listens on the host's sockets: use new Upstreams()");
        }
        WireMockServer server = WireMocks.start(customizer);
        manage(server::stop);
        return server;
    }

    /** Opens a {@link RawClient} to 127.0.0.1:port that is closed with the servers. */
    public RawClient rawClient(int port) throws IOException {
        return manage(network == null ? RawClient.connect(port) : RawClient.over(network.socket("127.0.0.1:" + port)));
    }

    /** Closes {@code resource} together with the servers of the current scope; returns it. */
    public synchronized <T extends AutoCloseable> T manage(T resource) {
        (inTest || !classLevel ? testScoped : classScoped).add(resource);
        return resource;
    }

    @Override
    public synchronized void beforeAll(ExtensionContext context) {
        classLevel = true;
    }

    /** A per-method test instance belongs to one test, so servers its field initializers start do too. */
    @Override
    public synchronized void preConstructTestInstance(TestInstanceFactoryContext factoryContext,
            ExtensionContext context) {
        if (context.getTestInstanceLifecycle().orElse(TestInstance.Lifecycle.PER_METHOD)
                == TestInstance.Lifecycle.PER_METHOD) {
            inTest = true;
        }
    }

    @Override
    public synchronized void beforeEach(ExtensionContext context) {
        inTest = true;
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        List<AutoCloseable> resources;
        synchronized (this) {
            inTest = false;
            resources = new ArrayList<>(testScoped);
            testScoped.clear();
        }
        closeAll(resources);
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        List<AutoCloseable> resources;
        synchronized (this) {
            resources = new ArrayList<>(classScoped);
            resources.addAll(testScoped);
            classScoped.clear();
            testScoped.clear();
            inTest = false;
        }
        closeAll(resources);
    }

    /** Closes newest first, carrying on past failures and reporting them all at the end. */
    private static void closeAll(List<AutoCloseable> resources) throws Exception {
        Exception failure = null;
        for (int i = resources.size() - 1; i >= 0; i--) {
            try {
                resources.get(i).close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
