package dev.sluice.cli;

import dev.sluice.kubernetes.EndpointSlices;
import dev.sluice.upstream.EndpointSource;
import java.net.URI;
import java.nio.file.Path;

/**
 * A {@code --server 'k8s:NAMESPACE/SERVICE[:PORT]'} line: the endpoints of a Kubernetes Service, from its
 * EndpointSlices ({@link EndpointSlices}), PORT being the endpoints' port number or the Service port's name (the
 * Service's only port when none is given). The API server, token and CA are the pod's unless {@code
 * --kubernetes-api}, {@code --kubernetes-token} and {@code --kubernetes-ca} say otherwise.
 */
final class KubernetesLine {

    static final String PREFIX = "k8s:";

    private KubernetesLine() {
    }

    static boolean is(String address) {
        return address.startsWith(PREFIX);
    }

    /**
     * The source of line {@code address}.
     *
     * @throws IllegalArgumentException naming what is malformed
     */
    static EndpointSource source(String address, URI api, Path token, Path ca) {
        String rest = address.substring(PREFIX.length());
        int slash = rest.indexOf('/');
        if (slash <= 0 || slash == rest.length() - 1) {
            throw new IllegalArgumentException("write k8s:NAMESPACE/SERVICE[:PORT], not \"" + address + "\"");
        }
        String namespace = rest.substring(0, slash);
        String service = rest.substring(slash + 1);
        String port = null;
        int colon = service.indexOf(':');
        if (colon >= 0) {
            port = service.substring(colon + 1);
            service = service.substring(0, colon);
        }
        EndpointSlices.Builder slices = EndpointSlices.service(namespace, service);
        if (port != null && port.matches("[0-9]{1,5}")) {
            slices.port(Integer.parseInt(port));
        } else if (port != null) {
            slices.port(port);
        }
        if (api != null) {
            slices.apiServer(api);
        }
        if (token != null) {
            slices.token(token);
        }
        if (ca != null) {
            slices.trust(ca);
        }
        return slices.build();
    }
}
