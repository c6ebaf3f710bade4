package dev.sluice.cli;

import dev.sluice.NextUpstream;
import dev.sluice.ProxyServer;
import dev.sluice.Route;
import dev.sluice.ServerTls;
import dev.sluice.UpstreamTls;
import dev.sluice.upstream.Keepalive;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The command line of {@code java -jar sluice.jar}: every flag of the contract ({@code CLI.md}), what each one
 * becomes on the library's builders, and {@link #parse(String...)} from arguments to {@link Settings}.
 *
 * <p>Flags are nginx's directives with underscores turned into hyphens. Parsing checks each value's syntax (an
 * nginx time, size, number, on/off, a server line) and fails on the first problem with a {@link UsageException}
 * naming the flag; ranges are checked by the library's builders when {@link Settings#toBuilder()} applies the
 * values, and name the flag too.
 */
final class Cli {

    /** What one flag does with its value. */
    @FunctionalInterface
    private interface Handler {
        void accept(Settings settings, String flag, String value);
    }

    private record Option(Flags.Flag flag, Handler handler) {
    }

    private static final String GENERAL = "General";
    private static final String UPSTREAM = "Upstream group \"" + Settings.GROUP + "\" (nginx's upstream block)";
    private static final String PROXY = "Proxying, for the one route \"/\" (nginx's proxy_* directives)";
    private static final String CLIENT = "Client side (ngx_http_core_module)";

    /** With {@code --demo}, the only flags that still mean something: the demo brings its own upstreams. */
    private static final Set<String> DEMO_FLAGS = Set.of("--demo", "--listen", "--worker-processes", "--access-log");
    /** With a configuration file, the only flags: the file says everything else. */
    private static final Set<String> CONFIG_FLAGS = Set.of("-c", "-t", "--to-java");

