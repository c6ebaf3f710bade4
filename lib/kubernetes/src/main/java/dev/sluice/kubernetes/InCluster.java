package dev.sluice.kubernetes;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * What a pod knows of its cluster: the API server's address from the environment Kubernetes gives every container,
 * and the service account's token, CA certificate and namespace from the files it mounts.
 */
final class InCluster {

    static final Path SERVICE_ACCOUNT = Path.of("/var/run/secrets/kubernetes.io/serviceaccount");
    static final Path TOKEN = SERVICE_ACCOUNT.resolve("token");
    static final Path CA = SERVICE_ACCOUNT.resolve("ca.crt");
    static final Path NAMESPACE = SERVICE_ACCOUNT.resolve("namespace");

    private InCluster() {
    }

    /**
     * {@code https://KUBERNETES_SERVICE_HOST:KUBERNETES_SERVICE_PORT} from {@code env} (port 443 when only the host
     * is set), else {@code https://kubernetes.default.svc}.
     */
    static URI apiServer(Map<String, String> env) {
        String host = env.getOrDefault("KUBERNETES_SERVICE_HOST", "");
        if (host.isEmpty()) {
            return URI.create("https://kubernetes.default.svc");
        }
        String port = env.getOrDefault("KUBERNETES_SERVICE_PORT", "");
        return URI.create("https://" + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":"
                + (port.isEmpty() ? "443" : port));
    }

    /** The pod's namespace, as {@code file} holds it. */
    static String namespace(Path file) {
        try {
            return Files.readString(file).trim();
        } catch (IOException e) {
            throw new IllegalArgumentException("namespace: cannot read " + file + " (" + e.getMessage()
                    + "); outside a pod, name it: EndpointSlices.service(namespace, name)", e);
        }
    }

    /** The token {@code file} holds now, trimmed (a projected token is rewritten as it rotates). */
    static String token(Path file) {
        try {
            return Files.readString(file).trim();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the token " + file, e);
        }
    }
}
