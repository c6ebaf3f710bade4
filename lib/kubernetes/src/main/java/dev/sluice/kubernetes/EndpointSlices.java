package dev.sluice.kubernetes;

import dev.sluice.upstream.EndpointSource;
import java.net.URI;
import java.nio.file.Path;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * A Kubernetes Service's endpoints as the peers of a server line: an {@link EndpointSource} that lists and watches
 * the Service's {@code discovery.k8s.io/v1} EndpointSlices through the API server, as a Kubernetes client does.
 *
 * <pre>{@code
 * UpstreamGroup web = UpstreamGroup.builder("web")
 *     .discover("k8s:shop/web", EndpointSlices.service("shop", "web").port("http").build(), s -> s.maxFails(2))
 *     .build();
 * }</pre>
 *
 * <p>In a pod it needs nothing else: the API server is {@code https://KUBERNETES_SERVICE_HOST:KUBERNETES_SERVICE_PORT}
 * (else {@code https://kubernetes.default.svc}), the credentials are the pod's service account (its token, CA and
 * namespace under {@code /var/run/secrets/kubernetes.io/serviceaccount/}), and that account needs {@code list} and
 * {@code watch} on {@code endpointslices} of API group {@code discovery.k8s.io} in the Service's namespace (a
 * {@code Role} and {@code RoleBinding}).
 *
 * <p>How it follows the Service:
 * <ul>
 *   <li>It lists the slices labelled {@code kubernetes.io/service-name=NAME} (a consistent read, in one page: a
 *     Service has few slices), then watches them from the list's {@code resourceVersion} with bookmarks and a
 *     {@code timeoutSeconds} of 5 to 10 minutes, chosen at random as client-go does, one HTTP/1.1 connection per
 *     watch. Each event (and each bookmark) moves the version it resumes from.</li>
 *   <li>After each change it works out the line's endpoints over all the slices and hands the group the complete
 *     set, when it differs from the last one.</li>
 *   <li>A watch the server ends after an event is resumed at once from the last version; a 410 Gone (the version
 *     expired, as an HTTP status or an {@code ERROR} event) lists again instead. A try that ends in trouble (a
 *     refused or reset connection, another status, a malformed document, a 410) or brings no event is logged and
 *     followed by a pause of 1 s, doubling while tries bring nothing, up to 30 s. A watch silent for 30 s past its
 *     {@code timeoutSeconds}, or a list whose body takes over a minute, is taken for a dead connection. Trouble
 *     never empties the line: its peers stay as last announced.</li>
 *   <li>Each endpoint address of a slice of type {@code IPv4} or {@code IPv6} ({@code FQDN} slices are skipped: a
 *     proxy needs addresses) at the chosen TCP port: {@code terminating} true drains, whether it still serves or
 *     not; else {@code ready} true, or absent (which Kubernetes says to read as ready), takes requests; else it is
 *     not a member. An address two slices list counts once, in the better condition. Its zone is the endpoint's
 *     {@code zone}, its metadata {@code targetRef.kind}, {@code targetRef.name}, {@code targetRef.namespace} and
 *     {@code nodeName}, those the endpoint has.</li>
 *   <li>The token is read again for every request, so a projected token that rotates is picked up at the next
 *     (re)connection. The TLS connection trusts the CA file's certificates only, and the JDK checks the API server's
 *     host name against its certificate.</li>
 *   <li>Each line followed has a daemon thread of its own, named {@code sluice-kubernetes-NAMESPACE/NAME}, which
 *     ends when the proxy stops following it.</li>
 * </ul>
 *
 * <p>No dependency beyond the library and {@code slf4j-api}: the JDK's HTTP client, and a small strict JSON reader.
 */
public final class EndpointSlices {

    /** A DNS label (RFC 1123), as Kubernetes names namespaces, Services and their ports. */
    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

    private EndpointSlices() {
    }

    /** The EndpointSlices of Service {@code name} in namespace {@code namespace}. */
    public static Builder service(String namespace, String name) {
        return new Builder(label("namespace", namespace), label("service", name));
    }

    /**
     * The EndpointSlices of Service {@code name} in the pod's own namespace, which {@link Builder#build()} reads from
     * {@code /var/run/secrets/kubernetes.io/serviceaccount/namespace}.
     */
    public static Builder service(String name) {
        return new Builder(null, label("service", name));
    }

    private static String label(String option, String value) {
        Objects.requireNonNull(value, option);
        if (!LABEL.matcher(value).matches()) {
            throw new IllegalArgumentException(option + " must be a DNS label (lower-case letters, digits and '-',"
                    + " at most 63): \"" + value + "\"");
        }
        return value;
    }

    /**
     * The Service, port, API server and credentials to follow; {@link #build()} makes the {@link EndpointSource}.
     * Every option has an in-cluster default.
     */
    public static final class Builder {

        private final String namespace;
        private final String service;
        private PortChoice port = PortChoice.only();
        private URI apiServer;
        private Supplier<String> token = () -> InCluster.token(InCluster.TOKEN);
        private Path ca = InCluster.CA;

        private Builder(String namespace, String service) {
            this.namespace = namespace;
            this.service = service;
        }

        /**
         * Uses the Service's port named {@code name}. By default the line uses the Service's only port; with
         * several, it needs this (until then it stays as it is, and says so in the log).
         */
        public Builder port(String name) {
            this.port = PortChoice.named(label("port", name));
            return this;
        }

        /**
         * Uses the Service's TCP port whose endpoints listen on {@code number}: the Service's {@code targetPort} as
         * the pods resolve it, which is the port EndpointSlices carry (not the Service's own {@code port}).
         */
        public Builder port(int number) {
            if (number < 1 || number > 65535) {
                throw new IllegalArgumentException("port must be between 1 and 65535: " + number);
            }
            this.port = PortChoice.numbered(number);
            return this;
        }

        /**
         * The API server, {@code https://} (or {@code http://}, for {@code kubectl proxy} or a test), with any path
         * prefix the API is served under. Default: {@code https://KUBERNETES_SERVICE_HOST:KUBERNETES_SERVICE_PORT},
         * else {@code https://kubernetes.default.svc}.
         */
        public Builder apiServer(URI apiServer) {
            Objects.requireNonNull(apiServer, "apiServer");
            String scheme = apiServer.getScheme();
            if (!"https".equals(scheme) && !"http".equals(scheme) || apiServer.getHost() == null
                    || apiServer.getRawQuery() != null || apiServer.getRawFragment() != null) {
                throw new IllegalArgumentException("apiServer must be an http:// or https:// URI with a host and"
                        + " no query: " + apiServer);
            }
            this.apiServer = apiServer;
            return this;
        }

        /**
         * The bearer token's file, read again for every request, so that a projected token that rotates is picked up
         * at the next (re)connection. Default: {@code /var/run/secrets/kubernetes.io/serviceaccount/token}.
         */
        public Builder token(Path file) {
            Objects.requireNonNull(file, "token");
            this.token = () -> InCluster.token(file);
            return this;
        }

        /**
         * The bearer token, asked for every request; an empty one sends no {@code Authorization} header (an API
         * server behind {@code kubectl proxy}).
         */
        public Builder token(Supplier<String> token) {
            this.token = Objects.requireNonNull(token, "token");
            return this;
        }

        /**
         * The PEM file of the certificates that sign the API server's (the cluster's CA), the only ones trusted; read
         * at the first {@code https://} connection. Default: {@code
         * /var/run/secrets/kubernetes.io/serviceaccount/ca.crt}.
         */
        public Builder trust(Path caPem) {
            this.ca = Objects.requireNonNull(caPem, "trust");
            return this;
        }

        /**
         * The source, for {@code UpstreamGroup.Builder.discover}. Reads the pod's namespace when none was given.
         *
         * @throws IllegalArgumentException when the namespace was not given and the pod's cannot be read
         */
        public EndpointSource build() {
            String ns = namespace != null ? namespace : label("namespace", InCluster.namespace(InCluster.NAMESPACE));
            URI server = apiServer != null ? apiServer : InCluster.apiServer(System.getenv());
            return new SliceSource(ns, service, port, server, token, ca);
        }
    }
}