    private static final List<Option> OPTIONS = List.of(
            option(GENERAL, "--listen", "'HOST:PORT [ssl]'", true,
                    "listen: where clients connect; default 127.0.0.1:8080; port 0 picks a free port; ssl: clients"
                            + " speak TLS there (with --ssl-certificate and --ssl-certificate-key)",
                    FlagValues::listen),
            option(GENERAL, "--worker-processes", "N|auto", false,
                    "worker_processes: the number of event loops; default auto, one per processor",
                    proxy(FlagValues::workers, ProxyServer.Builder::workers)),
            option(GENERAL, "--worker-connections", "N", false,
                    "worker_connections: client connections each event loop holds at most, more wait in the listen"
                            + " backlog; default 0, no limit",
                    proxy(NginxSyntax::number, ProxyServer.Builder::workerConnections)),
            option(GENERAL, "--max-connections", "N", false,
                    "client connections the proxy holds at most over all its event loops; default 0, no limit",
                    proxy(NginxSyntax::number, ProxyServer.Builder::maxConnections)),
            option(GENERAL, "--access-log", "'PATH|stdout|off [FORMAT]'", false,
                    "access_log: a line per request in FORMAT: upstream (the default: status, upstream_addr,"
                            + " upstream_status, upstream timings), combined (nginx's), or a --log-format NAME; default"
                            + " off (stdout with --demo); PATH is appended to and reopened on SIGUSR1",
                    (s, f, v) -> s.setAccessLog(AccessLogTarget.parse(v))),
            option(GENERAL, "--log-format", "'NAME FORMAT'", true,
                    "log_format: FORMAT made of text and nginx variables ($remote_addr, $time_local, $request, $status,"
                            + " $body_bytes_sent, $http_referer, $http_user_agent, $request_time, $upstream_addr, ...)",
                    (s, f, v) -> s.addLogFormat(v)),
            option(GENERAL, "-c", "FILE", false,
                    "run the nginx configuration FILE (http, upstream, server and location blocks with the directives"
                            + " Sluice implements; anything else is an error naming FILE:LINE); no other flag but -t",
                    (s, f, v) -> s.setConfigFile(Path.of(v))),
            option(GENERAL, "-t", null, false,
                    "with -c: check the configuration (every file read, every group resolved) and exit, as nginx -t",
                    (s, f, v) -> s.setTestOnly()),
            option(GENERAL, "--to-java", "FILE", false,
                    "print the Java builder code of the nginx configuration FILE: a class whose proxy() returns the"
                            + " ProxyServer.Builder that -c FILE runs",
                    (s, f, v) -> s.setToJava(Path.of(v))),
            option(GENERAL, "--demo", null, false,
                    "run two built-in upstreams on loopback (one answers 200, one 500) behind the proxy and print what to curl",
                    (s, f, v) -> s.setDemo()),
            option(GENERAL, "--help", null, false, "print this help and exit",
                    (s, f, v) -> s.setHelp()),

            option(UPSTREAM, "--server", "'ADDRESS [weight=N] [max_fails=N] [fail_timeout=T] [backup] [down] [drain] [max_conns=N]"
                            + " [slow_start=T] [route=S] [service=NAME] [resolve]'", true,
                    "server: ADDRESS is host:port (a name resolves at startup, one peer per address; with resolve,"
                            + " again while the proxy runs, see --resolver; with service=NAME, its SRV records) or"
                            + " unix:/path, or k8s:NAMESPACE/SERVICE[:PORT] for the endpoints of a Kubernetes Service"
                            + " (its EndpointSlices, followed while the proxy runs; PORT a number or the port's name);"
                            + " at least one is required",
                    (s, f, v) -> s.addServer(ServerLine.parse(v))),
            option(UPSTREAM, "--balance", "METHOD", false,
                    "round_robin (default), least_conn, ip_hash, 'hash KEY [consistent]', 'random [two [least_conn]]'"
                            + " or 'least_time header|last_byte [inflight]';"
                            + " KEY uses nginx variables such as $request_uri, $remote_addr, $arg_x, $http_x, $cookie_x",
                    FlagValues::balance),
            option(UPSTREAM, "--upstream-keepalive", "N|auto", false,
                    "keepalive: idle upstream connections kept per event loop, N as nginx's fixed cap (0 turns upstream"
                            + " keepalive off), or auto: at least 32 and as many as were in use at once lately; default auto",
                    keepalive(v -> v.equals("auto") ? -1 : NginxSyntax.number(v),
                            (k, n) -> n < 0 ? k.auto() : k.idle(n))),
            option(UPSTREAM, "--upstream-keepalive-requests", "N", false,
                    "keepalive_requests: requests one upstream connection serves; default 1000",
                    keepalive(NginxSyntax::number, Keepalive.Builder::maxRequests)),
            option(UPSTREAM, "--upstream-keepalive-time", "T", false,
                    "keepalive_time: how long one upstream connection may be reused; default 1h",
                    keepalive(NginxSyntax::time, Keepalive.Builder::maxLifetime)),
            option(UPSTREAM, "--upstream-keepalive-timeout", "T", false,
                    "keepalive_timeout: how long an idle upstream connection is kept; default 60s",
                    keepalive(NginxSyntax::time, Keepalive.Builder::idleTimeout)),

            option(PROXY, "--proxy-connect-timeout", "T", false, "proxy_connect_timeout; default 60s",
                    route(NginxSyntax::time, Route.Builder::connectTimeout)),
            option(PROXY, "--proxy-send-timeout", "T", false,
                    "proxy_send_timeout: between two writes to the upstream; default 60s",
                    route(NginxSyntax::time, Route.Builder::sendTimeout)),
            option(PROXY, "--proxy-read-timeout", "T", false,
                    "proxy_read_timeout: for the head once the request went out, then between two reads; default 60s",
                    route(NginxSyntax::time, Route.Builder::readTimeout)),
            option(PROXY, "--proxy-next-upstream", "'COND ...'|off", false,
                    "proxy_next_upstream: error timeout invalid_header http_500 http_502 http_503 http_504 http_403"
                            + " http_404 http_429 non_idempotent; default 'error timeout'",
                    (s, f, v) -> s.setNextUpstream(NextUpstreamLine.parse(v))),
            option(PROXY, "--proxy-next-upstream-tries", "N", false,
                    "proxy_next_upstream_tries: attempts in all; default 0, one per peer",
                    nextUpstream(NginxSyntax::number, NextUpstream::tries)),
            option(PROXY, "--proxy-next-upstream-timeout", "T", false,
                    "proxy_next_upstream_timeout: no new attempt after T; default 0, no limit",
                    nextUpstream(NginxSyntax::time, NextUpstream::timeout)),
            option(PROXY, "--proxy-intercept-errors", "on|off", false,
                    "proxy_intercept_errors: answer an upstream status of 300 or more with its --error-page; default off",
                    route(NginxSyntax::onOff, Route.Builder::interceptErrors)),
            option(PROXY, "--error-page", "'CODE [CODE...] FILE'", true,
                    "error_page: FILE (read at startup) is the body sent for each CODE, the status kept",
                    FlagValues::errorPage),
            option(PROXY, "--proxy-buffering", "on|off", false,
                    "proxy_buffering: read a response ahead into --proxy-buffers while the client is slower (on), or"
                            + " relay each read before the next (off); an upstream's X-Accel-Buffering: yes|no overrides it;"
                            + " default on",
                    route(NginxSyntax::onOff, Route.Builder::buffering)),
            option(PROXY, "--proxy-buffers", "'N SIZE'", false,
                    "proxy_buffers: a buffered response holds at most N buffers of SIZE, N 2 to 1024, SIZE 1k to 1m;"
                            + " default '8 4k'",
                    FlagValues::buffers),
            option(PROXY, "--proxy-request-buffering", "on|off", false,
                    "proxy_request_buffering: read the whole request body before choosing a peer, so a retry can send"
                            + " it again (on), or stream it to the peer as it arrives, never retried once sent (off);"
                            + " default on",
                    route(NginxSyntax::onOff, Route.Builder::requestBuffering)),
            option(PROXY, "--proxy-buffer-size", "SIZE", false,
                    "proxy_buffer_size: the largest upstream response head, 1k to 1m; default 4k",
                    route(NginxSyntax::intSize, Route.Builder::bufferSize)),
            option(PROXY, "--proxy-set-header", "'NAME VALUE'", true,
                    "proxy_set_header: VALUE may hold $host, $remote_addr, $proxy_add_x_forwarded_for, $scheme;"
                            + " an empty VALUE removes the field",
                    route(HeaderLine::parse, (r, h) -> r.setHeader(h.name(), h.value()))),
            option(PROXY, "--proxy-pass", "URL", false,
                    "proxy_pass: http://backend (the flags' group is named backend), or https://backend to speak TLS"
                            + " to its servers, with an optional URI part that replaces the location prefix /:"
                            + " http://backend/v2/ sends /items as /v2/items; default http://backend",
                    FlagValues::proxyPass),
            option(PROXY, "--proxy-ssl-verify", "on|off", false,
                    "proxy_ssl_verify: check the servers' certificate chain and name; default off, as nginx (a"
                            + " warning says so at start)",
                    tls(NginxSyntax::onOff, UpstreamTls.Builder::verify)),
            option(PROXY, "--proxy-ssl-trusted-certificate", "FILE", false,
                    "proxy_ssl_trusted_certificate: the PEM bundle of CAs trusted; default the JDK's trust store",
                    tls(Path::of, UpstreamTls.Builder::trustedCertificate)),
            option(PROXY, "--proxy-ssl-name", "NAME", false,
                    "proxy_ssl_name: the name verified and sent as SNI; default the host of each --server line",
                    tls(Function.identity(), UpstreamTls.Builder::name)),
            option(PROXY, "--proxy-ssl-server-name", "on|off", false,
                    "proxy_ssl_server_name: send the name as SNI; default off, as nginx",
                    tls(NginxSyntax::onOff, UpstreamTls.Builder::serverName)),
            option(PROXY, "--proxy-ssl-certificate", "FILE", false,
                    "proxy_ssl_certificate: the PEM client certificate chain for servers that ask for one (mTLS);"
                            + " needs --proxy-ssl-certificate-key",
                    (s, f, v) -> s.tls().setProxySslCertificate(Path.of(v))),
            option(PROXY, "--proxy-ssl-certificate-key", "FILE", false,
                    "proxy_ssl_certificate_key: its PEM key (PKCS#8, PKCS#1 or SEC 1, unencrypted)",
                    (s, f, v) -> s.tls().setProxySslCertificateKey(Path.of(v))),
            option(PROXY, "--proxy-ssl-session-reuse", "on|off", false,
                    "proxy_ssl_session_reuse: resume TLS sessions on new connections; default on",
                    tls(NginxSyntax::onOff, UpstreamTls.Builder::sessionReuse)),
            option(PROXY, "--proxy-ssl-protocols", "'PROTOCOL ...'", false,
                    "proxy_ssl_protocols: some of TLSv1.2 TLSv1.3; default both",
                    tls(v -> v.trim().split("\\s+"), UpstreamTls.Builder::protocols)),
            option(PROXY, "--proxy-http-version", "1.0|1.1", false,
                    "proxy_http_version; default 1.1 (Connection is cleared so upstream keepalive works)",
                    route(Function.identity(), Route.Builder::httpVersion)),
            option(PROXY, "--proxy-socket-keepalive", "on|off", false,
                    "proxy_socket_keepalive: SO_KEEPALIVE on upstream sockets; default off",
                    route(NginxSyntax::onOff, Route.Builder::socketKeepalive)),
            option(PROXY, "--proxy-bind", "ADDR|off", false,
                    "proxy_bind: the local IP address upstream connections come from; default off",
                    FlagValues::bind),
            option(PROXY, "--proxy-ignore-client-abort", "on|off", false,
                    "proxy_ignore_client_abort; default off",
                    route(NginxSyntax::onOff, Route.Builder::ignoreClientAbort)),
            option(PROXY, "--proxy-redirect", "default|off", false,
                    "proxy_redirect: a Location or Refresh of the upstream that starts with the --proxy-pass URL gets"
                            + " the client's view of it (http://backend/x becomes /x); default default",
                    route(v -> switch (v) {
                        case "default" -> true;
                        case "off" -> false;
                        default -> throw new IllegalArgumentException("expected default or off, got \"" + v + "\"");
                    }, Route.Builder::redirectRewrite)),
            option(PROXY, "--proxy-upgrade", "'PROTOCOL ...'|off", false,
                    "the protocols a client may switch to (Upgrade), forwarded only when every one offered is listed;"
                            + " h2c is never allowed; nginx forwards none unless told to; default websocket",
                    route(v -> v.equals("off") ? new String[0] : v.trim().split("\\s+"), Route.Builder::upgradeProtocols)),
            option(PROXY, "--limit-req", "'rate=R [burst=N] [nodelay|delay=N] [status=CODE]'", true,
                    "limit_req per client address: R as 10r/s or 30r/m; a request beyond the burst gets CODE (default"
                            + " 503), one within it waits unless nodelay or within delay=N; each flag is one zone",
                    route(LimitLine::requests, Route.Builder::limitRequests)),
            option(PROXY, "--limit-conn", "'N [status=CODE]'", true,
                    "limit_conn per client address: at most N requests in progress at once, more get CODE (default 503)",
                    route(LimitLine::connections, Route.Builder::limitConnections)),

            option(CLIENT, "--client-header-timeout", "T", false, "client_header_timeout; default 60s",
                    proxy(NginxSyntax::time, ProxyServer.Builder::clientHeaderTimeout)),
            option(CLIENT, "--client-body-timeout", "T", false, "client_body_timeout; default 60s",
                    proxy(NginxSyntax::time, ProxyServer.Builder::clientBodyTimeout)),
            option(CLIENT, "--send-timeout", "T", false, "send_timeout: between two writes to the client; default 60s",
                    proxy(NginxSyntax::time, ProxyServer.Builder::sendTimeout)),
            option(CLIENT, "--keepalive-timeout", "T", false,
                    "keepalive_timeout: how long an idle client connection is kept; default 75s; 0 closes after each request",
                    proxy(NginxSyntax::time, ProxyServer.Builder::keepaliveTimeout)),
            option(CLIENT, "--keepalive-requests", "N", false,
                    "keepalive_requests: requests served on one client connection; default 1000",
                    proxy(NginxSyntax::number, ProxyServer.Builder::keepaliveRequests)),
            option(CLIENT, "--underscores-in-headers", "on|off", false,
                    "underscores_in_headers: whether a request field name may hold underscores; default off",
                    proxy(NginxSyntax::onOff, ProxyServer.Builder::underscoresInHeaders)),
            option(CLIENT, "--ignore-invalid-headers", "on|off", false,
                    "ignore_invalid_headers: drop request fields with names other than letters, digits, hyphens (and"
                            + " underscores when allowed); default on",
                    proxy(NginxSyntax::onOff, ProxyServer.Builder::ignoreInvalidHeaders)),
            option(CLIENT, "--client-max-body-size", "SIZE", false,
                    "client_max_body_size: larger request bodies get 413; default 1m; 0 means unlimited",
                    proxy(NginxSyntax::size, ProxyServer.Builder::clientMaxBodySize)),
            option(CLIENT, "--client-body-buffer-size", "SIZE", false,
                    "client_body_buffer_size: a buffered request body up to SIZE stays in memory, a larger one goes to a"
                            + " temporary file; 1k to 64m; default 16k",
                    proxy(NginxSyntax::intSize, ProxyServer.Builder::clientBodyBufferSize)),
            option(CLIENT, "--client-body-temp-path", "DIR", false,
                    "client_body_temp_path: the directory of those files, created at startup; each file is deleted"
                            + " when its request ends; default sluice in the system's temporary directory",
                    proxy(Path::of, ProxyServer.Builder::clientBodyTempPath)),

            option(UPSTREAM, "--health-check", "'interval=T [fails=N] [passes=N] [uri=/path] [port=N] [mandatory]"
                    + " [jitter=T] [timeout=T] [keepalive_time=T] [status=LIST] [header=\"NAME OP VALUE\"] [body~REGEX]'",
                    false,
                    "health_check + match: check every peer every interval (default 5s) with GET uri (default /) on"
                            + " a connection of its own; fails checks in a row (default 1) take a peer out, passes"
                            + " (default 1) bring it back; status=200-399 by default; header ops = != ~ !~, NAME alone"
                            + " present, !NAME absent; body~REGEX over the first 64k; default off",
                    (s, f, v) -> s.setHealthCheck(HealthCheckLine.parse(v))),
            option(UPSTREAM, "--sticky", "'cookie NAME [expires=T|max] [domain=D] [path=P] [httponly] [secure]"
                    + " [samesite=V]' | 'route $var...' | 'learn create=$upstream_cookie_X lookup=$var [timeout=T]"
                    + " [size=N]'", false,
                    "sticky: session persistence; cookie sets NAME to the answering peer's id (the hex MD5 of its"
                            + " ip:port), route picks the peer whose route= the first variable with a value names"
                            + " (or its part after the last '.'), learn binds sessions a peer's cookie starts"
                            + " (timeout 10m, size 8000); a bound peer that cannot serve falls back to --balance;"
                            + " default off",
                    (s, f, v) -> s.setSticky(StickyLine.parse(v))),
            option(UPSTREAM, "--queue", "'N [timeout=T]'", false,
                    "queue: a request that finds every peer busy (max_conns), down or failed waits for one, first"
                            + " come first served, instead of failing; 502 when N wait already or after T (default"
                            + " 60s); default off",
                    (s, f, v) -> s.setQueue(QueueLine.parse(v))),
            option(UPSTREAM, "--upstream-state", "FILE", false,
                    "state: the server list lives in FILE, one 'server ADDRESS [parameters];' line per peer: read at"
                            + " start when it exists (its servers replace --server's), written atomically after"
                            + " every change through --api-listen; default off",
                    (s, f, v) -> s.setStateFile(Path.of(v))),
            option(UPSTREAM, "--ntlm", null, false,
                    "ntlm: the upstream connection that carried an 'Authorization: NTLM|Negotiate' request stays with"
                            + " its client connection (same peer, no other client, closed with it); needs upstream"
                            + " keepalive; default off",
                    (s, f, v) -> s.setNtlm()),
            option(GENERAL, "--status-listen", "HOST:PORT", false,
                    "a read-only JSON view of every peer's live state in NGINX Plus's API shape, on its own address:"
                            + " GET /api/9/http/upstreams and /api/9/http/upstreams/backend; default off",
                    (s, f, v) -> s.setStatusListen(v)),
            option(GENERAL, "--api-listen", "[HOST:]PORT", false,
                    "NGINX Plus's upstream API with writes, on its own address (a bare port is 127.0.0.1's): what"
                            + " --status-listen reads, plus POST /api/9/http/upstreams/backend/servers {\"server\":"
                            + " \"HOST:PORT\", \"weight\": N, ...}, PATCH .../servers/ID {\"weight\": N} {\"down\":"
                            + " true} {\"drain\": true}, DELETE .../servers/ID; anyone who reaches it steers traffic;"
                            + " default off",
                    (s, f, v) -> s.setApiListen(v)),
            option(UPSTREAM, "--resolver", "'ADDRESS... [valid=T]'", false,
                    "resolver: the DNS servers (IP[:PORT], port 53 unless given) that names of --server lines marked"
                            + " 'resolve' are looked up with, again while the proxy runs, when their records' TTL"
                            + " ends or after valid=T; a failed look-up keeps the addresses found last; default"
                            + " none (names are resolved once, at start, by the system)",
                    (s, f, v) -> s.setResolver(v)),
            option(UPSTREAM, "--resolver-timeout", "T", false,
                    "resolver_timeout: how long each DNS server has to answer; default 30s",
                    (s, f, v) -> s.setResolverTimeout(NginxSyntax.time(v))),
            option(UPSTREAM, "--kubernetes-api", "URL", false,
                    "the API server k8s: lines ask; default the pod's (https://$KUBERNETES_SERVICE_HOST:"
                            + "$KUBERNETES_SERVICE_PORT)",
                    (s, f, v) -> s.setKubernetesApi(v)),
            option(UPSTREAM, "--kubernetes-token", "FILE", false,
                    "the bearer token k8s: lines send, read again for each request; default the pod's service"
                            + " account token",
                    (s, f, v) -> s.setKubernetesToken(Path.of(v))),
            option(UPSTREAM, "--kubernetes-ca", "FILE", false,
                    "the PEM file of the CA that signs the API server's certificate; default the pod's",
                    (s, f, v) -> s.setKubernetesCa(Path.of(v))),
            option(CLIENT, "--ssl-certificate", "FILE", true,
                    "ssl_certificate: the PEM certificate chain of the ssl addresses, leaf first; repeat it with"
                            + " --ssl-certificate-key for an RSA and an EC certificate side by side; kill -HUP reads"
                            + " the files again",
                    (s, f, v) -> s.tls().addSslCertificate(Path.of(v))),
            option(CLIENT, "--ssl-certificate-key", "FILE", true,
                    "ssl_certificate_key: the PEM key of the --ssl-certificate in the same place (PKCS#8, PKCS#1 or"
                            + " SEC 1, unencrypted)",
                    (s, f, v) -> s.tls().addSslCertificateKey(Path.of(v))),
            option(CLIENT, "--ssl-protocols", "'PROTOCOL ...'", false,
                    "ssl_protocols: some of TLSv1.2 TLSv1.3; default both",
                    serverTls(v -> v.trim().split("\\s+"), ServerTls.Builder::protocols)),
            option(CLIENT, "--ssl-ciphers", "'SUITE ...'", false,
                    "ssl_ciphers: the cipher suites accepted, by their JSSE names (TLS_AES_128_GCM_SHA256 ...);"
                            + " default the JDK's",
                    serverTls(v -> v.trim().split("[\\s:]+"), ServerTls.Builder::ciphers)),
            option(CLIENT, "--ssl-client-certificate", "FILE", false,
                    "ssl_client_certificate: the PEM bundle of CAs client certificates must chain to",
                    serverTls(Path::of, ServerTls.Builder::clientCertificate)),
            option(CLIENT, "--ssl-verify-client", "on|off|optional", false,
                    "ssl_verify_client: ask for client certificates; on answers 400 to a client without a valid one,"
                            + " optional lets it in; default off",
                    serverTls(FlagValues::verifyClient, ServerTls.Builder::verifyClient)));

