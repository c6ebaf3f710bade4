package dev.sluice.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The builder: what it refuses, naming the option, and the in-cluster defaults it falls back on. */
class EndpointSlicesTest {

    @Test
    void namesThatAreNotDnsLabelsAreRefusedNamingTheOption() {
        IllegalArgumentException namespace = assertThrows(IllegalArgumentException.class,
                () -> EndpointSlices.service("Default", "web"));
        IllegalArgumentException service = assertThrows(IllegalArgumentException.class,
                () -> EndpointSlices.service("default", "web&watch=true"));
        IllegalArgumentException port = assertThrows(IllegalArgumentException.class,
                () -> EndpointSlices.service("default", "web").port("-http"));

        assertEquals("namespace must be a DNS label (lower-case letters, digits and '-', at most 63): \"Default\"",
                namespace.getMessage());
        assertEquals("service must be a DNS label (lower-case letters, digits and '-', at most 63):"
                + " \"web&watch=true\"", service.getMessage());
        assertEquals("port must be a DNS label (lower-case letters, digits and '-', at most 63): \"-http\"",
                port.getMessage());
    }

    @Test
    void aPortNumberOutOfRangeIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> EndpointSlices.service("default", "web").port(0));

        assertEquals("port must be between 1 and 65535: 0", e.getMessage());
    }

    @Test
    void anApiServerMustBeHttpOrHttpsWithAHost() {
        EndpointSlices.Builder builder = EndpointSlices.service("default", "web");

        for (String uri : new String[] {"ftp://api:21", "https:///x", "https://api?x=1", "api.example:6443"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> builder.apiServer(URI.create(uri)), uri);
            assertEquals("apiServer must be an http:// or https:// URI with a host and no query: " + uri,
                    e.getMessage());
        }
    }

    @Test
    void aMissingOptionIsNamed() {
        EndpointSlices.Builder builder = EndpointSlices.service("default", "web");

        assertEquals("token", assertThrows(NullPointerException.class, () -> builder.token((Path) null))
                .getMessage());
        assertEquals("trust", assertThrows(NullPointerException.class, () -> builder.trust(null)).getMessage());
        assertEquals("service", assertThrows(NullPointerException.class, () -> EndpointSlices.service(null))
                .getMessage());
    }

    @Test
    void theSourceFollowsTheServiceAtTheApiServerGiven() {
        String source = EndpointSlices.service("shop", "web").port("http")
                .apiServer(URI.create("https://10.96.0.1:443")).build().toString();

        assertEquals("EndpointSlices of service shop/web, port http, at https://10.96.0.1:443", source);
    }

    @Test
    void theApiServerComesFromTheEnvironmentKubernetesGivesAPod() {
        assertEquals(URI.create("https://10.96.0.1:6443"), InCluster.apiServer(Map.of(
                "KUBERNETES_SERVICE_HOST", "10.96.0.1", "KUBERNETES_SERVICE_PORT", "6443")));
        assertEquals(URI.create("https://[fd00::1]:443"), InCluster.apiServer(Map.of(
                "KUBERNETES_SERVICE_HOST", "fd00::1")));
        assertEquals(URI.create("https://kubernetes.default.svc"), InCluster.apiServer(Map.of()));
    }

    @Test
    void theNamespaceAndTokenFilesAreReadTrimmed(@TempDir Path dir) throws Exception {
        Path namespace = Files.writeString(dir.resolve("namespace"), "shop\n");
        Path token = Files.writeString(dir.resolve("token"), "eyJhbGciOi.x.y\n");

        assertEquals("shop", InCluster.namespace(namespace));
        assertEquals("eyJhbGciOi.x.y", InCluster.token(token));
    }

    @Test
    void outsideAPodTheNamespaceMustBeGiven(@TempDir Path dir) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> InCluster.namespace(dir.resolve("namespace")));

        assertEquals("namespace: cannot read " + dir.resolve("namespace") + " (" + dir.resolve("namespace")
                + "); outside a pod, name it: EndpointSlices.service(namespace, name)", e.getMessage());
    }
}