    private static final Flags FLAGS;
    private static final Map<String, Handler> HANDLERS = new HashMap<>();

    static {
        List<Flags.Flag> flags = new ArrayList<>();
        for (Option option : OPTIONS) {
            flags.add(option.flag());
            HANDLERS.put(option.flag().name(), option.handler());
        }
        FLAGS = new Flags(flags);
    }

    private Cli() {
    }

    /**
     * Reads the command line. {@code --help} anywhere wins over everything else.
     *
     * @throws UsageException for the first flag or value that is not right, naming the flag
     */
    static Settings parse(String... args) {
        Settings settings = new Settings();
        for (String arg : args) {
            if (arg.equals("--help") || arg.equals("-h")) {
                settings.setHelp();
                return settings;
            }
        }
        List<Flags.Given> given = FLAGS.tokenise(args);
        boolean demo = given.stream().anyMatch(g -> g.flag().name().equals("--demo"));
        boolean config = given.stream().anyMatch(g -> CONFIG_FLAGS.contains(g.flag().name()));
        for (Flags.Given g : given) {
            String name = g.flag().name();
            if (demo && !DEMO_FLAGS.contains(name)) {
                throw new UsageException(name, "cannot be combined with --demo, which brings its own"
                        + " upstreams and routes (only --listen, --worker-processes and --access-log apply)");
            }
            if (config && !CONFIG_FLAGS.contains(name)) {
                throw new UsageException(name, "cannot be combined with a configuration file (-c, -t, --to-java),"
                        + " which says everything");
            }
            try {
                HANDLERS.get(name).accept(settings, name, g.value());
            } catch (IllegalArgumentException e) {
                throw new UsageException(name, e.getMessage());
            }
        }
        if (config) {
            settings.checkConfigFlags();
            return settings;
        }
        if (!demo && settings.servers().isEmpty()) {
            throw new UsageException("--server", "at least one is required (or try --demo; see --help)");
        }
        settings.tls().check();
        return settings;
    }

    /** Every flag, in the order the help lists them. */
    static List<Flags.Flag> flags() {
        return FLAGS.all();
    }

    /** The text {@code --help} prints. */
    static String usage() {
        return "Usage: java -jar sluice.jar --server ADDRESS [--server ADDRESS ...] [options]\n"
                + "       java -jar sluice.jar -c nginx.conf [-t]\n"
                + "       java -jar sluice.jar --to-java nginx.conf\n"
                + "       java -jar sluice.jar --demo [--listen HOST:PORT]\n"
                + "\n"
                + "A reverse proxy with nginx's semantics. Each flag mirrors the nginx directive of the same name,\n"
                + "underscores become hyphens. Times: 500ms, 30s, 5m, 1h, 1d, 1m30s; a bare number is seconds.\n"
                + "Sizes: 512, 64k, 1m, 1g; a bare number is bytes. (r) marks a flag that may be repeated.\n"
                + FLAGS.help();
    }

    private static Option option(String section, String name, String value, boolean repeatable, String help, Handler handler) {
        return new Option(new Flags.Flag(section, name, value, repeatable, help), handler);
    }

    private static <T> Handler proxy(Function<String, T> parser, BiFunction<ProxyServer.Builder, T, ProxyServer.Builder> setter) {
        return step(Settings::addProxyStep, parser, setter);
    }

    private static <T> Handler keepalive(Function<String, T> parser, BiFunction<Keepalive.Builder, T, Keepalive.Builder> setter) {
        return step(Settings::addKeepaliveStep, parser, setter);
    }

    private static <T> Handler nextUpstream(Function<String, T> parser, BiFunction<NextUpstream, T, NextUpstream> setter) {
        return step(Settings::addNextUpstreamStep, parser, setter);
    }

    private static <T> Handler route(Function<String, T> parser, BiFunction<Route.Builder, T, Route.Builder> setter) {
        return step(Settings::addRouteStep, parser, setter);
    }

    private static <T> Handler serverTls(Function<String, T> parser,
            BiFunction<ServerTls.Builder, T, ServerTls.Builder> setter) {
        return step((s, step) -> s.tls().addServerStep(step), parser, setter);
    }

    private static <T> Handler tls(Function<String, T> parser,
            BiFunction<UpstreamTls.Builder, T, UpstreamTls.Builder> setter) {
        return step((s, step) -> s.tls().addUpstreamStep(step), parser, setter);
    }

    /** Parses the value now, so a syntax error shows at once, and keeps the builder call for later. */
    private static <B, T> Handler step(BiConsumer<Settings, Step<B>> add, Function<String, T> parser, BiFunction<B, T, B> setter) {
        return (s, flag, raw) -> {
            T value = parser.apply(raw);
            add.accept(s, new Step<>(flag, raw, b -> setter.apply(b, value)));
        };
    }
}
